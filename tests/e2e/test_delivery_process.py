"""`dozor serve` and `dozor deliver` as separate parts: the bot answers commands without
sending alerts, the deliver worker sends alerts without answering commands."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from bot.app import start_core
from bot.compose.processes import deliver_forever, serve_forever
from bot.deliver.process import DeliverOptions
from tests.botapi import BotApiServer
from tests.delivery_kit import ingest_service, ok_calls, post, seed

ROOT = Path(__file__).resolve().parents[2]


async def test_serve_answers_and_deliver_sends(settings_factory: Any, db_url: str) -> None:
    from tests.conftest import reset_database

    await reset_database(db_url)
    async with BotApiServer() as srv:
        settings = settings_factory(
            database_url=db_url, telegram_api_url=srv.base_url, telegram_file_url=srv.base_file_url
        )
        core = await start_core(settings)
        await seed(core.sessions, [9001])
        stop = asyncio.Event()
        serve = asyncio.create_task(serve_forever(settings, stop=stop))
        # Alembic's upgrade is not reentrant within one process: start one part at a time.
        await srv.wait_for(lambda calls: any(c.method == "getUpdates" for c in calls), 10)
        deliver = asyncio.create_task(
            deliver_forever(settings, DeliverOptions(idle_poll=0.05), stop=stop)
        )
        try:
            srv.inject_message(9002, "/start", user_id=9002, language_code="en")
            await srv.wait_for(lambda _: ok_calls(srv, 9002), timeout=10)
            # Stored by another process (here: another engine), found by polling the outbox.
            await ingest_service(core.sessions).new_posts([post(1)])
            await srv.wait_for(lambda _: ok_calls(srv, 9001), timeout=10)
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(serve, deliver), timeout=20)
            await core.close()
    assert "Report 1" in str(ok_calls(srv, 9001)[0].params["text"])


def test_several_workers_need_postgresql(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": "1:x",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "deliver", "--workers", "2"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "needs PostgreSQL" in done.stderr
