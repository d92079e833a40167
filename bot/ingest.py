"""The ingest path every source feeds: store, match, queue alerts. One short write transaction
per post: matching runs before it, and the fan-out to every concerned chat is one statement."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.alert import (
    AlertKind,
    EditAlert,
    PostAlert,
    PostSnapshot,
    Reasons,
    reason_from_label,
    reasons_to_json,
)
from bot.core.post import Post
from bot.ingest_hooks import PostHook, PreparedHook
from bot.matching import ChatMatch, SubscriptionMatcher, group_by_chat
from bot.ops.metrics import Metrics
from bot.places import Places, PostReading
from storage.models import Post as PostRow
from storage.repos import channels as channel_repo
from storage.repos import fanout, outbox
from storage.repos import matches as match_repo
from storage.repos import posts as post_repo
from storage.repos.fanout import Unit
from storage.types import utcnow

log = logging.getLogger(__name__)

# Delivery order when the budget is short: alerts (a contradiction on its own at the same
# priority as the post's alert, queued after it, so never ahead of it), then digests.
PRIORITY_CONTRADICTION, PRIORITY_MATCH, PRIORITY_DIGEST = 1, 1, 2
_NUMBER = re.compile(r"\d[\d\s\u202f\u00a0]*\d|\d")


@dataclass(frozen=True, slots=True)
class _Analysis:
    """A post's analysis, made before its write transaction. For a new post, ``units``: what
    it matched, once per subscription key (the fan-out's input). For an edit, ``matches``
    (per chat, of the new text) and ``before`` (of ``stored_text``, the text it replaces).
    Both None when the post was stored with this very text already (nothing to analyse)."""

    units: list[Unit] | None = None
    matches: list[ChatMatch] | None = None
    stored_text: str | None = None
    before: list[ChatMatch] = field(default_factory=list)
    prepared: Mapping[int, Any] = field(default_factory=dict)  # id(hook) -> what it found
    seconds: float = 0.0


def post_snapshot(post: Post) -> PostSnapshot:
    """The snapshot an alert carries, so it renders the text as it was when it fired."""
    return PostSnapshot(
        channel=post.channel,
        id=post.id,
        title=post.channel_title,
        date=post.date,
        text=post.text,
        media=tuple(m.path for m in post.media if m.is_image),
        forward=post.forward.name or post.forward.channel if post.forward else None,
    )


def post_payload(post: Post) -> PostAlert:
    return PostAlert(post_snapshot(post))


def _reasons(matches: Sequence[ChatMatch]) -> Reasons:
    # Chats tracking the same things get equal reasons: one object, so the fan-out of a post
    # to thousands of chats builds (and the outbox encodes) each distinct one once.
    return _reasons_of(frozenset((m.label, m.kind, m.spans) for m in matches))


@lru_cache(maxsize=1024)
def _reasons_of(matched: frozenset[tuple[str, str, tuple[tuple[int, int], ...]]]) -> Reasons:
    labels = sorted({label for label, _kind, _spans in matched})
    return Reasons(
        labels=tuple(reason_from_label(label) for label in labels),
        kinds=tuple(sorted({kind for _label, kind, _spans in matched})),
        spans=tuple(sorted({span for _label, _kind, spans in matched for span in spans})),
    )


def _unit_reasons_json(units: Sequence[Unit]) -> dict[str, Any]:
    # A fan-out unit carries the same (reason label, kind, spans) a ChatMatch does.
    return reasons_to_json(_reasons_of(frozenset((u.reason, u.kind, u.spans) for u in units)))


def _figures(text: str) -> list[str]:
    return [re.sub(r"\D", "", n) for n in _NUMBER.findall(text)]


class IngestService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        matcher: SubscriptionMatcher,
        *,
        sides: Callable[[str], str | None] = lambda _c: None,
        hooks: Sequence[PostHook] = (),
        edit_hooks: Sequence[PostHook] = (),
        on_enqueued: Callable[[], None] = lambda: None,
        max_alert_age: timedelta | None = None,
        metrics: Metrics | None = None,
        yield_ratio: float = 0.0,
        places: Places | None = None,
    ) -> None:
        self.sessions = sessions
        self.matcher = matcher
        # Reads each post's place mentions once, for its matching and its hooks (claims).
        self.places = places
        self.sides = sides
        self.hooks = list(hooks)
        self.edit_hooks = list(edit_hooks)  # run on a stored post's new text (search index)
        self.on_enqueued = on_enqueued
        # Live sources set this: a weeks-old post that turns up late (catch-up, a first poll,
        # an edit of a post never seen) is archived, not alerted.
        self.max_alert_age = max_alert_age
        self.metrics = metrics or Metrics()
        # Between the posts of one batch, pause ``yield_ratio`` times as long as the last one
        # took (see new_posts).
        self.yield_ratio = yield_ratio

    async def new_posts(self, posts: Sequence[Post]) -> int:
        stored = 0
        ordered = sorted(posts, key=lambda p: (p.channel, p.id))
        for i, post in enumerate(ordered):
            began = time.monotonic()
            if await self._store_one(post, alert=self._fresh(post)):
                stored += 1
            if self.yield_ratio and i + 1 < len(ordered):
                # Sharing the event loop with delivery (`dozor run`): a burst of posts is
                # stored at most 1/(1+ratio) of the time, so the sends keep their share.
                await asyncio.sleep((time.monotonic() - began) * self.yield_ratio)
        return stored

    def _fresh(self, post: Post) -> bool:
        if self.max_alert_age is None:
            return True
        return utcnow() - post.date <= self.max_alert_age

    async def _store_one(self, post: Post, *, alert: bool) -> bool:
        if self.places is None:
            return await self._store_read(post, None, alert=alert)
        with self.places.reading(post.text) as reading:
            return await self._store_read(post, reading, alert=alert)

    async def _analyse(self, post: Post, reading: PostReading | None) -> _Analysis:
        """Everything the post's text tells, read and worked out before the write transaction
        opens: on SQLite that transaction holds the one write lock the dispatcher's marks
        need, so it stays a handful of statements, however many chats the post concerns."""
        started = time.perf_counter()
        mentions = reading.mentions if reading is not None else None
        units: list[Unit] | None = None
        matches: list[ChatMatch] | None = None
        before: list[ChatMatch] = []
        async with self.sessions() as session:
            known = await channel_repo.get_by_username(session, post.channel)
            stored = await post_repo.get(session, known.id, post.id) if known else None
            if stored is not None and stored.text == post.text:
                return _Analysis()
            if stored is None:
                units = await self.matcher.match_units(session, post, mentions)
            else:
                matches = await self.matcher.match(session, post, mentions)
                old = Post(channel=post.channel, id=post.id, date=post.date, text=stored.text)
                before = await self.matcher.match(session, old)
        side = (known.side if known is not None else None) or self.sides(post.channel)
        hooks = self.edit_hooks if stored is not None else self.hooks
        prepared = {
            id(hook): hook.prepare(post, side=side)
            for hook in hooks
            if isinstance(hook, PreparedHook)
        }
        return _Analysis(
            units,
            matches,
            stored.text if stored is not None else None,
            before,
            prepared,
            time.perf_counter() - started,
        )

    async def _hook(
        self,
        hook: PostHook,
        session: AsyncSession,
        row: PostRow,
        post: Post,
        analysis: _Analysis,
        *,
        alert: bool,
    ) -> int:
        if isinstance(hook, PreparedHook) and id(hook) in analysis.prepared:
            found = analysis.prepared[id(hook)]
            return await hook.write(session, row, post, found, alert=alert) or 0
        return await hook(session, row, post, alert=alert) or 0

    async def _store_read(self, post: Post, reading: PostReading | None, *, alert: bool) -> bool:
        analysis = await self._analyse(post, reading)
        queued = 0  # outbox rows written
        try:
            async with self.sessions() as session, session.begin():
                channel = await channel_repo.ensure(
                    session,
                    post.channel,
                    title=post.channel_title,
                    side=self.sides(post.channel),
                )
                existing = await post_repo.get(session, channel.id, post.id)
                if existing is not None:
                    queued = await self._maybe_edit(session, existing, post, analysis)
                    new = False
                else:
                    row = await post_repo.insert(session, channel, post)
                    units = analysis.units
                    if units is None:  # stored and then gone meanwhile: not analysed yet
                        mentions = reading.mentions if reading is not None else None
                        units = await self.matcher.match_units(session, post, mentions)
                    # Recorded for every new post (alerted or not): digests and /latest read it.
                    await fanout.record(session, row.id, post.date, units)
                    if alert and units:
                        queued = await self._queue_matches(session, row, post, units)
                    started = time.perf_counter()  # hooks without ``prepare`` analyse here
                    for hook in self.hooks:
                        queued += await self._hook(hook, session, row, post, analysis, alert=alert)
                    seconds = analysis.seconds + time.perf_counter() - started
                    new = True
        except IntegrityError:
            # Another process stored the same (channel, id) first: it is not new here.
            log.info("post %s/%s stored concurrently elsewhere", post.channel, post.id)
            return False
        if new:
            log.info("post stored: %s/%s (row %s)", post.channel, post.id, row.id)
            self.metrics.post_stored(post.channel)
            self.metrics.analysed(seconds)
        if queued:
            self.metrics.alerts_queued(queued)
            self.on_enqueued()
        return new

    async def _queue_matches(
        self, session: AsyncSession, row: PostRow, post: Post, matches: Sequence[Unit]
    ) -> int:
        origin_channel, origin_id = post.origin
        alert, _ = await outbox.ensure_alert(
            session,
            kind=AlertKind.MATCH,
            dedupe_key=f"post:{origin_channel}/{origin_id}",
            payload=post_payload(post),
            post_id=row.id,
            priority=PRIORITY_MATCH,
        )
        return await fanout.fan_out(session, alert, matches, _unit_reasons_json)

    async def edited(self, post: Post) -> None:
        """An edit of a stored post; an edit of a post never seen is archived silently."""
        await self._store_one(post, alert=False)

    async def _maybe_edit(
        self, session: AsyncSession, row: PostRow, post: Post, analysis: _Analysis
    ) -> int:
        if row.text == post.text:
            if post.media:
                await post_repo.attach_media(session, row, post)
            return 0
        old_text = await post_repo.record_edit(session, row, post)
        await post_repo.attach_media(session, row, post)
        fresh = self._fresh(post)
        hooked = 0
        for hook in self.edit_hooks:
            hooked += await self._hook(hook, session, row, post, analysis, alert=fresh)
        after = analysis.matches
        if after is None:
            after = await self.matcher.match(session, post)
        await match_repo.replace(session, row.id, row.date, after)
        if not fresh:  # an edit of an old post is recorded, never alerted
            return hooked
        earlier = analysis.before
        if analysis.matches is None or analysis.stored_text != old_text:
            # Edited again between the analysis and now: match the text this edit replaces.
            old_post = Post(channel=post.channel, id=post.id, date=post.date, text=old_text)
            earlier = await self.matcher.match(session, old_post)
        before = {(m.chat_id, m.subscription_id): _surfaces(old_text, m) for m in earlier}
        figures_changed = _figures(old_text) != _figures(post.text)
        changed = [
            m
            for m in after
            if before.get((m.chat_id, m.subscription_id)) != _surfaces(post.text, m)
            or figures_changed
        ]
        if not changed:
            return hooked
        versions = len(await post_repo.versions(session, row.id))
        payload = EditAlert(post_snapshot(post), old_text)
        alert, _ = await outbox.ensure_alert(
            session,
            kind=AlertKind.EDIT,
            dedupe_key=f"edit:{post.channel}/{post.id}:{versions}",
            payload=payload,
            post_id=row.id,
            priority=PRIORITY_MATCH,
        )
        recipients = [
            outbox.Recipient(chat_id, thread_id, _reasons(chat_matches))
            for (chat_id, thread_id), chat_matches in group_by_chat(changed).items()
        ]
        return hooked + await outbox.enqueue_many(session, alert, recipients)

    async def deleted(self, channel: str, ids: Sequence[int], when: datetime) -> None:
        async with self.sessions() as session, session.begin():
            row = await channel_repo.get_by_username(session, channel)
            if row is not None:
                await post_repo.mark_deleted(session, row.id, ids, when)

    async def last_id(self, channel: str) -> int:
        async with self.sessions() as session:
            return await post_repo.last_id(session, channel)


def _surfaces(text: str, match: ChatMatch) -> tuple[str, ...]:
    return tuple(text[s:e].lower() for s, e in match.spans)


__all__ = ["IngestService", "PostHook", "PreparedHook", "post_payload", "post_snapshot"]
