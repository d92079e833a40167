"""Claims of a stored post: extract, store, check against stored claims, record pairs.

The one call the pipeline makes per stored post is :func:`process_post`. It returns the new
contradictions with their episode; the caller raises one alert per *episode* (dedupe key
``contradiction:episode:<id>``), so a dozen pairs about Kursk Oblast in one week alert a
chat once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.analysis.claims.analyze import (
    ClaimHistory,
    PlaceTools,
    PostClaims,
    default_place_tools,
    lookup_ids,
    place_and_areas,
)
from bot.analysis.claims.contradict import EPISODE_GAP, VALIDITY_WINDOW, find_contradictions
from bot.analysis.claims.extract import extract_claims
from bot.analysis.claims.model import Claim, Contradiction, StoredClaimRef
from bot.core.alert import (
    AlertKind,
    ClaimSide,
    ContradictionAlert,
    ContradictionNote,
    Localised,
    PlaceReason,
    Reasons,
)
from bot.core.post import Post
from bot.ingest import PRIORITY_CONTRADICTION, post_snapshot
from storage.models import Post as PostRow
from storage.repos import channels as channel_repo
from storage.repos import claims as repo
from storage.repos import outbox
from storage.repos import subscriptions as sub_repo
from storage.types import utcnow

# A contradiction alert sent on its own waits this long behind the post's alert.
CONTRADICTION_DELAY = timedelta(seconds=2)


@dataclass(frozen=True, slots=True)
class StoredContradiction:
    contradiction: Contradiction
    claim_id: int
    earlier_claim_id: int
    episode_id: int
    episode_opened: bool  # the episode's first pair: alert; later pairs join its alert

    @property
    def dedupe_key(self) -> str:
        return f"contradiction:episode:{self.episode_id}"


async def stored_candidates(
    session: AsyncSession,
    claims: Sequence[Claim],
    tools: PlaceTools,
    window: timedelta = VALIDITY_WINDOW,
) -> dict[int, list[StoredClaimRef]]:
    """For ``claims[i]``, the stored claims it may clash with (indexed lookups)."""
    out: dict[int, list[StoredClaimRef]] = {}
    for i, c in enumerate(claims):
        out[i] = await repo.candidates(
            session, lookup_ids(c, tools.ancestors), c.asserted_at - window, c.asserted_at
        )
    return out


async def process_post(
    session: AsyncSession,
    *,
    post_id: int,
    channel: str,
    message_id: int,
    date: datetime,
    text: str,
    channel_side: str | None,
    tools: PlaceTools,
    window: timedelta = VALIDITY_WINDOW,
    claims: list[Claim] | None = None,
) -> tuple[list[Claim], list[StoredContradiction]]:
    """Store the post's claims (replacing earlier ones of the same post, e.g. after an edit)
    and the contradictions they make with stored claims; one pair per earlier post.
    ``claims``: the post's claims when already extracted (before the write transaction)."""
    await repo.delete_for_post(session, post_id)
    if claims is None:
        claims = extract(text, channel_side, date, tools)
    if not claims:
        return [], []
    cands = await stored_candidates(session, claims, tools, window)
    ids = await repo.add_claims(session, post_id, claims)
    out: list[StoredContradiction] = []
    seen: set[tuple[str, int]] = set()
    for i, claim in enumerate(claims):
        for x in find_contradictions(
            claim,
            cands[i],
            tools.contains,
            new_channel=channel,
            new_message_id=message_id,
            window=window,
        ):
            key = (x.earlier.channel, x.earlier.message_id)
            if key in seen or x.earlier.claim_id is None:
                continue
            seen.add(key)
            episode, opened = await repo.find_or_open_episode(
                session, x.place_id, claim.asserted_at, EPISODE_GAP
            )
            pair_id = await repo.add_contradiction(
                session,
                claim_id=ids[i],
                earlier_claim_id=x.earlier.claim_id,
                place_id=x.place_id,
                why=x.why_en,
                why_uk=x.why_uk,
                episode_id=episode.id,
            )
            if pair_id is not None:
                out.append(StoredContradiction(x, ids[i], x.earlier.claim_id, episode.id, opened))
    return claims, out


async def analyze_with_db(
    session: AsyncSession,
    history: ClaimHistory,
    *,
    channel: str,
    message_id: int,
    date: datetime,
    text: str,
    channel_side: str | None,
) -> PostClaims:
    """``dozor analyze --db``: like ``history.analyze``, also checking stored claims.
    Reads only; the stored claims of this very post are skipped."""
    claims = history.extract(text, channel_side=channel_side, date=date)
    extra = await stored_candidates(session, claims, history.tools, history.window)
    found = history.check(claims, channel=channel, message_id=message_id, extra=extra)
    history.remember(claims, channel=channel, message_id=message_id)
    return PostClaims(claims, found)


