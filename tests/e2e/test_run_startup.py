"""`dozor run` starting while the Bot API is unreachable, then refusing (502 on getMe, 429 and
500 on setMyCommands): it retries with back-off, one log line per attempt, never exits with a
traceback; the watcher archives and queues meanwhile, and the alert goes out once the Bot
API is back, exactly once."""

from __future__ import annotations

import asyncio
import re
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.engine import make_engine, make_sessionmaker, upgrade_schema
from storage.models import Post as PostRow
from tests.botapi import BotApiServer, retry_after, server_error
from tests.deliver_proc import env_for, start
from tests.delivery_kit import seed
from tests.tme import FakeTme

pytestmark = pytest.mark.slow
USER = 4242


async def test_run_waits_out_an_unreachable_then_refusing_bot_api(tmp_path: Path) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'dozor.sqlite3'}"
    engine = make_engine(db_url)
    await upgrade_schema(engine)
    sessions = make_sessionmaker(engine)
    await seed(sessions, [USER])
    async with BotApiServer() as srv, FakeTme() as tme:
        await srv.go_down()
        srv.fail_next("getMe", kind=server_error(502))
        srv.fail_next("setMyCommands", kind=retry_after(1))
        srv.fail_next("setMyCommands", kind=server_error(500))
        env = env_for(
            db_url,
            srv,
            tmp_path,
            TELEGRAM_WEB_URL=tme.base_url,
            SOURCES="mod_test",
            WEB_POLL_SECONDS="0.3",
            RETRY_CAP_SECONDS="1",
        )
        proc = await start(env, tmp_path, "run", log_name="run.log")
        try:
            tme.publish(
                "mod_test", "Report 1: fighting near Kursk continues.", date=datetime.now(UTC)
            )
            # The watcher runs although the bot could not start: the post is archived.
            for _ in range(100):
                async with sessions() as session:
                    if await session.scalar(select(func.count()).select_from(PostRow)):
                        break
                await asyncio.sleep(0.2)
            else:
                raise AssertionError("the watcher stored nothing while the Bot API was down")
            assert proc.returncode is None
            assert not srv.sent_messages()
            await srv.come_back()
            await srv.wait_for_sent(1, chat_id=USER, timeout=30)
            await asyncio.sleep(1.5)
        finally:
            proc.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(proc.wait(), timeout=15)
        await engine.dispose()
        assert len(srv.sent_messages(USER)) == 1
        assert [c.status for c in srv.calls_of("getMe")][:2] == [502, 200]
        assert [c.status for c in srv.calls_of("setMyCommands")][:2] == [429, 500]
    log = (tmp_path / "run.log").read_text()
    assert code == 0, log
    assert "Traceback" not in log
    failed = re.findall(r"Bot API start-up \(getMe, setMyCommands\): attempt (\d+) failed", log)
    # Unreachable a few times, then the 502, the 429 and the 500: one line for each.
    assert len(failed) >= 4
    assert [int(n) for n in failed] == list(range(1, len(failed) + 1))
    assert "succeeded on attempt" in log
