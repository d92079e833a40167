"""Helpers for fault tests that run `dozor deliver` (or `dozor run`) as a real process against
the loopback Bot API, and count from the server's log what was lost and what went twice."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.botapi import BotApiServer
from tests.botapi.fixtures import TEST_TOKEN

ROOT = Path(__file__).resolve().parents[1]


def env_for(db_url: str, srv: BotApiServer, tmp: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": db_url,
        "BOT_TOKEN": TEST_TOKEN,
        "TELEGRAM_API_URL": srv.base_url,
        "TELEGRAM_FILE_URL": srv.base_file_url,
        "MEDIA_DIR": str(tmp / "media"),
        "LOG_LEVEL": "INFO",
    }
    for key in ("TG_API_ID", "TG_API_HASH"):
        env.pop(key, None)
    env.update(extra)
    return env


async def start(
    env: dict[str, str], tmp: Path, *args: str, log_name: str = "deliver.log"
) -> asyncio.subprocess.Process:
    """``python -m bot ARGS`` with stderr appended to ``tmp/log_name``."""
    with (tmp / log_name).open("ab") as err:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=tmp,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=err,
        )


async def stop(proc: asyncio.subprocess.Process, timeout: float = 15.0) -> int:  # noqa: ASYNC109
    if proc.returncode is None:
        proc.terminate()
    try:
        return await asyncio.wait_for(proc.wait(), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise


def sent_reports(srv: BotApiServer) -> Counter[tuple[int, int]]:
    """(chat, report number) of every alert the server accepted, with how often."""
    found: Counter[tuple[int, int]] = Counter()
    for m in srv.sent_messages():
        number = re.search(r"Report (\d+):", str(m.get("text") or m.get("caption") or ""))
        if number:
            found[(int(m["chat"]["id"]), int(number.group(1)))] += 1
    return found


def lost_and_duplicated(srv: BotApiServer, chats: list[int], posts: range) -> tuple[int, int]:
    sent = sent_reports(srv)
    expected = {(c, n) for c in chats for n in posts}
    lost = len(expected - set(sent))
    duplicated = sum(n - 1 for n in sent.values() if n > 1)
    return lost, duplicated


class DbProxy:
    """A loopback TCP proxy in front of PostgreSQL that a test can take down: ``cut()``
    closes the port and every open connection (the database is unreachable), ``restore()``
    listens again on the same port."""

    def __init__(self, pg_url: str) -> None:
        parts = urlsplit(pg_url.replace("postgresql+asyncpg", "postgresql", 1))
        self._socket_dir = parse_qs(parts.query).get("host", [None])[0]
        self._target = (parts.hostname or "127.0.0.1", parts.port or 5432)
        self._user = parts.username or "postgres"
        self._db = parts.path.lstrip("/")
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://{self._user}@127.0.0.1:{self.port}/{self._db}"

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._socket_dir:
            return await asyncio.open_unix_connection(f"{self._socket_dir}/.s.PGSQL.5432")
        return await asyncio.open_connection(*self._target)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await self._connect()
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        self._writers -= {writer, up_writer}

    async def restore(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
