"""The command line as a user meets it, run as real subprocesses: fast help and version,
quiet offline commands with a summary, a clean exit on a closed pipe, one-line network
errors, a progress bar that moves while pages are fetched, and `sources add` that asks t.me
first."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import __version__
from tests.tme.server import FakeTme

HEAVY = ("telegram", "sqlalchemy", "pymorphy3", "matplotlib", "telethon", "aiohttp")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "BOT_", "SOURCES", "LOG_", "TELEGRAM_"))
    }
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_DIR=str(tmp_path / "media"),
        **extra,
    )
    return env


def _run(args: list[str], tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


async def _arun(args: list[str], tmp_path: Path, **extra: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,
        env=_env(tmp_path, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    return proc.returncode or 0, out.decode(), err.decode()


def _imported(flag: str, tmp_path: Path) -> tuple[str, set[str]]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot", flag],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    modules = {
        line.split("|")[-1].strip().split(".")[0]
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    }
    return proc.stdout, modules


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_import_no_heavy_library(flag: str, tmp_path: Path) -> None:
    out, modules = _imported(flag, tmp_path)
    assert not modules & set(HEAVY), modules & set(HEAVY)
    if flag == "--version":
        assert out.strip() == f"dozor {__version__}"
    else:
        for command in ("replay", "export", "backfill", "sources", "digest", "run"):
            assert command in out


@pytest.mark.slow
def test_replay_is_quiet_and_names_the_contradiction(tmp_path: Path) -> None:
    proc = _run(["replay"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert " INFO " not in proc.stderr and "alembic" not in proc.stderr
    tail = proc.stdout.rstrip().splitlines()[-2:]
    assert tail[0] == "1 contradiction found:"
    assert "Kursk Oblast" in tail[1] and "@mod_russia/51803" in tail[1]
    assert "@generalstaffzsu/22786" in tail[1]
    verbose = _run(["-v", "replay"], tmp_path)
    assert " INFO " in verbose.stderr


@pytest.mark.slow
def test_export_into_a_closed_pipe_exits_cleanly(tmp_path: Path) -> None:
    # Enough posts that the export outgrows the pipe's buffer after the reader has gone.
    start = datetime(2025, 1, 1, tzinfo=UTC)
    lines = [
        json.dumps(
            {
                "channel": "kpszsu",
                "id": i,
                "date": (start + timedelta(minutes=i)).isoformat(),
                "text": f"Допис {i}: " + "довгий текст " * 60,
            },
            ensure_ascii=False,
        )
        for i in range(1, 600)
    ]
    (tmp_path / "posts.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _run(["import", "posts.jsonl"], tmp_path).returncode == 0
    proc = subprocess.run(
        f"set -o pipefail; {sys.executable} -m bot export | head -n 1",
        shell=True,
        executable="/bin/bash",
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert json.loads(proc.stdout)["channel"] == "kpszsu"


async def test_backfill_progress_moves_while_pages_are_fetched(tmp_path: Path) -> None:
    async with FakeTme() as tme:
        tme.add_channel("kpszsu")
        for i in range(65):
            tme.publish("kpszsu", f"Допис {i} про Харків.")
        code, out, err = await _arun(
            ["backfill", "kpszsu", "--since", "2020-01-01", "--source", "web"],
            tmp_path,
            TELEGRAM_WEB_URL=tme.base_url,
        )
    assert code == 0, err
    assert "kpszsu: 65 new posts stored" in out
    # tqdm redraws with carriage returns: the "fetched" bar counted page by page (20, 40, …)
    # before anything was stored.
    fetched = [
        int(part.split(":")[1].split("post")[0])
        for part in err.replace("\n", "\r").split("\r")
        if part.startswith("kpszsu fetched:")
    ]
    assert len(set(fetched)) >= 4 and max(fetched) == 65, err


async def test_network_failure_is_one_readable_line(tmp_path: Path) -> None:
    code, _out, err = await _arun(
        ["backfill", "kpszsu", "--since", "2025-01-01", "--source", "web", "--retries", "0"],
        tmp_path,
        TELEGRAM_WEB_URL="http://127.0.0.1:9",
    )
    assert code == 2
    last = [line for line in err.replace("\r", "\n").splitlines() if line.strip()][-1]
    assert last.startswith("dozor: ") and "Cannot connect to host 127.0.0.1:9" in last
    assert "Traceback" not in err


async def test_sources_add_asks_tme_first(tmp_path: Path) -> None:
    async with FakeTme() as tme:
        tme.add_channel("real_channel")
        code, _out, err = await _arun(
            ["sources", "add", "@no_such_channel"], tmp_path, TELEGRAM_WEB_URL=tme.base_url
        )
        assert code == 2 and "there is no public channel @no_such_channel" in err
        code, out, err = await _arun(
            ["sources", "add", "real_channel", "--side", "UA"],
            tmp_path,
            TELEGRAM_WEB_URL=tme.base_url,
        )
        assert code == 0, err
        assert out.strip() == "watching real_channel (UA)"
        code, out, _ = await _arun(["sources", "list"], tmp_path)
    assert "real_channel" in out and "no_such_channel" not in out


async def test_watch_with_no_sources_says_so(tmp_path: Path) -> None:
    async with FakeTme() as tme:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "watch",
            cwd=tmp_path,
            env=_env(tmp_path, TELEGRAM_WEB_URL=tme.base_url, SOURCES=""),
            stderr=subprocess.PIPE,
        )
        assert proc.stderr is not None
        try:
            line = b""
            while b"no channels to watch" not in line:
                line = await asyncio.wait_for(proc.stderr.readline(), 60)
                assert line, "watch ended without the warning"
        finally:
            proc.terminate()
            await proc.wait()
    assert b"SOURCES is empty" in line
