"""Outbox upkeep: finished history older than the keep window is pruned, what is pending or
recent stays; on PostgreSQL a new alert wakes a listening deliver worker at commit."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core.alert import AlertKind
from bot.deliver.prune import prune_once
from bot.deliver.wakeup import listen_for_work
from storage.engine import make_engine, make_sessionmaker, upgrade_schema
from storage.models import Alert, Delivery
from storage.repos import chats as chat_repo
from storage.repos import outbox
from storage.types import utcnow

DAY = timedelta(days=1)


async def queue(
    sessions: async_sessionmaker[AsyncSession], key: str, status: str, age: timedelta
) -> None:
    async with sessions() as s, s.begin():
        await chat_repo.ensure(s, 1, type_="private", language="uk")
        alert, _ = await outbox.ensure_alert(s, kind=AlertKind.MATCH, dedupe_key=key, payload={})
        alert.created_at = utcnow() - age
        s.add(
            Delivery(
                alert_id=alert.id,
                chat_id=1,
                status=status,
                not_before=utcnow() - age,
                sent_at=utcnow() - age if status == outbox.SENT else None,
            )
        )


async def test_finished_deliveries_past_the_keep_window_are_pruned(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await queue(sessions, "old-sent", outbox.SENT, 40 * DAY)
    await queue(sessions, "old-failed", outbox.FAILED, 35 * DAY)
    await queue(sessions, "old-pending", outbox.PENDING, 40 * DAY)  # never sent: kept
    await queue(sessions, "new-sent", outbox.SENT, 2 * DAY)
    async with sessions() as s, s.begin():  # an old alert that never had a delivery
        alert, _ = await outbox.ensure_alert(
            s, kind=AlertKind.MATCH, dedupe_key="orphan", payload={}
        )
        alert.created_at = utcnow() - 60 * DAY

    assert await prune_once(sessions, 30 * DAY, batch=1) == (2, 3)
    async with sessions() as s:
        left = {a.dedupe_key for a in await s.scalars(select(Alert))}
        statuses = sorted(d.status for d in await s.scalars(select(Delivery)))
    assert left == {"old-pending", "new-sent"}
    assert statuses == [outbox.PENDING, outbox.SENT]
    assert await prune_once(sessions, 30 * DAY) == (0, 0)


async def test_a_new_alert_wakes_a_listening_worker_on_postgresql(
    pg_engine: AsyncEngine,
) -> None:
    sessions = make_sessionmaker(pg_engine)
    woken, stop = asyncio.Event(), asyncio.Event()
    listener = asyncio.create_task(listen_for_work(pg_engine, woken.set, stop))
    try:
        await asyncio.wait_for(woken.wait(), 10)  # woken once on connecting
        woken.clear()
        async with sessions() as s, s.begin():
            await outbox.ensure_alert(s, kind=AlertKind.MATCH, dedupe_key="k", payload={})
            await asyncio.sleep(0.2)
            assert not woken.is_set()  # not before the commit
        await asyncio.wait_for(woken.wait(), 10)
        woken.clear()
        async with sessions() as s, s.begin():  # the same alert again: nothing new, no wake
            await outbox.ensure_alert(s, kind=AlertKind.MATCH, dedupe_key="k", payload={})
        await asyncio.sleep(0.3)
        assert not woken.is_set()
    finally:
        stop.set()
        await asyncio.wait_for(listener, 10)


async def test_off_postgresql_the_listener_returns_and_workers_poll(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        await upgrade_schema(engine)
        await asyncio.wait_for(listen_for_work(engine, lambda: None, asyncio.Event()), 5)
    finally:
        await engine.dispose()
