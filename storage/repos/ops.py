"""What the health endpoint and the metrics read: a ping, the outbox backlog, source health."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Channel, Delivery, Post, SourceHealth
from storage.repos.outbox import LEASED, PENDING


@dataclass(frozen=True, slots=True)
class Backlog:
    depth: int  # rows not yet sent, failed or dropped
    oldest: datetime | None  # when the oldest of them was queued


@dataclass(frozen=True, slots=True)
class SourceRow:
    channel: str
    side: str | None
    active: bool
    state: str
    failures: int
    last_error: str | None
    last_error_at: datetime | None
    last_ok_at: datetime | None
    changed_at: datetime | None
    newest_post_at: datetime | None
    last_message_id: int


async def ping(session: AsyncSession) -> None:
    await session.execute(text("SELECT 1"))


async def backlog(session: AsyncSession) -> Backlog:
    row = (
        await session.execute(
            select(func.count(), func.min(Delivery.created_at)).where(
                Delivery.status.in_((PENDING, LEASED))
            )
        )
    ).one()
    return Backlog(int(row[0]), row[1])


async def sources(session: AsyncSession, *, active_only: bool = False) -> list[SourceRow]:
    """Every channel with its health (none recorded yet reads as ok) and its newest post's
    date: the post with the highest id, found through the (channel, id) unique index."""
    newest = (
        select(Post.date)
        .where(Post.channel_id == Channel.id)
        .order_by(Post.message_id.desc())
        .limit(1)
        .scalar_subquery()
    )
    stmt = (
        select(Channel, SourceHealth, newest)
        .outerjoin(SourceHealth, SourceHealth.channel_id == Channel.id)
        .order_by(Channel.username)
    )
    if active_only:
        stmt = stmt.where(Channel.active.is_(True))
    result: list[SourceRow] = []
    for channel, health, newest_at in (await session.execute(stmt)).all():
        result.append(
            SourceRow(
                channel=channel.username,
                side=channel.side,
                active=channel.active,
                state=health.state if health else "ok",
                failures=health.failures if health else 0,
                last_error=health.last_error if health else None,
                last_error_at=health.last_error_at if health else None,
                last_ok_at=health.last_ok_at if health else None,
                changed_at=health.changed_at if health else None,
                newest_post_at=newest_at,
                last_message_id=channel.last_message_id,
            )
        )
    return result
