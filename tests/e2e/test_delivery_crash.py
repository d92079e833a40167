"""kill -9 of a real `dozor deliver` process mid-way, then a restart: every alert arrives and
none twice, as the loopback server's call log shows.

The kill lands while the worker is idle between two sends (global rate 1/s, one request at a
time): the last answer came 0.4 s before and the next send is due 0.6 s later, so the kill is
not inside the one window where a duplicate is possible (Telegram accepted, ``mark_sent`` not
yet committed; see bot/deliver/dispatcher.py). A duplicate here is therefore a real bug."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repos import outbox
from tests.botapi import BotApiServer
from tests.botapi import Limits as ServerLimits
from tests.botapi.fixtures import TEST_TOKEN
from tests.delivery_kit import ingest_service, ok_calls, post, seed, sent_per_chat

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
CHATS = [7001 + i for i in range(8)]


async def _start(db_url: str, srv: BotApiServer, tmp: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": db_url,
        "BOT_TOKEN": TEST_TOKEN,
        "TELEGRAM_API_URL": srv.base_url,
        "TELEGRAM_FILE_URL": srv.base_file_url,
        "MEDIA_DIR": str(tmp / "media"),
        "RATE_GLOBAL_PER_S": "1",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "deliver",
        "--lease",
        "2",
        "--concurrency",
        "1",
        "--poll",
        "0.1",
        cwd=tmp,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
    )


async def test_kill9_mid_way_then_restart_delivers_each_once(
    db_url: str, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await seed(sessions, CHATS)
    await ingest_service(sessions).new_posts([post(1)])
    async with BotApiServer(limits=ServerLimits()) as srv:
        proc = await _start(db_url, srv, tmp_path)
        try:
            await srv.wait_for(lambda _: len(ok_calls(srv)) >= 3, timeout=30)
            last = ok_calls(srv)[-1]
            await asyncio.sleep(max(0.0, last.at + 0.4 - time.monotonic()))
            sends_before_kill = len(srv.calls_of("sendMessage"))
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        # The premise: nothing was on its way when the process died.
        assert sends_before_kill == 3
        assert all(c.outcome == "ok" for c in srv.calls_of("sendMessage"))
        assert len(sent_per_chat(srv)) == 3

        proc = await _start(db_url, srv, tmp_path)
        try:
            await srv.wait_for(lambda _: len(ok_calls(srv)) >= len(CHATS), timeout=40)
            await asyncio.sleep(1.5)  # time enough for a duplicate to show up
            proc.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(proc.wait(), timeout=15) == 0
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        assert sent_per_chat(srv) == {c: 1 for c in CHATS}
        assert srv.count_429 == 0
    async with sessions() as session:
        assert await outbox.counts(session) == {outbox.SENT: len(CHATS)}
