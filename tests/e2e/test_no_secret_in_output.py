"""No secret in any output: the real `dozor run`, `serve` and `deliver`, at DEBUG, against a
Bot API that refuses the token (401) or a TELEGRAM_API_URL that is wrong (404), end with one
clean line, and neither stdout nor stderr contains the token, TG_API_HASH or the database
password."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

import pytest

from bot import logsafe
from bot.config import Settings
from tests.botapi import BotApiServer

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "7654321:AAHfakeSecretToken_abcdefghijklmnopqrstuv"
API_HASH = "0123456789abcdef-api-hash-secret"
DB_PASSWORD = "db-pass-w0rd-secret"


def _with_password(db_url: str) -> str:
    # The throwaway cluster trusts local connections, so the password is carried, not checked.
    if db_url.startswith("postgresql+asyncpg://postgres@"):
        return db_url.replace("postgres@", f"postgres:{DB_PASSWORD}@", 1)
    return db_url


async def _dozor(command: str, api_url: str, db_url: str, tmp: Path) -> tuple[int, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": TOKEN,
        "TG_API_ID": "12345",
        "TG_API_HASH": API_HASH,
        "TELEGRAM_API_URL": api_url,
        "DATABASE_URL": _with_password(db_url),
        "LOG_LEVEL": "DEBUG",
        "SOURCES": "",
        "MEDIA_DIR": str(tmp / "media"),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        command,
        cwd=tmp,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode is not None
    return proc.returncode, out.decode() + err.decode()


@pytest.mark.parametrize("command", ["run", "serve", "deliver"])
@pytest.mark.parametrize("fault", ["revoked token", "wrong api url"])
async def test_refused_token_ends_in_one_clean_line_without_secrets(
    command: str, fault: str, db_url: str, tmp_path: Path
) -> None:
    from tests.conftest import reset_database

    await reset_database(db_url)
    async with BotApiServer(token="1:the-token-telegram-expects") as srv:
        api_url = f"{srv.url}/bot" if fault == "revoked token" else f"{srv.url}/nothing-here/bot"
        code, output = await _dozor(command, api_url, db_url, tmp_path)
    assert code == 2, output[-2000:]
    for secret in (TOKEN, TOKEN.split(":")[1], API_HASH, DB_PASSWORD):
        assert secret not in output
    # DEBUG logs may show a library's handled traceback (masked); the process itself ends
    # with one plain line, not an uncaught traceback.
    assert output.strip().splitlines()[-1].startswith("dozor: Telegram refused BOT_TOKEN")
    if fault == "revoked token":  # PTB did talk, at DEBUG, and said where: masked
        assert "Set Bot API URL" in output and "/bot***" in output


def test_tracebacks_and_arguments_are_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(_env_file=None, bot_token="42:short-but-secret", tg_api_hash=API_HASH)  # type: ignore[call-arg]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(logsafe.LOG_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        logsafe.install(settings)
        log = logging.getLogger("some.library")
        try:
            raise RuntimeError(f"The token `42:short-but-secret` was rejected ({API_HASH})")
        except RuntimeError:
            log.error("failed with %s", "42:short-but-secret", exc_info=True)
        log.error("url postgresql://user:hunter2-pass@db/x and token %s", TOKEN)
    finally:
        root.removeHandler(handler)
    err = capsys.readouterr().err
    assert "short-but-secret" not in err and API_HASH not in err and TOKEN not in err
    assert "hunter2-pass" not in err
    assert "Traceback" in err and "RuntimeError" in err and "***" in err
