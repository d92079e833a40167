"""The match record: which tracked (kind, key) each post matched, written once at ingest.

One row per post and key, however many chats track that key (``fanout.record`` writes it for
new posts). A chat's matches are read through its own subscriptions: per key, one range of
``ix_post_key_matches_key_date`` (kind, key, date, post), so the cost follows that chat's
matches, not the archive or the number of chats.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import and_, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Post as PostRow
from storage.models import PostMatch, Subscription


class Match(Protocol):
    """What a matcher found (``bot.matching.ChatMatch`` has these)."""

    @property
    def subscription_id(self) -> int: ...
    @property
    def spans(self) -> tuple[tuple[int, int], ...]: ...


@dataclass(frozen=True, slots=True)
class StoredMatch:
    subscription_id: int
    spans: tuple[tuple[int, int], ...]


async def record_keys(
    session: AsyncSession,
    post_id: int,
    date: datetime,
    keys: Sequence[tuple[str, str, tuple[tuple[int, int], ...]]],
) -> int:
    """Record a post's matches: one row per distinct (kind, key, spans) given."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, key, spans in keys:
        rows.setdefault(
            (kind, key),
            {
                "post_id": post_id,
                "kind": kind,
                "key": key,
                "date": date,
                "spans": [list(s) for s in spans],
            },
        )
    if rows:
        await session.execute(insert(PostMatch), list(rows.values()))
    return len(rows)


async def replace(
    session: AsyncSession, post_id: int, date: datetime, matches: Sequence[Match]
) -> None:
    """An edited post's matches (per subscription) replace those of its earlier text."""
    await session.execute(delete(PostMatch).where(PostMatch.post_id == post_id))
    spans = {m.subscription_id: m.spans for m in matches}
    if not spans:
        return
    subs = await session.execute(
        select(Subscription.id, Subscription.kind, Subscription.key).where(
            Subscription.id.in_(sorted(spans))
        )
    )
    await record_keys(session, post_id, date, [(k, key, spans[i]) for i, k, key in subs])


async def _keys(session: AsyncSession, chat_id: int) -> list[tuple[str, str]]:
    rows = await session.execute(
        select(Subscription.kind, Subscription.key)
        .where(Subscription.chat_id == chat_id)
        .distinct()
    )
    return sorted((str(k), str(key)) for k, key in rows)


async def _newest(
    session: AsyncSession, keys: Sequence[tuple[str, str]], window: list[Any], limit: int
) -> list[int]:
    """The newest ``limit`` posts matching any of ``keys``: the newest ``limit`` of each key
    (one backward index range each), merged."""
    ranked: set[tuple[datetime, int]] = set()
    for kind, key in keys:
        rows = await session.execute(
            select(PostMatch.date, PostMatch.post_id)
            .join(PostRow, PostRow.id == PostMatch.post_id)
            .where(PostMatch.kind == kind, PostMatch.key == key, *window)
            .order_by(PostMatch.date.desc(), PostMatch.post_id.desc())
            .limit(limit)
        )
        ranked.update((d, int(p)) for d, p in rows)
    return [p for _d, p in heapq.nlargest(limit, ranked)]


async def for_chat(
    session: AsyncSession,
    chat_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> list[tuple[PostRow, list[StoredMatch]]]:
    """The chat's matched, not deleted posts in [since, until), newest first (at most
    ``limit`` posts), each with the chat's subscriptions it matched."""
    window: list[Any] = [PostRow.deleted.is_(False)]
    if since is not None:
        window.append(PostMatch.date >= since)
    if until is not None:
        window.append(PostMatch.date < until)
    if limit is not None:
        keys = await _keys(session, chat_id)
        post_ids = await _newest(session, keys, window, limit) if keys else []
        if not post_ids:
            return []
        window.append(PostMatch.post_id.in_(post_ids))
    stmt = (
        select(PostRow, Subscription.id, PostMatch.spans)
        .select_from(Subscription)
        .join(
            PostMatch,
            and_(PostMatch.kind == Subscription.kind, PostMatch.key == Subscription.key),
        )
        .join(PostRow, PostRow.id == PostMatch.post_id)
        .where(Subscription.chat_id == chat_id, *window)
        .order_by(PostMatch.date.desc(), PostMatch.post_id.desc(), Subscription.id)
    )
    out: list[tuple[PostRow, list[StoredMatch]]] = []
    for row, sub_id, spans in await session.execute(stmt):
        if not out or out[-1][0].id != row.id:
            out.append((row, []))
        out[-1][1].append(StoredMatch(int(sub_id), tuple((int(s), int(e)) for s, e in spans or ())))
    return out


async def dates_by_subscription(
    session: AsyncSession, chat_id: int, since: datetime, until: datetime
) -> list[tuple[int, datetime]]:
    """(subscription, post date) of the chat's matches of not deleted posts in [since, until)."""
    stmt = (
        select(Subscription.id, PostMatch.date)
        .select_from(Subscription)
        .join(
            PostMatch,
            and_(PostMatch.kind == Subscription.kind, PostMatch.key == Subscription.key),
        )
        .join(PostRow, PostRow.id == PostMatch.post_id)
        .where(
            Subscription.chat_id == chat_id,
            PostMatch.date >= since,
            PostMatch.date < until,
            PostRow.deleted.is_(False),
        )
    )
    return [(int(sub_id), date) for sub_id, date in await session.execute(stmt)]
