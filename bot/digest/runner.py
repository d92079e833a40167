"""The digest scheduler as the composition root starts it: leader election + APScheduler."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.digest.leader import Leadership, lead
from bot.digest.scheduler import MAX_LATE, DigestScheduler
from bot.digest.service import DigestService
from bot.ops.metrics import Metrics


async def run_scheduler(
    sessions: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    service: DigestService,
    stop: asyncio.Event,
    *,
    metrics: Metrics,
    refresh_seconds: float = 60.0,
    lock_poll_seconds: float = 5.0,
) -> None:
    """Until ``stop`` is set: be the digest scheduler when elected (always on SQLite), a
    standby otherwise. Digests go to the outbox; the dispatcher sends them."""
    # APScheduler logs every run of the refresh job at INFO: once a minute, forever.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)

    def start() -> Callable[[], None]:
        scheduler = DigestScheduler(
            sessions,
            service,
            refresh_seconds=refresh_seconds,
            max_late=MAX_LATE,
            metrics=metrics,
        )
        scheduler.start()
        return scheduler.shutdown

    await lead(Leadership(engine), stop, start, poll_seconds=lock_poll_seconds)
