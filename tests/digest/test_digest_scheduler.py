"""The APScheduler-driven scheduler against a real database: punctual runs, catch-up after
downtime exactly once, and leader election with PostgreSQL advisory locks."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.digest.leader import Leadership, lead
from bot.digest.scheduler import DigestScheduler
from bot.digest.service import DigestService
from bot.matching import SubscriptionMatcher
from bot.media import MediaStore
from storage.models import Alert, Chat, Delivery, DigestRun
from storage.types import utcnow
from tests.digest.test_digest_content import track

Sessions = async_sessionmaker[AsyncSession]


async def _chat(sessions: Sessions, chat_id: int, at: time, created: datetime) -> None:
    await track(sessions, chat_id, ["Курськ"])
    async with sessions() as session, session.begin():
        await session.execute(
            update(Chat)
            .where(Chat.id == chat_id)
            .values(digest_time=at, timezone=ZONE.key, created_at=created)
        )


def _service(sessions: Sessions, tmp_path: Path) -> DigestService:
    return DigestService(
        sessions, SubscriptionMatcher(), MediaStore(tmp_path / "media"), default_tz="Europe/Kyiv"
    )


async def _runs(sessions: Sessions) -> list[tuple[int, object]]:
    async with sessions() as session:
        return [
            (r.chat_id, r.day)
            for r in await session.scalars(
                select(DigestRun).order_by(DigestRun.chat_id, DigestRun.day)
            )
        ]


async def _digests(sessions: Sessions) -> int:
    async with sessions() as session:
        n = await session.scalar(
            select(func.count())
            .select_from(Delivery)
            .join(Alert, Alert.id == Delivery.alert_id)
            .where(Alert.kind == "digest")
        )
    return int(n or 0)


async def _until(predicate: object, seconds: float = 15.0) -> None:
    assert callable(predicate)
    for _ in range(int(seconds / 0.1)):
        if await predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not met in time")


def _zone() -> ZoneInfo:
    """A zone where it is now far from midnight, so "an hour ago" and "in a few seconds"
    are still today there."""
    for name in ("Europe/Kyiv", "America/New_York", "Asia/Tokyo"):
        if 2 <= utcnow().astimezone(ZoneInfo(name)).hour <= 20:
            return ZoneInfo(name)
    raise AssertionError("unreachable: the zones are 7+ hours apart")


ZONE = _zone()


def _local_in(seconds: float) -> time:
    return (utcnow() + timedelta(seconds=seconds)).astimezone(ZONE).time().replace(microsecond=0)


async def test_missed_digest_is_sent_once_after_restart(sessions: Sessions, tmp_path: Path) -> None:
    # Chat 1's time passed an hour ago while nothing ran; chat 2's is hours away.
    yesterday = utcnow() - timedelta(days=1)
    await _chat(sessions, 1, _local_in(-3600), yesterday)
    later = (utcnow() + timedelta(hours=3)).astimezone(ZONE).time().replace(microsecond=0)
    await _chat(sessions, 2, later, yesterday)
    today = utcnow().astimezone(ZONE).date()
    for restart in range(3):
        sched = DigestScheduler(sessions, _service(sessions, tmp_path), refresh_seconds=0.2)
        sched.start()
        try:
            await _until(lambda: _has_runs(sessions, 1))
            await asyncio.sleep(0.6)  # a few more refreshes
            planned = sched.planned()
        finally:
            sched.shutdown()
        assert await _runs(sessions) == [(1, today)], restart
        assert await _digests(sessions) == 1
        assert set(planned) == {1, 2}
        assert planned[1].astimezone(ZONE).date() == today + timedelta(days=1)


async def _has_runs(sessions: Sessions, n: int) -> bool:
    return len(await _runs(sessions)) >= n


async def test_digest_job_fires_at_the_chat_time(sessions: Sessions, tmp_path: Path) -> None:
    at = _local_in(3)
    await _chat(sessions, 7, at, utcnow() - timedelta(days=1))
    due = datetime.combine(utcnow().astimezone(ZONE).date(), at, tzinfo=ZONE)
    # Refreshes are rare here: only the chat's own job can send the digest on time.
    sched = DigestScheduler(sessions, _service(sessions, tmp_path), refresh_seconds=3600)
    sched.start()
    try:
        await asyncio.sleep(0.5)
        assert await _runs(sessions) == []
        assert sched.planned()[7] == due.astimezone(UTC)
        await _until(lambda: _has_runs(sessions, 1), 10)
        async with sessions() as session:
            run = await session.scalar(select(DigestRun))
        assert run is not None and run.created_at >= due
        assert run.created_at - due < timedelta(seconds=3)
        await asyncio.sleep(0.3)
        assert sched.planned()[7] == (due + timedelta(days=1)).astimezone(UTC)
    finally:
        sched.shutdown()
    assert await _digests(sessions) == 1


async def test_leader_election(engine: AsyncEngine, db_url: str) -> None:
    a, b = Leadership(engine), Leadership(engine)
    try:
        assert await a.try_acquire()
        if engine.dialect.name != "postgresql":
            return  # one process: always the leader
        assert not await b.try_acquire()
        assert await a.still_held()
        await a.release()
        assert await b.try_acquire()
        assert not await a.try_acquire()
    finally:
        await a.release()
        await b.release()


async def test_standby_takes_over_when_the_leader_stops(pg_engine: AsyncEngine) -> None:
    engine = pg_engine
    working: list[str] = []

    def starter(name: str) -> object:
        def start() -> object:
            working.append(name)
            return lambda: working.remove(name)

        return start

    stop_a, stop_b = asyncio.Event(), asyncio.Event()
    task_a = asyncio.create_task(
        lead(
            Leadership(engine),
            stop_a,
            starter("a"),  # type: ignore[arg-type]
            poll_seconds=0.1,
        )
    )
    await asyncio.sleep(0.3)
    task_b = asyncio.create_task(
        lead(
            Leadership(engine),
            stop_b,
            starter("b"),  # type: ignore[arg-type]
            poll_seconds=0.1,
        )
    )
    await asyncio.sleep(0.5)
    assert working == ["a"]
    stop_a.set()
    await task_a
    await asyncio.sleep(0.5)
    assert working == ["b"]
    stop_b.set()
    await task_b
    assert working == []


async def test_run_scheduler_in_one_process_on_sqlite(
    settings_factory: object, tmp_path: Path
) -> None:
    from bot.app import digests, start_core

    assert callable(settings_factory)
    core = await start_core(settings_factory())
    try:
        await _chat(core.sessions, 3, _local_in(2), utcnow())
        stop = asyncio.Event()
        task = asyncio.create_task(digests(core, stop, refresh_seconds=0.5, lock_poll=0.2))
        await _until(lambda: _has_runs(core.sessions, 1), 10)
        stop.set()
        await asyncio.wait_for(task, 5)
        assert core.wakeup.is_set()  # the dispatcher is told at once
        assert await _digests(core.sessions) == 1
    finally:
        await core.close()
