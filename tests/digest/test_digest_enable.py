"""Turning a digest on (or moving it) after today's hour has passed starts it tomorrow:
the scheduler's catch-up must not send one at once, at the wrong hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.chats import ChatService
from bot.services.subscriptions import ChatRef
from storage.models import DigestRun
from storage.repos import digests as digest_repo

KYIV = ZoneInfo("Europe/Kyiv")


async def runs(sessions: async_sessionmaker[AsyncSession], chat_id: int) -> dict[object, str]:
    async with sessions() as s:
        rows = await s.scalars(select(DigestRun).where(DigestRun.chat_id == chat_id))
        return {r.day: r.status for r in rows}


async def test_a_passed_hour_starts_tomorrow(sessions: async_sessionmaker[AsyncSession]) -> None:
    svc = ChatService(sessions, "Europe/Kyiv")
    chat = ChatRef(501, "private", language="en")
    now = datetime.now(UTC).astimezone(KYIV)
    passed = (now - timedelta(hours=2)).strftime("%H:%M")
    await svc.set_digest(chat, passed)
    day = (now - timedelta(hours=2)).date()
    assert (await runs(sessions, 501)).get(day) == "skipped"
    async with sessions() as s, s.begin():
        # What the scheduler's catch-up does: it finds the day taken and sends nothing.
        assert await digest_repo.claim(s, 501, day) is None


async def test_an_hour_still_ahead_today_is_sent_today(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    svc = ChatService(sessions, "Europe/Kyiv")
    chat = ChatRef(502, "private", language="en")
    now = datetime.now(UTC).astimezone(KYIV)
    ahead = now + timedelta(hours=2)
    await svc.set_digest(chat, ahead.strftime("%H:%M"))
    assert ahead.date() not in await runs(sessions, 502)
