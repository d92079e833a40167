"""The digest scheduler as the composition root starts it: leader election + APScheduler."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.digest.leader import Leadership, lead
from bot.digest.scheduler import MAX_LATE, DigestScheduler
from bot.digest.service import DigestService
from bot.ingest import IngestService
from bot.media import MediaStore
from bot.ops.metrics import Metrics


class CoreLike(Protocol):
    """What of ``bot.app.Core`` the scheduler uses."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    media: MediaStore
    ingest: IngestService
    wake_hooks: list[Callable[[], None]]
    metrics: Metrics


def digest_service(core: CoreLike) -> DigestService:
    def wake() -> None:
        for hook in core.wake_hooks:  # read at call time: the dispatcher registers later
            hook()

    return DigestService(
        core.sessions,
        core.ingest.matcher,
        core.media,
        default_tz=core.settings.default_tz,
        default_time=core.settings.default_digest_time,
        on_enqueued=wake,
        metrics=core.metrics,
    )


async def run_scheduler(
    core: CoreLike,
    stop: asyncio.Event,
    *,
    refresh_seconds: float = 60.0,
    lock_poll_seconds: float = 5.0,
) -> None:
    """Until ``stop`` is set: be the digest scheduler when elected (always on SQLite), a
    standby otherwise. Digests go to the outbox; the dispatcher sends them."""
    service = digest_service(core)
    # APScheduler logs every run of the refresh job at INFO: once a minute, forever.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)

    def start() -> Callable[[], None]:
        scheduler = DigestScheduler(
            core.sessions,
            service,
            refresh_seconds=refresh_seconds,
            max_late=MAX_LATE,
            metrics=core.ingest.metrics,
        )
        scheduler.start()
        return scheduler.shutdown

    await lead(Leadership(core.engine), stop, start, poll_seconds=lock_poll_seconds)
