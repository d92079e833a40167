"""/healthz says 200 only while the database answers and the event loop's heartbeat is fresh,
503 otherwise; /metrics is Prometheus text; a port already taken never stops the process."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.ops.health import HealthServer, Heartbeat
from bot.ops.metrics import Metrics
from bot.ops.runtime import start_ops
from bot.ops.sources import SourceHealthTracker
from bot.services.sources import SourceService
from storage.engine import make_engine, make_sessionmaker


async def _get(url: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as resp:
        return resp.status, resp.headers.get("Content-Type", ""), await resp.text()


async def test_healthy_answer_names_each_source_with_its_state(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    svc = SourceService(sessions)
    await svc.add("kpszsu")
    await svc.add("mod_russia")
    metrics = Metrics()
    tracker = SourceHealthTracker(sessions, metrics, degraded_after=1, dead_after=2)
    await tracker.polled("mod_russia", OSError("refused"))
    server = HealthServer("watch", sessions, metrics, Heartbeat())
    await server.start("127.0.0.1", 0)
    try:
        status, kind, body = await _get(f"http://127.0.0.1:{server.port}/healthz")
        assert status == 200 and kind.startswith("application/json")
        report = await server.report()
        assert report.healthy and report.process == "watch"
        assert [(s.channel, s.state, s.failures) for s in report.sources] == [
            ("kpszsu", "ok", 0),
            ("mod_russia", "degraded", 1),
        ]
        assert '"status": "ok"' in body and '"state": "degraded"' in body

        status, kind, text = await _get(f"http://127.0.0.1:{server.port}/metrics")
        assert status == 200 and kind.startswith("text/plain")
        assert 'dozor_source_state{channel="mod_russia",state="degraded"} 1.0' in text
        assert "dozor_outbox_depth 0.0" in text
    finally:
        await server.close()


async def test_unreachable_database_is_unhealthy(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'dir' / 'db.sqlite3'}")
    server = HealthServer("deliver", make_sessionmaker(engine), Metrics(), Heartbeat())
    await server.start("127.0.0.1", 0)
    try:
        status, _, body = await _get(f"http://127.0.0.1:{server.port}/healthz")
        assert status == 503
        assert '"database": false' in body and '"status": "unhealthy"' in body
        status, _, text = await _get(f"http://127.0.0.1:{server.port}/metrics")
        assert status == 200 and "dozor_event_loop_heartbeat_age_seconds" in text
    finally:
        await server.close()
        await engine.dispose()
        # aiosqlite leaves a worker thread behind each failed connect; let it end while this
        # test's loop still runs, not during a later test.
        gc.collect()
        await asyncio.sleep(0.1)


async def test_a_stale_heartbeat_is_unhealthy(sessions: async_sessionmaker[AsyncSession]) -> None:
    beat = Heartbeat()
    beat.last = time.monotonic() - 30  # the loop has not run the heartbeat for 30 s
    server = HealthServer("serve", sessions, Metrics(), beat)
    report = await server.report()
    assert report.database and not report.event_loop and not report.healthy
    assert report.heartbeat_age_seconds >= 30


async def test_a_taken_port_is_logged_and_the_process_goes_on(
    settings_factory, sessions: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    first = await start_ops(
        settings_factory(health_port=0), sessions, Metrics(), "run"
    )  # port 0: no server at all
    assert first.server is None
    holder = HealthServer("run", sessions, Metrics(), Heartbeat())
    await holder.start("127.0.0.1", 0)
    try:
        with caplog.at_level(logging.ERROR):
            ops = await start_ops(
                settings_factory(health_port=holder.port), sessions, Metrics(), "schedule"
            )
        assert ops.server is None
        assert "cannot serve /healthz" in caplog.text
        await ops.close()
    finally:
        await holder.close()
        await first.close()
