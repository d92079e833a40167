"""`dozor deliver` as a real process through outages: the Bot API down for 20 s (far longer
than the capped back-off, RETRY_CAP_SECONDS=2), the SQLite file locked by another process for
longer than its busy timeout, and the file made unwritable while alerts go out. Each counts,
from the loopback server's log, alerts lost and alerts sent twice: 0 and 0."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.engine import make_sessionmaker
from storage.repos import outbox
from tests.botapi import BotApiServer
from tests.deliver_proc import DbProxy, env_for, lost_and_duplicated, start, stop
from tests.delivery_kit import ingest_service, ok_calls, post, seed

pytestmark = pytest.mark.slow
Sessions = async_sessionmaker[AsyncSession]
CHATS = [7001 + i for i in range(20)]


def _log(tmp: Path) -> str:
    return (tmp / "deliver.log").read_text()


async def _all_sent(sessions: Sessions, count: int) -> None:
    async with sessions() as session:
        assert await outbox.counts(session) == {outbox.SENT: count}


async def test_bot_api_down_20s_loses_nothing_and_resumes_at_once(
    db_url: str, sessions: Sessions, tmp_path: Path
) -> None:
    await seed(sessions, CHATS)
    ingest = ingest_service(sessions)
    await ingest.new_posts([post(1), post(2)])
    async with BotApiServer() as srv:
        env = env_for(db_url, srv, tmp_path, RETRY_CAP_SECONDS="2", RATE_GLOBAL_PER_S="10")
        proc = await start(env, tmp_path, "deliver", "--poll", "0.1")
        try:
            await srv.wait_for(lambda _: len(ok_calls(srv)) >= 10, timeout=30)
            await srv.go_down()
            down_at = time.monotonic()
            await ingest.new_posts([post(3), post(4)])  # queued during the outage
            await asyncio.sleep(20)
            await srv.come_back()
            up_at = time.monotonic()
            await srv.wait_for(lambda _: len(ok_calls(srv)) >= 4 * len(CHATS), timeout=60)
            await asyncio.sleep(1.0)  # time enough for a duplicate to show up
            assert await stop(proc) == 0
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        first_after = min(c.at for c in ok_calls(srv) if c.at > up_at)
        assert lost_and_duplicated(srv, CHATS, range(1, 5)) == (0, 0)
    assert up_at - down_at >= 20
    assert first_after - up_at < 2 + 1.5  # the capped back-off, plus a claim
    log = _log(tmp_path)
    assert log.count("Bot API unreachable") == 1  # one line for the outage, not one a retry
    assert log.count("Bot API reachable again") == 1
    assert "Traceback" not in log
    await _all_sent(sessions, 4 * len(CHATS))


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_sqlite_locked_longer_than_busy_timeout_repeats_nothing(
    db_url: str, sessions: Sessions, engine: AsyncEngine, tmp_path: Path
) -> None:
    """Another process holds the write lock 8 s; writes give up after 1 s (SQLITE_BUSY_SECONDS)
    so sends answered meanwhile cannot be marked at once: their marks wait in memory and
    land after the lock is gone; none is sent again."""
    await seed(sessions, CHATS)
    await ingest_service(sessions).new_posts([post(n) for n in range(1, 4)])
    async with BotApiServer() as srv:
        env = env_for(db_url, srv, tmp_path, RATE_GLOBAL_PER_S="4", SQLITE_BUSY_SECONDS="1")
        proc = await start(env, tmp_path, "deliver", "--poll", "0.1", "--lease", "3")
        try:
            await srv.wait_for(lambda _: len(ok_calls(srv)) >= 8, timeout=30)
            path = db_url.split("///", 1)[1]
            locker = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                "import sqlite3,sys,time;c=sqlite3.connect(sys.argv[1],isolation_level=None);"
                "c.execute('BEGIN EXCLUSIVE');print('locked',flush=True);time.sleep(8);"
                "c.execute('COMMIT')",
                path,
                stdout=asyncio.subprocess.PIPE,
            )
            assert locker.stdout is not None
            assert (await locker.stdout.readline()).strip() == b"locked"
            sent_while_locked = len(ok_calls(srv))
            await asyncio.wait_for(locker.wait(), 30)
            await srv.wait_for(lambda _: len(ok_calls(srv)) >= 3 * len(CHATS), timeout=60)
            await asyncio.sleep(4.0)  # past a lease: a repeat would show now
            assert await stop(proc) == 0
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        assert lost_and_duplicated(srv, CHATS, range(1, 4)) == (0, 0)
    log = _log(tmp_path)
    assert "database unreachable (" in log and "database is locked" in log
    assert "late 'sent' marks written" in log  # the fault bit: answered sends waited to be marked
    assert sent_while_locked < 3 * len(CHATS)
    assert "Traceback" not in log and "never retrieved" not in log
    await _all_sent(sessions, 3 * len(CHATS))


def _unwritable(path: str, on: bool) -> None:
    """The file refuses writers (root ignores file modes, so the immutable flag then)."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i" if on else "-i", path], check=True)
    else:
        os.chmod(path, 0o444 if on else 0o644)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_sqlite_file_unwritable_for_a_while_repeats_nothing_and_recovers(
    db_url: str, sessions: Sessions, engine: AsyncEngine, tmp_path: Path
) -> None:
    """The worker is delivering when the file becomes unwritable, and is restarted during
    that time (as a supervisor would after a crash), so its pool opens connections while
    the file refuses writers: SQLite opens those read-only, for good. They must be discarded
    once the file is writable again, and everything sent, once."""
    chats = [7001 + i for i in range(40)]
    await seed(sessions, chats)
    await ingest_service(sessions).new_posts([post(n) for n in range(1, 4)])
    async with engine.begin() as conn:  # the WAL folded in: the file itself takes the writes
        await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    path = db_url.split("///", 1)[1]
    async with BotApiServer() as srv:
        env = env_for(db_url, srv, tmp_path, RATE_GLOBAL_PER_S="10", RETRY_CAP_SECONDS="1")
        proc = await start(env, tmp_path, "deliver", "--poll", "0.1", "--lease", "3")
        try:
            await srv.wait_for(lambda _: len(ok_calls(srv)) >= 20, timeout=30)
            _unwritable(path, True)
            try:
                assert await stop(proc) == 0  # sends under way are marked on the way out
                before_restart = len(ok_calls(srv))
                proc = await start(env, tmp_path, "deliver", "--poll", "0.1", "--lease", "3")
                await asyncio.sleep(5)
                sent_while_unwritable = len(ok_calls(srv)) - before_restart
            finally:
                _unwritable(path, False)
            writable_at = time.monotonic()
            await srv.wait_for(lambda _: len(ok_calls(srv)) >= 3 * len(chats), timeout=60)
            resumed = min(c.at for c in ok_calls(srv) if c.at > writable_at) - writable_at
            await asyncio.sleep(4.0)
            assert await stop(proc) == 0
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        assert lost_and_duplicated(srv, chats, range(1, 4)) == (0, 0)
    assert sent_while_unwritable == 0  # nothing can be claimed, so nothing goes unrecorded
    assert resumed < 5
    log = _log(tmp_path)
    assert "database unreachable (" in log and "readonly database" in log  # the fault bit
    assert "database reachable again" in log
    assert "Traceback" not in log and "never retrieved" not in log
    await _all_sent(sessions, 3 * len(chats))


