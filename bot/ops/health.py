"""``/healthz`` and ``/metrics`` on an aiohttp server in the process's own event loop.

``/healthz`` answers 200 when the database answers and the event loop's heartbeat is fresh,
503 otherwise; its JSON also names each watched source with its state. A source's state does
not make the process unhealthy: restarting a process does not bring a channel back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import asdict, dataclass
from datetime import datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.ops.metrics import CONTENT_TYPE, Metrics
from bot.ops.systemd import Notifier
from storage.repos import ops as ops_repo
from storage.types import utcnow

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 1.0
LOOP_STALE_SECONDS = 5.0  # a heartbeat older than this: the loop is stuck
DB_TIMEOUT_SECONDS = 3.0


class Heartbeat:
    """Ticks in the event loop; its age says how long the loop has been unable to run it.
    Each tick also pings the systemd watchdog (when there is one), at most every half of its
    interval."""

    def __init__(
        self, notifier: Notifier | None = None, interval: float = HEARTBEAT_SECONDS
    ) -> None:
        self.interval = interval
        self.notifier = notifier
        self.last = time.monotonic()
        self._pinged = 0.0

    @property
    def age(self) -> float:
        return time.monotonic() - self.last

    async def run(self) -> None:
        while True:
            self.last = time.monotonic()
            every = self.notifier.watchdog_seconds if self.notifier is not None else None
            if self.notifier is not None and every and self.last - self._pinged >= every / 2:
                self.notifier.watchdog()
                self._pinged = self.last
            await asyncio.sleep(self.interval)


@dataclass(frozen=True, slots=True)
class SourceStatus:
    channel: str
    state: str
    failures: int
    last_error: str | None
    last_error_at: str | None
    last_ok_at: str | None
    newest_post_at: str | None
    lag_seconds: float | None


@dataclass(frozen=True, slots=True)
class HealthReport:
    healthy: bool
    process: str
    database: bool
    database_error: str | None
    event_loop: bool
    heartbeat_age_seconds: float
    sources: tuple[SourceStatus, ...]

    def to_json(self) -> dict[str, object]:
        body = asdict(self)
        body["status"] = "ok" if self.healthy else "unhealthy"
        return body


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class HealthServer:
    def __init__(
        self,
        process: str,
        sessions: async_sessionmaker[AsyncSession],
        metrics: Metrics,
        heartbeat: Heartbeat,
    ) -> None:
        self.process = process
        self.sessions = sessions
        self.metrics = metrics
        self.heartbeat = heartbeat
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def start(self, host: str, port: int) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = runner.addresses[0][1]
        log.info("health and metrics on http://%s:%s/healthz, /metrics", host, self.port)

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def report(self) -> HealthReport:
        age = self.heartbeat.age
        self.metrics.heartbeat_age(age)
        error: str | None = None
        sources: tuple[SourceStatus, ...] = ()
        try:
            async with asyncio.timeout(DB_TIMEOUT_SECONDS), self.sessions() as session:
                await ops_repo.ping(session)
                rows = await ops_repo.sources(session, active_only=True)
                backlog = await ops_repo.backlog(session)
        except Exception as exc:  # any failure to answer is "database unreachable"
            error = type(exc).__name__ if isinstance(exc, TimeoutError) else _short(exc)
        else:
            now = utcnow()
            self.metrics.database_view(backlog, rows, now)
            sources = tuple(
                SourceStatus(
                    channel=r.channel,
                    state=r.state,
                    failures=r.failures,
                    last_error=r.last_error,
                    last_error_at=_iso(r.last_error_at),
                    last_ok_at=_iso(r.last_ok_at),
                    newest_post_at=_iso(r.newest_post_at),
                    lag_seconds=(now - r.newest_post_at).total_seconds()
                    if r.newest_post_at
                    else None,
                )
                for r in rows
            )
        loop_ok = age < LOOP_STALE_SECONDS
        return HealthReport(
            healthy=error is None and loop_ok,
            process=self.process,
            database=error is None,
            database_error=error,
            event_loop=loop_ok,
            heartbeat_age_seconds=round(age, 3),
            sources=sources,
        )

    async def _healthz(self, _request: web.Request) -> web.Response:
        report = await self.report()
        return web.json_response(report.to_json(), status=200 if report.healthy else 503)

    async def _metrics(self, _request: web.Request) -> web.Response:
        with contextlib.suppress(Exception):  # the process's own counters still go out
            await self.report()
        return web.Response(body=self.metrics.render(), headers={"Content-Type": CONTENT_TYPE})


def _short(exc: BaseException) -> str:
    # First line only, and no URL (it could hold the database password).
    text = (str(exc).splitlines() or [""])[0][:200]
    return f"{type(exc).__name__}: {text}" if "://" not in text else type(exc).__name__
