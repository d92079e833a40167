"""Digest runs: one row per (chat, local day), the record that a digest was done.

The row is inserted with ON CONFLICT DO NOTHING in the same transaction as the digest's
alert and outbox rows, so a leader and a standby racing for the same day cannot both win,
and a crash before commit leaves no trace (the day is retried).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DigestRun
from storage.repos._util import insert_ignore
from storage.types import utcnow

QUEUED, EMPTY = "queued", "empty"


async def exists(session: AsyncSession, chat_id: int, day: date) -> bool:
    found = await session.scalar(
        select(DigestRun.id).where(DigestRun.chat_id == chat_id, DigestRun.day == day)
    )
    return found is not None


async def claim(session: AsyncSession, chat_id: int, day: date, status: str = QUEUED) -> int | None:
    """Record the (chat, day) digest; its id, or None when another run recorded it first."""
    new_id: int | None = await insert_ignore(
        session,
        DigestRun.__table__,  # type: ignore[arg-type]
        {"chat_id": chat_id, "day": day, "status": status, "created_at": utcnow()},
        ["chat_id", "day"],
        returning=DigestRun.id,
    )
    return new_id


async def attach_alert(session: AsyncSession, run_id: int, alert_id: int) -> None:
    await session.execute(update(DigestRun).where(DigestRun.id == run_id).values(alert_id=alert_id))
