"""`dozor run` as a real process, configured only by its environment, against the loopback
Bot API and t.me servers: a user tracks a place, the channel posts, the alert arrives with the
map; SIGTERM stops it cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.botapi.server import BotApiServer
from tests.tme import FakeTme

ROOT = Path(__file__).resolve().parents[2]
USER = 777
pytestmark = pytest.mark.slow


def _texts(srv: BotApiServer, chat_id: int) -> list[str]:
    return [
        str(c.params.get("text") or c.params.get("caption") or "")
        for c in srv.calls
        if c.chat_id == chat_id and c.method.startswith("send")
    ]


async def test_dozor_run_tracks_watches_and_alerts(tmp_path: Path) -> None:
    async with BotApiServer() as srv, FakeTme() as tme:
        tme.add_image("map", width=64, height=48)
        tme.publish("genstaff_test", "Старий допис до запуску.")
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'dozor.sqlite3'}",
            "MEDIA_DIR": str(tmp_path / "media"),
            "BOT_TOKEN": "123456:RUN-TEST",
            "TELEGRAM_API_URL": srv.base_url,
            "TELEGRAM_WEB_URL": tme.base_url,
            "SOURCES": "genstaff_test:UA",
            "WEB_POLL_SECONDS": "0.3",
        }
        for key in ("TG_API_ID", "TG_API_HASH"):
            env.pop(key, None)
        log = tmp_path / "run.log"
        with log.open("wb") as err:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                cwd=tmp_path,
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=err,
            )
        try:
            srv.inject_message(USER, "/track Sudzha", user_id=USER, language_code="en")
            await srv.wait_for(lambda _c: any("Sudzha" in t for t in _texts(srv, USER)), timeout=60)
            # Dated now: a live source archives stale posts without alerting.
            post_id = tme.publish(
                "genstaff_test",
                "Бої в районі Суджі тривають.",
                photos=["map"],
                date=datetime.now(UTC),
            )
            await srv.wait_for(lambda _c: bool(srv.calls_of("sendPhoto")), timeout=30)
            (alert,) = srv.calls_of("sendPhoto")
            assert alert.chat_id == USER
            assert f"https://t.me/genstaff_test/{post_id}" in str(alert.params["caption"])
            assert "<b>Суджі</b>" in str(alert.params["caption"])
        finally:
            proc.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(proc.wait(), timeout=30)
        assert code == 0, log.read_text()
        assert "123456:RUN-TEST" not in log.read_text()  # the token never reaches the logs
