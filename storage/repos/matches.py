"""The match record: which subscriptions each post satisfied, written once at ingest.

Digests and /latest read a chat's matches through ``ix_post_matches_chat_date`` (chat, date,
post): the cost follows that chat's matches, not the archive or the number of chats.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Post as PostRow
from storage.models import PostMatch


class Match(Protocol):
    """What a matcher found (``bot.matching.ChatMatch`` has these)."""

    @property
    def chat_id(self) -> int: ...
    @property
    def subscription_id(self) -> int: ...
    @property
    def spans(self) -> tuple[tuple[int, int], ...]: ...


@dataclass(frozen=True, slots=True)
class StoredMatch:
    subscription_id: int
    spans: tuple[tuple[int, int], ...]


async def record(
    session: AsyncSession, post_id: int, date: datetime, matches: Sequence[Match]
) -> None:
    """Record a new post's matches: one batched INSERT however many chats matched."""
    rows, seen = [], set()
    for m in matches:
        if m.subscription_id in seen:
            continue
        seen.add(m.subscription_id)
        rows.append(
            {
                "post_id": post_id,
                "subscription_id": m.subscription_id,
                "chat_id": m.chat_id,
                "date": date,
                "spans": [list(s) for s in m.spans],
            }
        )
    if rows:
        await session.execute(insert(PostMatch), rows)


async def replace(
    session: AsyncSession, post_id: int, date: datetime, matches: Sequence[Match]
) -> None:
    """An edited post's matches replace those of its earlier text."""
    await session.execute(delete(PostMatch).where(PostMatch.post_id == post_id))
    await record(session, post_id, date, matches)


async def for_chat(
    session: AsyncSession,
    chat_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> list[tuple[PostRow, list[StoredMatch]]]:
    """The chat's matched, not deleted posts in [since, until), newest first (at most
    ``limit`` posts), each with the subscriptions it matched."""
    window = [PostMatch.chat_id == chat_id, PostRow.deleted.is_(False)]
    if since is not None:
        window.append(PostMatch.date >= since)
    if until is not None:
        window.append(PostMatch.date < until)
    if limit is not None:
        # The newest ``limit`` posts first: one range of the (chat, date, post) index.
        newest = (
            select(PostMatch.date, PostMatch.post_id)
            .join(PostRow, PostRow.id == PostMatch.post_id)
            .where(*window)
            .distinct()
            .order_by(PostMatch.date.desc(), PostMatch.post_id.desc())
            .limit(limit)
        )
        post_ids = [int(r.post_id) for r in await session.execute(newest)]
        if not post_ids:
            return []
        window.append(PostMatch.post_id.in_(post_ids))
    stmt = (
        select(PostRow, PostMatch.subscription_id, PostMatch.spans)
        .join(PostMatch, PostMatch.post_id == PostRow.id)
        .where(*window)
        .order_by(PostMatch.date.desc(), PostMatch.post_id.desc(), PostMatch.subscription_id)
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
        select(PostMatch.subscription_id, PostMatch.date)
        .join(PostRow, PostRow.id == PostMatch.post_id)
        .where(
            PostMatch.chat_id == chat_id,
            PostMatch.date >= since,
            PostMatch.date < until,
            PostRow.deleted.is_(False),
        )
    )
    return [(int(sub_id), date) for sub_id, date in await session.execute(stmt)]
