"""Channels (sources)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Channel
from storage.repos._util import insert_ignore


async def get_by_username(session: AsyncSession, username: str) -> Channel | None:
    channel: Channel | None = await session.scalar(
        select(Channel).where(Channel.username == username)
    )
    return channel


async def ensure(
    session: AsyncSession, username: str, *, title: str | None = None, side: str | None = None
) -> Channel:
    """The channel row, created on first sight (race-safe between processes)."""
    channel = await get_by_username(session, username)
    if channel is None:
        await insert_ignore(
            session,
            Channel.__table__,  # type: ignore[arg-type]
            {
                "username": username,
                "title": title,
                "side": side,
                "active": True,
                "last_message_id": 0,
            },
            ["username"],
        )
        channel = await get_by_username(session, username)
        assert channel is not None
    if title and not channel.title:
        channel.title = title
    if side and not channel.side:
        channel.side = side
    return channel


async def list_all(session: AsyncSession, *, active_only: bool = False) -> list[Channel]:
    stmt = select(Channel).order_by(Channel.username)
    if active_only:
        stmt = stmt.where(Channel.active.is_(True))
    return list(await session.scalars(stmt))


async def raise_last_id(session: AsyncSession, channel_id: int, message_id: int) -> None:
    await session.execute(
        update(Channel)
        .where(Channel.id == channel_id, Channel.last_message_id < message_id)
        .values(last_message_id=message_id)
    )


async def set_active(session: AsyncSession, username: str, active: bool) -> bool:
    result = await session.execute(
        update(Channel).where(Channel.username == username).values(active=active)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def side_of(session: AsyncSession, channel_id: int) -> str | None:
    """The side stored for a channel (`dozor sources add --side`); None when not set."""
    channel = await session.get(Channel, channel_id)
    return channel.side if channel is not None else None
