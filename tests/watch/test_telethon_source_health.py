"""The Telethon source tells source health each channel's reconcile outcome, and counts
FloodWaits through its callback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.ingest import IngestService
from bot.matching import SubscriptionMatcher
from bot.ops.metrics import Metrics
from bot.ops.sources import SourceHealthTracker
from bot.services.sources import SourceService
from tests.watch.test_telethon_source import PHOTOS, WATCHED, FakeTelegram, message, started


@pytest.fixture
def tg() -> FakeTelegram:
    return FakeTelegram(PHOTOS)


@pytest.fixture
def ingest(sessions: async_sessionmaker[AsyncSession]) -> IngestService:
    return IngestService(sessions, SubscriptionMatcher())


async def test_reconcile_failures_and_recovery_reach_source_health(
    tg: FakeTelegram,
    ingest: IngestService,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    metrics = Metrics()
    tracker = SourceHealthTracker(sessions, metrics, degraded_after=2, dead_after=3)
    source = await started(tg, ingest, tmp_path, monitor=tracker, on_flood_wait=metrics.flood_wait)
    tg.history[WATCHED] = [message(WATCHED, 1, "перший"), message(WATCHED, 2, "другий")]
    working = tg.iter_messages

    async def broken(*_a: Any, **_kw: Any) -> AsyncIterator[Any]:
        raise OSError("connection reset by Telegram")
        yield  # an async generator, like the real one

    tg.iter_messages = broken  # type: ignore[method-assign]
    for _ in range(3):
        await source.reconcile_all()
    (state,) = await SourceService(sessions).all()
    assert (state.channel, state.state, state.failures) == ("kpszsu", "dead", 3)
    assert state.last_error == "connection reset by Telegram"

    tg.iter_messages = working  # type: ignore[method-assign]
    tg.flood_after = 1
    assert await source.reconcile_all() == 2
    (state,) = await SourceService(sessions).all()
    assert (state.state, state.failures) == ("ok", 0)
    text = metrics.render().decode()
    assert "dozor_flood_waits_total 1.0" in text
    assert 'dozor_source_failures_total{channel="kpszsu"} 3.0' in text


async def test_mtproto_outage_degrades_every_channel(
    tg: FakeTelegram,
    ingest: IngestService,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    """Telegram unreachable: connect() fails before any channel is read, and each watched
    channel still counts the failed pass (degraded, then dead), not a quiet channel."""
    tracker = SourceHealthTracker(sessions, Metrics(), degraded_after=2, dead_after=3)
    source = await started(tg, ingest, tmp_path, monitor=tracker)

    async def unreachable() -> None:
        raise ConnectionError("Connection to Telegram failed 5 time(s)")

    tg.connect = unreachable  # type: ignore[method-assign]
    await source.reconcile_all()
    await source.reconcile_all()
    (state,) = await SourceService(sessions).all()
    assert (state.channel, state.state, state.failures) == ("kpszsu", "degraded", 2)
    assert state.last_error is not None and "Connection to Telegram failed" in state.last_error
    await source.reconcile_all()
    (state,) = await SourceService(sessions).all()
    assert (state.state, state.failures) == ("dead", 3)
