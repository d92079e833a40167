"""`dozor deliver --workers 2` (PostgreSQL): a child killed with -9 is logged and replaced,
alerts keep going out once each, and killing the supervisor with -9 takes its children too."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import make_sessionmaker
from tests.botapi import BotApiServer
from tests.deliver_proc import env_for, lost_and_duplicated, start
from tests.delivery_kit import ingest_service, ok_calls, post, seed

pytestmark = pytest.mark.slow
CHATS = [8001 + i for i in range(10)]


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The parent pid is the 2nd field after the parenthesised command name.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def _until(predicate: object, timeout: float = 30.0) -> None:  # noqa: ASYNC109
    assert callable(predicate)
    for _ in range(int(timeout / 0.1)):
        if predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not met in time")


async def test_supervisor_restarts_a_killed_child_and_takes_children_along(
    pg_url: str, pg_engine: AsyncEngine, tmp_path: Path
) -> None:
    sessions = make_sessionmaker(pg_engine)
    await seed(sessions, CHATS)
    ingest = ingest_service(sessions)
    await ingest.new_posts([post(1)])
    async with BotApiServer() as srv:
        env = env_for(pg_url, srv, tmp_path)
        proc = await start(env, tmp_path, "deliver", "--workers", "2", "--poll", "0.1")
        try:
            await srv.wait_for(lambda _: len(ok_calls(srv)) >= len(CHATS), timeout=60)
            first = _children(proc.pid)
            assert len(first) == 2
            victim = min(first)
            os.kill(victim, signal.SIGKILL)
            await _until(lambda: len(_children(proc.pid) - {victim}) == 2)
            await ingest.new_posts([post(2)])
            # Every (chat, post) sent at least once: a count of sends would stop early when
            # the killed child's last send is repeated.
            await srv.wait_for(
                lambda _: lost_and_duplicated(srv, CHATS, range(1, 3))[0] == 0, timeout=60
            )
            children = _children(proc.pid)
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
            await _until(lambda: not any(_alive(c) for c in children), timeout=20)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        lost, duplicated = lost_and_duplicated(srv, CHATS, range(1, 3))
        # One kill -9: at most the one send whose "sent" mark it interrupted goes out again
        # (the documented one-write window); nothing is lost.
        assert lost == 0 and duplicated <= 1
    log = (tmp_path / "deliver.log").read_text()
    assert f"(pid {victim}) exited with -9; restarting" in log
    assert "restarted (pid" in log