def contradiction_payload(post: Post, x: StoredContradiction) -> ContradictionAlert:
    """The alert payload: the new post as a match alert carries it (so a plain renderer
    still shows it), plus both sides for ``bot.analysis.claims.render``."""
    c, old = x.contradiction, x.contradiction.earlier
    place_uk = str(c.new.data.get("place_uk") or c.place_name)
    if old.claim.place_id == c.place_id:
        place_uk = str(old.claim.data.get("place_uk") or place_uk)
    note = ContradictionNote(
        kind=c.kind,
        episode_id=x.episode_id,
        place_id=c.place_id,
        place=Localised(en=c.place_name, uk=place_uk),
        why=Localised(en=c.why_en, uk=c.why_uk),
        new=ClaimSide(post.channel, post.id, c.new.asserted_at, c.new.side, c.new.quote),
        earlier=ClaimSide(
            old.channel, old.message_id, old.claim.asserted_at, old.claim.side, old.claim.quote
        ),
    )
    return ContradictionAlert(replace(post_snapshot(post), forward=None), note)


def extract(text: str, channel_side: str | None, date: datetime, tools: PlaceTools) -> list[Claim]:
    return extract_claims(
        text, channel_side=channel_side, date=date, find_places=tools.find, contains=tools.contains
    )


class ClaimsHook:
    """An ``IngestService`` post hook: claims of each stored post, and one contradiction
    alert per episode to every chat tracking the place or a place that contains it.

    ``alert=False`` (history import, replays without alerts) stores claims and pairs only.
    """

    def __init__(
        self,
        sides: Callable[[str], str | None],
        *,
        tools: PlaceTools | None = None,
        alert: bool = True,
        priority: int = PRIORITY_CONTRADICTION,
    ) -> None:
        self.sides = sides
        self._tools = tools
        self.alert = alert
        self.priority = priority

    @property
    def tools(self) -> PlaceTools:
        if self._tools is None:
            self._tools = default_place_tools()
        return self._tools

    def prepare(self, post: Post, *, side: str | None = None) -> list[Claim]:
        """The post's claims, extracted before the ingest opens its write transaction (pure:
        pymorphy3's work never holds SQLite's write lock). ``side``: the channel's stored side
        as the ingest read it, which wins over the config, as in ``__call__``."""
        return extract(post.text, side or self.sides(post.channel), post.date, self.tools)

    async def write(
        self,
        session: AsyncSession,
        row: PostRow,
        post: Post,
        prepared: list[Claim],
        *,
        alert: bool = True,
    ) -> int:
        return await self._store(session, row, post, prepared, alert=alert)

    async def __call__(
        self, session: AsyncSession, row: PostRow, post: Post, *, alert: bool = True
    ) -> int:
        """Returns how many outbox rows it queued (the ingest counts and wakes on them)."""
        return await self._store(session, row, post, None, alert=alert)

    async def _store(
        self,
        session: AsyncSession,
        row: PostRow,
        post: Post,
        claims: list[Claim] | None,
        *,
        alert: bool,
    ) -> int:
        side = None
        if claims is None:  # prepared claims were extracted with the side already
            # The side stored for the channel (`dozor sources add --side`) wins over the config.
            side = await channel_repo.side_of(session, row.channel_id) or self.sides(post.channel)
        _claims, pairs = await process_post(
            session,
            post_id=row.id,
            channel=post.channel,
            message_id=post.id,
            date=post.date,
            text=post.text,
            channel_side=side,
            tools=self.tools,
            claims=claims,
        )
        if not (self.alert and alert):
            return 0
        queued = 0
        for x in pairs:
            queued += await self._alert(session, row, post, x)
        return queued

    async def _alert(
        self, session: AsyncSession, row: PostRow, post: Post, x: StoredContradiction
    ) -> int:
        c = x.contradiction
        # A loss counter's pseudo place ("~losses/APC") has no areas and no subscribers.
        places = {
            *place_and_areas(c.place_id, self.tools.ancestors),
            *place_and_areas(c.new.place_id, self.tools.ancestors),
        }
        subs = await sub_repo.by_keys(session, "place", places)
        if not subs:
            return 0
        payload = contradiction_payload(post, x)
        alert, _ = await outbox.ensure_alert(
            session,
            kind=AlertKind.CONTRADICTION,
            dedupe_key=x.dedupe_key,
            payload=payload,
            post_id=row.id,
            priority=self.priority,
        )
        origin_channel, origin_id = post.origin
        post_alert = f"post:{origin_channel}/{origin_id}"
        done: set[int] = set()
        queued = 0
        for sub in subs:
            if sub.chat_id in done:
                continue
            done.add(sub.chat_id)
            # The chat gets the post's own alert: the contradiction goes inside it, headline
            # first, instead of a message of its own (which used to arrive before the post).
            match = await outbox.pending_delivery(session, post_alert, sub.chat_id)
            if match is not None:
                if await outbox.delivered_elsewhere(
                    session, alert, sub.chat_id, sub.thread_id, "shown in the post's alert"
                ):
                    outbox.add_contradiction(match, payload.contradiction)
                continue
            queued += await outbox.enqueue(
                session,
                alert,
                sub.chat_id,
                thread_id=sub.thread_id,
                reasons=Reasons(
                    labels=(PlaceReason(sub.key, c.place_id),),
                    kinds=(AlertKind.CONTRADICTION.value,),
                ),
                # Alone, it still follows the post's alert of the same moment, never leads it.
                not_before=utcnow() + CONTRADICTION_DELAY,
            )
        return queued
