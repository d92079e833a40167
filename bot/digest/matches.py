"""Which posts of a digest window matched a chat: read from the match record, or (the
old way, kept as the benchmark's baseline) matched again at digest time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.matching import ChatMatch, SubscriptionMatcher
from storage.models import Post as PostRow
from storage.models import Subscription
from storage.repos import matches as match_repo
from storage.repos import posts as post_repo

T = TypeVar("T")


class PassCache:
    """What one scheduler pass computes once for all the chats due in it: the parts of a
    digest that do not depend on the chat (a window's loss counters, a place's last claim
    before a day). Windows that are due have closed, so their figures no longer change."""

    def __init__(self) -> None:
        self._memo: dict[Hashable, Any] = {}

    async def once(self, key: Hashable, make: Callable[[], Awaitable[T]]) -> T:
        if key not in self._memo:
            self._memo[key] = await make()
        result: T = self._memo[key]
        return result


class Matches(Protocol):
    """Where a digest learns which of a window's posts matched a chat's subscriptions."""

    async def once(self, key: Hashable, make: Callable[[], Awaitable[T]]) -> T: ...

    async def for_chat(
        self,
        session: AsyncSession,
        chat_id: int,
        since: datetime,
        until: datetime,
        subs: Sequence[Subscription],
    ) -> list[tuple[PostRow, list[ChatMatch]]]: ...

    async def dates(
        self, session: AsyncSession, chat_id: int, since: datetime, until: datetime
    ) -> list[tuple[int, datetime]]:
        """(subscription id, post date) of each match in the window."""
        ...


class StoredMatches(PassCache):
    """The match record written at ingest (``storage.repos.matches``): a chat's digest reads
    its own matches by index, however many chats and posts there are."""

    async def for_chat(
        self,
        session: AsyncSession,
        chat_id: int,
        since: datetime,
        until: datetime,
        subs: Sequence[Subscription],
    ) -> list[tuple[PostRow, list[ChatMatch]]]:
        by_id = {s.id: s for s in subs}
        out = []
        for row, stored in reversed(
            await match_repo.for_chat(session, chat_id, since=since, until=until)
        ):
            mine = [
                ChatMatch(chat_id, sub.thread_id, sub.id, sub.kind, sub.label, m.spans)
                for m in stored
                if (sub := by_id.get(m.subscription_id)) is not None
            ]
            if mine:
                out.append((row, mine))
        return out

    async def dates(
        self, session: AsyncSession, chat_id: int, since: datetime, until: datetime
    ) -> list[tuple[int, datetime]]:
        return await match_repo.dates_by_subscription(session, chat_id, since, until)


class MatchCache(PassCache):
    """Matching again at digest time: post row id -> the subscriptions it matches (all
    chats), one per scheduler pass. Kept for databases without a match record and as the
    baseline of ``benchmarks/bench_scale.py``."""

    def __init__(self, matcher: SubscriptionMatcher) -> None:
        super().__init__()
        self.matcher = matcher
        self._by_post: dict[int, list[ChatMatch]] = {}

    async def _matched(
        self, session: AsyncSession, chat_id: int, since: datetime, until: datetime
    ) -> list[tuple[PostRow, list[ChatMatch]]]:
        rows = await post_repo.recent(session, since=since, until=until)
        out = []
        for row in rows:
            if row.deleted:
                continue
            matches = self._by_post.get(row.id)
            if matches is None:
                matches = await self.matcher.match(session, post_repo.to_post(row))
                self._by_post[row.id] = matches
            mine = [m for m in matches if m.chat_id == chat_id]
            if mine:
                out.append((row, mine))
        return out

    async def for_chat(
        self,
        session: AsyncSession,
        chat_id: int,
        since: datetime,
        until: datetime,
        subs: Sequence[Subscription],
    ) -> list[tuple[PostRow, list[ChatMatch]]]:
        return await self._matched(session, chat_id, since, until)

    async def dates(
        self, session: AsyncSession, chat_id: int, since: datetime, until: datetime
    ) -> list[tuple[int, datetime]]:
        return [
            (m.subscription_id, row.date)
            for row, ms in await self._matched(session, chat_id, since, until)
            for m in ms
        ]
