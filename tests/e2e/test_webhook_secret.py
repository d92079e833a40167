"""`dozor serve --webhook-url`: never without WEBHOOK_SECRET, and a forged update POSTed to the
webhook (no secret header, or a wrong one) is answered 403 and changes nothing."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.compose.processes import serve_forever
from bot.deliver.process import WebhookOptions
from bot.errors import ConfigError
from storage.engine import make_engine, make_sessionmaker
from storage.models import Subscription
from tests.botapi import BotApiServer

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret-webhook_token-0123456789"
ATTACKER = 4242


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _update(update_id: int, text: str) -> dict[str, Any]:
    command = text.split(maxsplit=1)[0]
    chat = {"id": ATTACKER, "type": "private", "first_name": "Mallory"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": ATTACKER, "is_bot": False, "first_name": "Mallory"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
        },
    }


def _cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {
        **{k: v for k, v in os.environ.items() if k != "WEBHOOK_SECRET"},
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": "1:x",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_serve_webhook_refuses_to_start_without_secret(tmp_path: Path) -> None:
    done = _cli(tmp_path, "serve", "--webhook-url", "https://example.org/hook")
    assert done.returncode == 2
    assert "WEBHOOK_SECRET" in done.stderr
    assert "Traceback" not in done.stderr


def test_serve_has_no_secret_flag(tmp_path: Path) -> None:
    # A secret on the command line is visible to every user in `ps`.
    done = _cli(tmp_path, "serve", "--webhook-url", "https://x.org/h", "--secret-token", SECRET)
    assert done.returncode == 2
    assert "unrecognized arguments" in done.stderr


def test_a_short_webhook_secret_is_refused_without_echoing_it(tmp_path: Path) -> None:
    done = _cli(
        tmp_path, "serve", "--webhook-url", "https://x.org/h", WEBHOOK_SECRET="short-secret"
    )
    assert done.returncode == 2
    assert "WEBHOOK_SECRET" in done.stderr
    assert "short-secret" not in done.stderr


async def test_serve_forever_without_secret_raises(settings_factory: Any) -> None:
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET"):
        await serve_forever(settings_factory(), WebhookOptions(url="https://example.org/hook"))


async def _subscriptions(url: str) -> int:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            return int(await session.scalar(select(func.count()).select_from(Subscription)) or 0)
    finally:
        await engine.dispose()


async def test_webhook_answers_403_to_forged_updates(settings_factory: Any, db_url: str) -> None:
    from tests.conftest import reset_database

    await reset_database(db_url)
    port = _free_port()
    async with BotApiServer() as srv:
        settings = settings_factory(
            database_url=db_url,
            telegram_api_url=srv.base_url,
            telegram_file_url=srv.base_file_url,
            webhook_secret=SECRET,
        )
        stop = asyncio.Event()
        hook = WebhookOptions(
            url="https://bot.example.org/hook", listen="127.0.0.1", port=port, url_path="hook"
        )
        serve = asyncio.create_task(serve_forever(settings, hook, stop=stop))
        try:
            await srv.wait_for(lambda calls: any(c.method == "setWebhook" for c in calls), 20)
            assert srv.store.webhook is not None
            assert srv.store.webhook["secret_token"] == SECRET  # Telegram is told the secret
            url = f"http://127.0.0.1:{port}/hook"
            async with httpx.AsyncClient(timeout=10) as client:
                for _ in range(100):  # the listener starts right after setWebhook
                    try:
                        await client.get(url)
                        break
                    except httpx.ConnectError:
                        await asyncio.sleep(0.05)
                forged = [
                    await client.post(url, json=_update(1, "/track Sudzha")),
                    await client.post(
                        url,
                        json=_update(2, "/track Sudzha"),
                        headers={"X-Telegram-Bot-Api-Secret-Token": "guess-" + SECRET},
                    ),
                    await client.post(
                        url,
                        json=_update(3, "/track Sudzha"),
                        headers={"X-Telegram-Bot-Api-Secret-Token": ""},
                    ),
                ]
                assert [r.status_code for r in forged] == [403, 403, 403]
                genuine = await client.post(
                    url,
                    json=_update(4, "/start"),
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                )
                assert genuine.status_code == 200
            # The genuine update is answered; none of the forged ones was run.
            await srv.wait_for(lambda _: srv.calls_of("sendMessage", ATTACKER), timeout=10)
            assert len(srv.calls_of("sendMessage", ATTACKER)) == 1
            assert await _subscriptions(db_url) == 0
        finally:
            stop.set()
            await asyncio.wait_for(serve, timeout=20)