async def test_postgres_outage_logs_one_line_and_repeats_nothing(
    pg_url: str, pg_engine: AsyncEngine, tmp_path: Path
) -> None:
    """The database behind a proxy that cuts every connection and refuses new ones for 10 s
    (RETRY_CAP_SECONDS=1, so that is ten back-offs): one line when it goes, one when it is
    back, no traceback per retry; answered sends are marked afterwards, nothing repeats."""
    sessions = make_sessionmaker(pg_engine)
    await seed(sessions, CHATS)
    await ingest_service(sessions).new_posts([post(n) for n in range(1, 4)])
    proxy = DbProxy(pg_url)
    await proxy.restore()
    async with BotApiServer() as srv:
        env = env_for(proxy.url, srv, tmp_path, RATE_GLOBAL_PER_S="5", RETRY_CAP_SECONDS="1")
        proc = await start(env, tmp_path, "deliver", "--poll", "0.1", "--lease", "3")
        try:
            await srv.wait_for(lambda _: len(ok_calls(srv)) >= 10, timeout=30)
            await proxy.cut()
            await asyncio.sleep(10)
            await proxy.restore()
            await srv.wait_for(lambda _: len(ok_calls(srv)) >= 3 * len(CHATS), timeout=60)
            await asyncio.sleep(4.0)
            assert await stop(proc) == 0
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            await proxy.cut()
        assert lost_and_duplicated(srv, CHATS, range(1, 4)) == (0, 0)
    log = _log(tmp_path)
    assert log.count("database unreachable") == 1, log
    assert log.count("database reachable again") == 1
    assert "Traceback" not in log, log
    await _all_sent(sessions, 3 * len(CHATS))
