"""`dozor run` (SQLite) stopped with SIGTERM in the middle of a burst, the watcher ingesting
and the dispatcher sending: it exits cleanly within ten seconds, and once started again it
delivers the rest: nothing lost, nothing twice (counted from the Bot API server's log)."""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.engine import make_engine, make_sessionmaker, upgrade_schema
from tests.botapi import BotApiServer
from tests.deliver_proc import env_for, lost_and_duplicated, start
from tests.delivery_kit import ok_calls, seed
from tests.tme import FakeTme

pytestmark = pytest.mark.slow
CHATS = [30_001 + i for i in range(200)]
POSTS = range(1, 11)


async def test_sigterm_under_a_burst_stops_within_10s_and_loses_nothing(tmp_path: Path) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'dozor.sqlite3'}"
    engine = make_engine(db_url)
    await upgrade_schema(engine)
    await seed(make_sessionmaker(engine), CHATS)
    await engine.dispose()
    async with BotApiServer() as srv, FakeTme() as tme:
        for n in POSTS:
            tme.publish("burst_test", f"Report {n}: fighting near Kursk.", date=datetime.now(UTC))
        env = env_for(
            db_url,
            srv,
            tmp_path,
            TELEGRAM_WEB_URL=tme.base_url,
            SOURCES="burst_test",
            WEB_POLL_SECONDS="0.5",
            RATE_GLOBAL_PER_S="1000",
            RATE_PRIVATE_PER_S="1000",
        )
        proc = await start(env, tmp_path, "run", log_name="run.log")
        try:
            await srv.wait_for(lambda _: len(ok_calls(srv)) >= 300, timeout=60)
            proc.send_signal(signal.SIGTERM)
            asked = time.monotonic()
            code = await asyncio.wait_for(proc.wait(), timeout=10)
            took = time.monotonic() - asked
            assert code == 0
            sent_before = len(ok_calls(srv))
            proc = await start(env, tmp_path, "run", log_name="run.log")
            total = len(CHATS) * len(POSTS)
            await srv.wait_for(lambda _: len(ok_calls(srv)) >= total, timeout=120)
            await asyncio.sleep(1.5)
            proc.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(proc.wait(), timeout=10) == 0
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        assert lost_and_duplicated(srv, CHATS, POSTS) == (0, 0)
    assert sent_before < total  # the stop came mid-way
    assert took < 10
    assert "Traceback" not in (tmp_path / "run.log").read_text()
