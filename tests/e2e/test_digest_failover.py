"""`dozor schedule` as real processes on one PostgreSQL: a leader and a standby. The leader is
killed with SIGKILL after one chat's digest; the standby takes the advisory lock and sends the
next chat's digest. The loopback Bot API server proves each chat got its digest exactly once.

Delivery runs as two `dozor deliver` processes, and again in this test process
(``bot.app.build_dispatcher`` + ``PtbSender``, what ``dozor run`` uses), reading the same
outbox the schedulers fill.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update
from telegram import Bot

from bot.app import Core, build_core, build_dispatcher
from bot.config import Settings
from bot.core.post import Post
from bot.deliver.pacing import Limits, Pacer
from bot.deliver.render import Rendered
from bot.deliver.sender import PtbSender
from storage.engine import upgrade_schema
from storage.models import Chat, DigestRun
from storage.types import utcnow
from tests.botapi import BotApiServer
from tests.conftest import reset_database
from tests.digest.test_digest_content import track

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-digest-failover"
FIRST, SECOND = 9101, 9102

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def _settings(pg_url: str, srv: BotApiServer, media: Path) -> Settings:
    return Settings(
        _env_file=None,
        database_url=pg_url,
        bot_token=TOKEN,  # type: ignore[call-arg]
        telegram_api_url=srv.base_url,
        media_dir=media,
    )


def _env(pg_url: str, srv: BotApiServer, media: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": pg_url,
        "TELEGRAM_API_URL": srv.base_url,
        "BOT_TOKEN": TOKEN,
        "MEDIA_DIR": str(media),
        "LOG_LEVEL": "INFO",
    }


async def _spawn(env: dict[str, str], log: Path, *args: str) -> asyncio.subprocess.Process:
    with log.open("wb") as err:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=err,
        )


async def _schedule(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    return await _spawn(env, log, "schedule", "--refresh", "1", "--lock-poll", "0.5")


class _NoSender:
    async def send(self, chat_id: int, thread_id: int, msg: Rendered) -> int:
        raise AssertionError("not for sending")


@contextlib.asynccontextmanager
async def _delivery(
    mode: str, core: Core, srv: BotApiServer, env: dict[str, str], tmp_path: Path
) -> AsyncIterator[None]:
    """Outbox delivery for the test's duration: two `dozor deliver` processes, or the same
    dispatcher in this process."""
    if mode == "deliver-processes":
        assert "digest" in build_dispatcher(core, _NoSender()).renderers
        workers = [
            await _spawn(env, tmp_path / f"deliver{i}.log", "deliver", "--poll", "0.2")
            for i in range(2)
        ]
        async with _killing(*workers):
            yield
            for w in workers:
                w.send_signal(signal.SIGTERM)
            assert [await asyncio.wait_for(w.wait(), 15) for w in workers] == [0, 0]
        return
    bot = Bot(TOKEN, base_url=srv.base_url, base_file_url=srv.base_file_url)
    dispatcher = build_dispatcher(
        core,
        PtbSender(bot, core.settings.media_dir),
        Pacer(Limits(1e6, 1e6, 1e6, 1e6)),
        idle_poll=0.2,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run(stop))
    try:
        yield
    finally:
        stop.set()
        await task
        await bot.shutdown()


def _read(log: Path) -> str:
    return log.read_text(errors="replace") if log.exists() else ""


async def _wait_log(log: Path, needle: str, seconds: float = 30.0) -> None:
    for _ in range(int(seconds / 0.1)):
        if needle in _read(log):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{log.name}: no {needle!r} in {seconds}s:\n{_read(log)[-3000:]}")


def _zone() -> ZoneInfo:
    """A zone where it is now far from midnight, so "in a few seconds" is still today."""
    for name in ("Europe/Kyiv", "America/New_York", "Asia/Tokyo"):
        if 2 <= utcnow().astimezone(ZoneInfo(name)).hour <= 20:
            return ZoneInfo(name)
    raise AssertionError("unreachable: the zones are 7+ hours apart")


ZONE = _zone()


def _local_in(seconds: float) -> time:
    return (utcnow() + timedelta(seconds=seconds)).astimezone(ZONE).time().replace(microsecond=0)


def _digests(srv: BotApiServer, chat_id: int) -> tuple[list[dict[str, Any]], list[Any]]:
    msgs = srv.sent_messages(chat_id)
    texts = [m for m in msgs if str(m.get("text", "")).startswith("🗞")]
    photos = [m for m in msgs if m.get("photo")]
    return texts, photos


@contextlib.asynccontextmanager
async def _killing(*procs: asyncio.subprocess.Process) -> AsyncIterator[None]:
    try:
        yield
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()


@pytest.mark.parametrize("mode", ["deliver-processes", "in-process"])
async def test_standby_sends_the_next_digest_after_the_leader_is_killed(
    pg_url: str, tmp_path: Path, mode: str
) -> None:
    await reset_database(pg_url)
    media = tmp_path / "media"
    async with BotApiServer() as srv:
        core = build_core(_settings(pg_url, srv, media))
        await upgrade_schema(core.engine)  # before the processes start: no migration race
        for chat_id in (FIRST, SECOND):
            await track(core.sessions, chat_id, ["Курськ"])
        # Something to digest (and to chart): a post from an hour ago.
        await core.ingest.new_posts(
            [
                Post(
                    channel="generalstaffzsu",
                    id=1,
                    date=utcnow() - timedelta(hours=1),
                    text="Оборонна операція у визначених районах на Курщині триває; угруповання "
                    "військ «Курськ» відбило п'ять штурмів.",
                )
            ]
        )
        async with core.sessions() as session, session.begin():
            # Not due for a while (and created now: no earlier digest to catch up on).
            await session.execute(
                update(Chat).values(digest_time=_local_in(900), timezone=ZONE.key)
            )

        env = _env(pg_url, srv, media)
        log_a, log_b = tmp_path / "leader.log", tmp_path / "standby.log"
        leader = await _schedule(env, log_a)
        async with _killing(leader):
            await _wait_log(log_a, "became leader")
            standby = await _schedule(env, log_b)
            async with _killing(standby):
                await _wait_log(log_b, "standing by")
                await asyncio.sleep(1.5)
                assert "became leader" not in _read(log_b)

                async with _delivery(mode, core, srv, env, tmp_path):
                    async with core.sessions() as session, session.begin():
                        await session.execute(
                            update(Chat).where(Chat.id == FIRST).values(digest_time=_local_in(3))
                        )
                        await session.execute(
                            update(Chat).where(Chat.id == SECOND).values(digest_time=_local_in(12))
                        )
                    await srv.wait_for(lambda _: _digests(srv, FIRST)[0], timeout=20)
                    assert "digest for chat 9101" in _read(log_a)
                    leader.send_signal(signal.SIGKILL)
                    await leader.wait()

                    await _wait_log(log_b, "became leader", 15)
                    await srv.wait_for(lambda _: _digests(srv, SECOND)[0], timeout=30)
                    # Both charts too, then some quiet time in which nothing may repeat.
                    await srv.wait_for(
                        lambda _: all(_digests(srv, c)[1] for c in (FIRST, SECOND)), timeout=15
                    )
                    await asyncio.sleep(3)

                for chat_id in (FIRST, SECOND):
                    texts, photos = _digests(srv, chat_id)
                    assert (len(texts), len(photos)) == (1, 1), chat_id
                    assert "Курськ" in texts[0]["text"]
                assert "digest for chat 9102" in _read(log_b)
                assert "digest for chat 9102" not in _read(log_a)
                assert "digest for chat 9101" not in _read(log_b)
                async with core.sessions() as session:
                    runs = await session.scalar(select(func.count()).select_from(DigestRun))
                assert runs == 2

                standby.send_signal(signal.SIGTERM)
                assert await asyncio.wait_for(standby.wait(), 15) == 0
        await core.close()
