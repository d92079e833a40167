"""The watched channels: seeded from SOURCES, managed with `dozor sources` or /sources_add."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import KNOWN_SIDES, Settings
from bot.core.post import normalise_channel
from bot.errors import UserInputError
from storage.repos import channels as channel_repo
from storage.repos import ops as ops_repo

MAX_NAME = 64


@dataclass(frozen=True, slots=True)
class Source:
    channel: str
    side: str | None
    active: bool
    last_message_id: int
    # Health (see bot/ops/sources): ok, degraded or dead; failed polls in a row.
    state: str = "ok"
    failures: int = 0
    last_error: str | None = None
    last_post_at: datetime | None = None  # the newest stored post's date


def _valid(name: str) -> str:
    channel = normalise_channel(name)
    if not channel or len(channel) > MAX_NAME or not channel.replace("_", "").isalnum():
        raise UserInputError(f"not a channel username: {name!r}")
    return channel


class SourceService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def seed(self, settings: Settings) -> None:
        """Make sure every configured source is a known, active channel."""
        async with self.sessions() as session, session.begin():
            for spec in settings.sources:
                channel = await channel_repo.ensure(session, spec.channel, side=spec.side)
                channel.active = True

    async def add(self, name: str, side: str | None = None) -> Source:
        channel = _valid(name)
        side = (side or "").upper() or KNOWN_SIDES.get(channel)
        async with self.sessions() as session, session.begin():
            row = await channel_repo.ensure(session, channel, side=side)
            row.active = True
            if side:
                row.side = side
            return Source(row.username, row.side, row.active, row.last_message_id)

    async def remove(self, name: str) -> bool:
        """Stops watching; the channel's archive stays."""
        async with self.sessions() as session, session.begin():
            return await channel_repo.set_active(session, _valid(name), False)

    async def all(self, *, active_only: bool = False) -> list[Source]:
        async with self.sessions() as session:
            rows = await ops_repo.sources(session, active_only=active_only)
        return [
            Source(
                r.channel,
                r.side,
                r.active,
                r.last_message_id,
                state=r.state,
                failures=r.failures,
                last_error=r.last_error,
                last_post_at=r.newest_post_at,
            )
            for r in rows
        ]

    async def active_channels(self) -> list[str]:
        return [s.channel for s in await self.all(active_only=True)]
