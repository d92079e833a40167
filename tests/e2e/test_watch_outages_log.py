"""A web watcher (a real process: the t.me source and the real ingest on SQLite) through two
outages: t.me answering 500 for a while, then the database refusing every write (the
process's file-size limit dropped to 1 KiB with prlimit and the WAL emptied: a full disk).
Each outage is one log line when it starts and one when it ends, however many polls failed
in between; every post is stored once when both are over."""

from __future__ import annotations

import asyncio
import os
import re
import resource
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from tests.disk_kit import empty_wal, limit_file_size
from tests.tme import FakeTme

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _stored(db: Path) -> list[int]:
    con = sqlite3.connect(db, timeout=30)
    try:
        return [
            r[0]
            for r in con.execute(
                "SELECT p.message_id FROM posts p JOIN channels c ON c.id = p.channel_id "
                "WHERE c.username = 'chan' ORDER BY p.message_id"
            )
        ]
    except sqlite3.OperationalError:  # schema not created yet
        return []
    finally:
        con.close()


async def _wait_for(db: Path, count: int, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while len(_stored(db)) < count:
        assert time.monotonic() < deadline, f"only {len(_stored(db))} of {count} posts stored"
        await asyncio.sleep(0.1)


async def test_web_watcher_logs_each_outage_once(tmp_path: Path) -> None:
    db, media, log_path = tmp_path / "dozor.db", tmp_path / "media", tmp_path / "watch.log"
    async with FakeTme() as tme:
        published = [tme.publish("chan", f"перший {i}") for i in range(3)]
        # The log goes through a pipe: a log file would be one more file under the limit.
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.tme.watch_runner",
            tme.base_url,
            str(db),
            str(media),
            "chan",
            cwd=ROOT,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )

        async def pump() -> None:
            assert proc.stderr is not None
            with log_path.open("ab") as out:
                while line := await proc.stderr.readline():
                    out.write(line)

        pumping = asyncio.create_task(pump())
        try:
            await _wait_for(db, 3)
            tme.fail_next(500, count=60)  # t.me down: a few seconds of failed polls
            published += [tme.publish("chan", f"другий {i}") for i in range(3)]
            await _wait_for(db, 6)

            limit_file_size(proc.pid, 1024)  # the disk is full: no write of the watcher can land
            await asyncio.to_thread(empty_wal, db)
            published += [tme.publish("chan", f"третій {i}") for i in range(3)]
            await asyncio.sleep(4)
            assert len(_stored(db)) == 6
            limit_file_size(proc.pid, resource.RLIM_INFINITY)
            await _wait_for(db, 9)
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), 10)
                except TimeoutError:
                    proc.kill()
                    await proc.wait()
            await pumping
    assert _stored(db) == published  # each once, none lost
    log = log_path.read_text()
    # Log records, not the lines of a traceback kept with one (``logging.basicConfig`` here;
    # the service's own formats fold a traceback onto its record's line).
    records = [line for line in log.splitlines() if re.match(r"(DEBUG|INFO|WARNING|ERROR):", line)]
    assert len(records) == 4, log  # per outage one line as it starts, one as it ends
    assert "t.me/s/chan: poll failing" in records[0] and "500" in records[0]
    assert "t.me/s/chan: poll works again" in records[1]
    assert "t.me/s/chan: poll failing" in records[2]
    assert "disk I/O error" in records[2] or "disk is full" in records[2]  # the fault bit
    assert "t.me/s/chan: poll works again" in records[3]
