"""`dozor deliver` as a real process while its disk is full: every write the worker makes
fails for 6 s, then there is room again. The fault is real, in the worker's own write(2)
calls: its file-size limit (RLIMIT_FSIZE, the soft one, changed from outside with prlimit;
a tmpfs or loop device would need mount rights this sandbox lacks) is dropped to 1 KiB and the
SQLite WAL truncated to nothing, so the next frame it appends cannot be written (EFBIG, which
SQLite reports as "disk I/O error"; ENOSPC reads "database or disk is full"; both are the
same path here). Sends answered meanwhile cannot be marked; their marks wait in memory and
land once there is room. Counted from the loopback server's log: 0 alerts lost, 0 sent twice;
one log line for the outage."""

from __future__ import annotations

import asyncio
import resource
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repos import outbox
from tests.botapi import BotApiServer
from tests.deliver_proc import env_for, lost_and_duplicated, stop
from tests.delivery_kit import ingest_service, ok_calls, post, seed
from tests.disk_kit import empty_wal, limit_file_size

pytestmark = pytest.mark.slow
Sessions = async_sessionmaker[AsyncSession]
ROOM = 1024  # bytes a file of the worker may grow to while the disk is "full"


async def _start_piped(
    env: dict[str, str], tmp: Path, *args: str
) -> tuple[asyncio.subprocess.Process, asyncio.Task[None]]:
    """``python -m bot ARGS`` with its log through a pipe: a log file would be one more file
    under the worker's size limit."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )

    async def pump() -> None:
        assert proc.stderr is not None
        with (tmp / "deliver.log").open("ab") as log:
            while line := await proc.stderr.readline():
                log.write(line)
                log.flush()

    return proc, asyncio.create_task(pump())


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_disk_full_while_delivering_repeats_nothing_and_recovers(
    db_url: str, sessions: Sessions, tmp_path: Path
) -> None:
    chats = [7001 + i for i in range(40)]
    await seed(sessions, chats)
    await ingest_service(sessions).new_posts([post(n) for n in range(1, 4)])
    path = db_url.split("///", 1)[1]
    async with BotApiServer() as srv:
        env = env_for(db_url, srv, tmp_path, RATE_GLOBAL_PER_S="10", RETRY_CAP_SECONDS="1")
        proc, pump = await _start_piped(env, tmp_path, "deliver", "--poll", "0.1", "--lease", "3")
        try:
            await srv.wait_for(lambda _: len(ok_calls(srv)) >= 20, timeout=30)
            limit_file_size(proc.pid, ROOM)
            await asyncio.to_thread(empty_wal, path)
            full_from = len(ok_calls(srv))
            await asyncio.sleep(6)
            sent_while_full = len(ok_calls(srv)) - full_from
            limit_file_size(proc.pid, resource.RLIM_INFINITY)
            room_at = time.monotonic()
            await srv.wait_for(lambda _: len(ok_calls(srv)) >= 3 * len(chats), timeout=60)
            resumed = min(c.at for c in ok_calls(srv) if c.at > room_at) - room_at
            await asyncio.sleep(4.0)  # past a lease: a repeat would show now
            assert await stop(proc) == 0
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            await pump
        assert lost_and_duplicated(srv, chats, range(1, 4)) == (0, 0)
    # Rows claimed before the disk filled still go out (at most a batch: 10/s × 3 s lease / 4);
    # nothing new can be claimed while no write succeeds.
    assert sent_while_full <= 8
    assert resumed < 5
    log = (tmp_path / "deliver.log").read_text()
    assert log.count("database unreachable (") == 1, log  # one line for the outage
    assert "disk I/O error" in log or "database or disk is full" in log  # the fault bit
    assert "database reachable again" in log
    assert "Traceback" not in log and "never retrieved" not in log
    async with sessions() as session:
        assert await outbox.counts(session) == {outbox.SENT: 3 * len(chats)}
