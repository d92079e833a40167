"""kill -9 of a running web watcher, again and again: 0 posts lost, 0 stored twice."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.tme import FakeTme

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _stored(db: Path) -> tuple[int, set[int]]:
    if not db.exists():
        return 0, set()
    con = sqlite3.connect(db, timeout=30)
    try:
        rows = con.execute(
            "SELECT p.message_id FROM posts p JOIN channels c ON c.id = p.channel_id "
            "WHERE c.username = 'chan'"
        ).fetchall()
    except sqlite3.OperationalError:  # schema not created yet
        return 0, set()
    finally:
        con.close()
    return len(rows), {r[0] for r in rows}


async def _start(tme: FakeTme, db: Path, media: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.tme.watch_runner",
        tme.base_url,
        str(db),
        str(media),
        "chan",
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


async def _wait_for(db: Path, count: int, seconds: float = 60.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if _stored(db)[0] >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"only {_stored(db)[0]} of {count} posts stored")


async def _kill(proc: asyncio.subprocess.Process) -> None:
    proc.send_signal(signal.SIGKILL)
    await proc.wait()


async def test_kill9_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    db, media = tmp_path / "dozor.db", tmp_path / "media"
    published: list[int] = []
    async with FakeTme() as tme:
        tme.add_image("map", width=50, height=40)
        published += [tme.publish("chan", f"перший {i}") for i in range(5)]
        proc = await _start(tme, db, media)
        await _wait_for(db, 5)

        for round_ in range(3):
            # Posts keep coming while the watcher runs; it is killed at some point mid-way.
            for i in range(35):
                photos = ["map"] if i % 10 == 0 else []
                published.append(tme.publish("chan", f"r{round_} {i}", photos=photos))
                if i % 7 == 0:
                    await asyncio.sleep(0.02)
            await _kill(proc)
            # ... and while it is down: several ?before= pages of them.
            published += [tme.publish("chan", f"down{round_} {i}") for i in range(45)]
            proc = await _start(tme, db, media)
            await asyncio.sleep(0.3 + 0.2 * round_)

        await _wait_for(db, len(published))
        await asyncio.sleep(0.3)  # a few more polls: nothing may arrive twice
        await _kill(proc)

    count, ids = _stored(db)
    assert ids == set(published)
    assert count == len(published)
    assert len([p for p in media.rglob("*.png")]) == 1  # one map, stored once


async def _start_dozor_watch(tme: FakeTme, db: Path, media: Path) -> asyncio.subprocess.Process:
    """The real `dozor watch`, configured only through its environment."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite+aiosqlite:///{db}",
        "MEDIA_DIR": str(media),
        "TELEGRAM_WEB_URL": tme.base_url,
        "SOURCES": "chan",
        "WEB_POLL_SECONDS": "0.2",
        "BOT_TOKEN": "",
    }
    for key in ("TG_API_ID", "TG_API_HASH"):
        env.pop(key, None)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "watch",
        cwd=db.parent,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        env=env,
    )


async def test_kill9_of_dozor_watch_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    db, media = tmp_path / "dozor.db", tmp_path / "media"
    published: list[int] = []
    async with FakeTme() as tme:
        published += [tme.publish("chan", f"перший {i}") for i in range(5)]
        proc = await _start_dozor_watch(tme, db, media)
        await _wait_for(db, 5)
        for round_ in range(2):
            for i in range(25):
                published.append(tme.publish("chan", f"r{round_} {i}"))
                if i % 5 == 0:
                    await asyncio.sleep(0.05)
            await _kill(proc)
            published += [tme.publish("chan", f"down{round_} {i}") for i in range(45)]
            proc = await _start_dozor_watch(tme, db, media)
            await asyncio.sleep(0.5)
        await _wait_for(db, len(published), seconds=90)
        await asyncio.sleep(0.5)
        await _kill(proc)

    count, ids = _stored(db)
    assert ids == set(published)
    assert count == len(published)
