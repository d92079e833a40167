"""A watched channel's health row (one per channel)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import SourceHealth
from storage.repos._util import insert_ignore
from storage.types import utcnow


async def get_for_update(session: AsyncSession, channel_id: int) -> SourceHealth:
    """The row, created as ok on first use; locked on PostgreSQL so that two processes
    recording the same channel count its failures one after the other."""
    await insert_ignore(
        session,
        SourceHealth.__table__,  # type: ignore[arg-type]
        {
            "channel_id": channel_id,
            "state": "ok",
            "failures": 0,
            "successes": 0,
            "alerted_state": "ok",
            "changed_at": utcnow(),
        },
        ["channel_id"],
    )
    row: SourceHealth | None = await session.scalar(
        select(SourceHealth)
        .where(SourceHealth.channel_id == channel_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert row is not None
    return row
