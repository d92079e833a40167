"""What every long-running process starts beside its work: heartbeat, health server, sd_notify."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.ops.health import HealthServer, Heartbeat
from bot.ops.metrics import Metrics
from bot.ops.systemd import Notifier

log = logging.getLogger(__name__)


@dataclass
class Ops:
    heartbeat: Heartbeat
    notifier: Notifier
    server: HealthServer | None
    task: asyncio.Task[None]

    async def close(self) -> None:
        self.notifier.stopping()
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
        if self.server is not None:
            await self.server.close()


async def start_ops(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    metrics: Metrics,
    process: str,
) -> Ops:
    """Start the heartbeat and (unless HEALTH_PORT=0) the health server, then tell systemd
    the process is ready. A port already taken is logged, not fatal: the process's work
    matters more than its health page."""
    notifier = Notifier(settings.notify_socket, settings.watchdog_usec)
    heartbeat = Heartbeat(notifier)
    task = asyncio.create_task(heartbeat.run(), name="heartbeat")
    server: HealthServer | None = None
    if settings.health_port:
        server = HealthServer(process, sessions, metrics, heartbeat)
        try:
            await server.start(settings.health_host, settings.health_port)
        except OSError as exc:
            log.error(
                "cannot serve /healthz on %s:%s: %s",
                settings.health_host,
                settings.health_port,
                exc,
            )
            server = None
    notifier.ready(f"dozor {process} running")
    return Ops(heartbeat, notifier, server, task)
