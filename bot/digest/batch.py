"""One scheduler pass's shared reads: the chats due in the same window are loaded together.

At 10,000 chats of one hour, a digest that queries per chat spends its time in round trips
(seven queries each, 205 s for 1,000 chats). Here the first chat of a window loads, for every
chat expected in that window (``expect``), its subscriptions, matches, their posts and the
week's match dates in a few chunked queries; what does not depend on the chat at all (the
day's claims, contradictions and loss counters) is read once per window (``day``). Building
one chat's digest is then selection and wording in memory.

Windows that are due have closed, so what was read no longer changes during the pass; a pass
(and so this object) lives until the scheduler's next refresh.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.matching import ChatMatch
from storage.models import Post as PostRow
from storage.models import Subscription
from storage.repos import digest_reads as reads
from storage.repos.digest_reads import ClaimAt, PairAt

T = TypeVar("T")
Window = tuple[datetime, datetime]
# The week's chart counts local days up to the one a window ends in: it starts at most
# 8 days before the window's end and ends at most a day after it, whatever the time zone.
WEEK_BEFORE, WEEK_AFTER = timedelta(days=8), timedelta(days=1)
LOAD_AHEAD = 500  # chats loaded together


@dataclass
class ChatPart:
    """One chat's share of a window: what it tracks and which of the window's posts matched."""

    subs: list[Subscription]
    matched: list[tuple[PostRow, list[ChatMatch]]]
    dates: list[tuple[int, datetime]]  # (subscription, post date) over the chart's week


@dataclass
class Day:
    """What every chat of a window shares: its claims and contradictions, newest first, with
    their positions by post and by place so a chat picks its own without a scan."""

    claims: list[ClaimAt]  # loss counters excluded
    pairs: list[PairAt]
    claims_by_post: dict[int, list[int]] = field(default_factory=dict)
    claims_by_place: dict[str, list[int]] = field(default_factory=dict)
    pairs_by_post: dict[int, list[int]] = field(default_factory=dict)
    pairs_by_place: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.claims_by_post = _positions(c.row.post_id for c in self.claims)
        self.claims_by_place = _positions(c.row.place_id for c in self.claims)
        self.pairs_by_post = _positions(p.new.row.post_id for p in self.pairs)
        self.pairs_by_place = _positions(p.pair.place_id for p in self.pairs)


def _positions(keys: Iterable[Any]) -> dict[Any, list[int]]:
    out: dict[Any, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        out[key].append(i)
    return dict(out)


def about(
    by_post: dict[int, list[int]],
    by_place: dict[str, list[int]],
    post_ids: Iterable[int],
    place_ids: Iterable[str],
) -> list[int]:
    """Positions (newest first) of what is about the chat's posts or its places."""
    found: set[int] = set()
    for post_id in post_ids:
        found.update(by_post.get(post_id, ()))
    for place_id in place_ids:
        found.update(by_place.get(place_id, ()))
    return sorted(found)


class DigestBatch:
    """The reads of one scheduler pass, shared by the chats due in it."""

    def __init__(self) -> None:
        self._memo: dict[Hashable, Any] = {}
        self._expected: dict[Window, set[int]] = defaultdict(set)
        self._chats: dict[tuple[int, Window], ChatPart] = {}
        self._posts: dict[int, PostRow] = {}
        self._parsed: dict[str, tuple[tuple[int, int], ...]] = {}
        self.contradicted: set[int] = set()  # post ids, of the posts loaded
        self.with_claims: set[int] = set()

    def expect(self, chat_ids: Iterable[int], since: datetime, until: datetime) -> None:
        """These chats' digests of [since, until) are due in this pass: load them together."""
        self._expected[(since, until)].update(chat_ids)

    async def once(self, key: Hashable, make: Callable[[], Awaitable[T]]) -> T:
        if key not in self._memo:
            self._memo[key] = await make()
        result: T = self._memo[key]
        return result

    async def chat(
        self, session: AsyncSession, chat_id: int, since: datetime, until: datetime
    ) -> ChatPart:
        window = (since, until)
        if (chat_id, window) not in self._chats:
            # The chat and up to LOAD_AHEAD of its peers: the shared reads are made once
            # either way, and memory holds a few hundred chats' matches, not the hour's.
            pending = self._expected[window]
            pending.discard(chat_id)
            group = [chat_id, *islice(pending, LOAD_AHEAD - 1)]
            await self._load(session, group, window)
            pending.difference_update(group)
        return self._chats.pop((chat_id, window))  # built once; a retry reads it again

    async def _load(self, session: AsyncSession, chat_ids: Sequence[int], window: Window) -> None:
        since, until = window
        start, end = until - WEEK_BEFORE, until + WEEK_AFTER
        subs = await reads.subscriptions(session, chat_ids)
        tracking = [c for c in chat_ids if subs.get(c)]
        dates = await self.once(
            ("dates", start, end), partial(reads.live_post_dates, session, start, end)
        )
        found = await reads.matches(session, tracking, start, end)
        new_ids = {p for _c, p, _s, _j in found if since <= dates.get(p, until) < until}
        new_ids -= self._posts.keys()
        self._posts.update(await reads.posts(session, list(new_ids)))
        contradicted, with_claims = await reads.flagged_posts(session, list(new_ids))
        self.contradicted |= contradicted
        self.with_claims |= with_claims
        parts = {c: ChatPart(list(subs.get(c, ())), [], []) for c in chat_ids}
        by_id = {s.id: s for c in tracking for s in subs[c]}
        for chat_id, post_id, sub_id, spans in found:
            when, sub = dates.get(post_id), by_id.get(sub_id)
            if when is None or sub is None:
                continue
            part = parts[chat_id]
            part.dates.append((sub_id, when))
            if not since <= when < until:
                continue
            row = self._posts[post_id]
            if not part.matched or part.matched[-1][0].id != post_id:
                part.matched.append((row, []))
            part.matched[-1][1].append(
                ChatMatch(chat_id, sub.thread_id, sub.id, sub.kind, sub.label, self._spans(spans))
            )
        for chat_id, part in parts.items():
            self._chats[(chat_id, window)] = part

    def _spans(self, text: str) -> tuple[tuple[int, int], ...]:
        spans = self._parsed.get(text)
        if spans is None:
            spans = self._parsed[text] = tuple((int(s), int(e)) for s, e in json.loads(text))
        return spans

    async def day(self, session: AsyncSession, since: datetime, until: datetime) -> Day:
        async def load() -> Day:
            return Day(
                claims=await reads.claims_between(session, since, until),
                pairs=await reads.contradictions_between(session, since, until),
            )

        return await self.once(("day", since, until), load)
