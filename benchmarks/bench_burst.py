"""A burst like `dozor run` meets it: 2,000 subscribed chats, then 100 matching posts at once,
ingested in the same process (and engine) that delivers, on SQLite and on PostgreSQL.

The loopback Bot API server (tests/botapi) enforces Telegram's own limits, unscaled: 30 msg/s
overall, 1/s per private chat (every chat here is private, so the global limit is the one that
binds). For ``--window`` seconds from the first post we count the messages the server accepted;
``ratio`` is that rate over 30/s (goal ≥ 0.9). Also: posts stored by the end of the window and
when the last one was, 429s, "database is locked" errors logged, how long stopping took
(as SIGTERM would, sends under way finishing), and resident memory growth over the window.

The baseline is the same run with another tree's code (``--baseline-tree``; the default
extracts this branch's merge base with ``main`` into a temporary directory), each run in a
child process of its own, both against this tree's server. Prints a table; the last line is
one JSON object with the figures, the baseline, the target and whether it was met.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SELF = str(Path(__file__).resolve())
TOKEN = "123456:BURST"
LIMIT = 30.0
TARGET = 0.9


# --- child: runs the pipeline of one code tree -------------------------------------------


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.locked = 0

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage() + (str(record.exc_info[1]) if record.exc_info else "")
        if "database is locked" in text:
            self.locked += 1


async def child(args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import text
    from telegram import Bot
    from telegram.request import HTTPXRequest

    from bot.app import build_core, build_dispatcher
    from bot.config import Settings
    from bot.core.post import Post
    from bot.deliver.sender import PtbSender
    from storage.engine import make_engine, upgrade_schema
    from storage.models import Post as PostRow
    from storage.repos import chats as chat_repo
    from storage.repos import subscriptions as sub_repo

    counter = _Counter()
    logging.getLogger().addHandler(counter)
    logging.getLogger().setLevel(logging.WARNING)
    if args.db.startswith("postgresql"):
        engine = make_engine(args.db)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
    tmp = Path(tempfile.mkdtemp(prefix="dozor-burst-"))
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=args.db,
        bot_token=TOKEN,
        telegram_api_url=args.api,
        media_dir=tmp,
    )
    try:  # as `dozor run` builds it (older trees have no ``delivers``)
        core = build_core(settings, delivers=True)  # type: ignore[call-arg,unused-ignore]
    except TypeError:
        core = build_core(settings)
    await upgrade_schema(core.engine)
    chats = [100_000 + i for i in range(args.chats)]
    async with core.sessions() as session, session.begin():
        for chat in chats:
            await chat_repo.ensure(session, chat, type_="private", language="en")
            await sub_repo.add(session, chat, "text", "kursk", "Kursk")
    now = datetime.now(UTC)
    posts = [
        Post(channel="burst", id=n, date=now, text=f"Report {n}: fighting near Kursk continues.")
        for n in range(1, args.posts + 1)
    ]
    async with core.sessions() as session:  # load the gazetteer before measuring memory
        await core.ingest.matcher.match(session, posts[0])
    request = HTTPXRequest(connection_pool_size=32)
    async with Bot(TOKEN, base_url=args.api, request=request) as bot:
        dispatcher = build_dispatcher(core, PtbSender(bot, tmp))
        stop = asyncio.Event()
        delivering = asyncio.create_task(dispatcher.run(stop))
        rss0 = _rss_mb()
        t0 = time.monotonic()
        stored_at: list[float] = []

        async def burst() -> None:
            for post in posts:  # as a watcher hands them over: one after another
                await core.ingest.new_posts([post])
                stored_at.append(time.monotonic())

        ingesting = asyncio.create_task(burst())
        await asyncio.sleep(args.window)
        rss1 = _rss_mb()
        t_stop = time.monotonic()
        stop.set()
        # As `dozor run` on SIGTERM: the watcher gets 3 s, the dispatcher its grace.
        with_grace = asyncio.wait_for(asyncio.shield(ingesting), 3.0)
        try:
            await with_grace
        except (TimeoutError, asyncio.CancelledError):
            ingesting.cancel()
        await asyncio.wait([delivering], timeout=20)
        stopped = time.monotonic() - t_stop
    async with core.sessions() as session:
        from sqlalchemy import func, select

        stored = await session.scalar(select(func.count()).select_from(PostRow))
    await core.close()
    in_window = [t for t in stored_at if t <= t0 + args.window]
    import bot

    return {
        "t0": t0,
        "code": os.path.dirname(os.path.dirname(bot.__file__)),
        "stored": int(stored or 0),
        "stored_in_window": len(in_window),
        "last_stored_s": round(in_window[-1] - t0, 2) if in_window else None,
        "stop_s": round(stopped, 2),
        "locked_errors": counter.locked,
        "rss_growth_mb": round(rss1 - rss0, 1),
    }


# --- parent: the server, the runs, the table ---------------------------------------------


async def one_run(tree: Path, db: str, args: argparse.Namespace) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from tests.botapi import BotApiServer
    from tests.botapi import Limits as ServerLimits

    async with BotApiServer(limits=ServerLimits()) as srv:
        env = {**os.environ, "PYTHONPATH": str(tree)}
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            SELF,
            "--child",
            "--db",
            db,
            "--api",
            srv.base_url,
            "--chats",
            str(args.chats),
            "--posts",
            str(args.posts),
            "--window",
            str(args.window),
            cwd=tree,
            env=env,
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await proc.communicate()
        result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
        t0 = result.pop("t0")
        sent = [
            c
            for c in srv.calls
            if c.method == "sendMessage" and c.outcome == "ok" and t0 <= c.at <= t0 + args.window
        ]
        result["sent"] = len(sent)
        result["ratio"] = round(len(sent) / (LIMIT * args.window), 3)
        result["n429"] = srv.count_429
    return result


def _baseline_tree(given: str | None) -> Path:
    if given:
        return Path(given).resolve()
    base = subprocess.run(
        ["git", "-C", str(ROOT), "merge-base", "HEAD", "main"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    target = Path(tempfile.mkdtemp(prefix="dozor-baseline-"))
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", base], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--chats", type=int, default=2000)
    parser.add_argument("--posts", type=int, default=100)
    parser.add_argument("--window", type=float, default=40.0, help="seconds measured per run")
    parser.add_argument("--pg", default=os.environ.get("DOZOR_TEST_PG_URL"), help="PostgreSQL URL")
    parser.add_argument("--baseline-tree", help="code tree of the baseline (default: main)")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(child(args))))
        return
    baseline = _baseline_tree(args.baseline_tree)
    dbs = ["sqlite", "postgresql"] if args.pg else ["sqlite"]
    results: dict[str, dict[str, Any]] = {}
    for name in dbs:
        for label, tree in (("baseline", baseline), ("ours", ROOT)):
            url = args.pg  # the child empties the schema first
            if name == "sqlite":  # a fresh file each run
                url = f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='dozor-burst-db-')}/b.db"
            results[f"{name}_{label}"] = asyncio.run(one_run(tree, url, args))
    cols = [
        "sent",
        "ratio",
        "n429",
        "stored_in_window",
        "last_stored_s",
        "locked_errors",
        "stop_s",
        "rss_growth_mb",
    ]
    print(f"{args.chats} chats × {args.posts} posts, {args.window:g} s window, limit 30 msg/s")
    print(f"{'run':<20}" + "".join(f"{c:>17}" for c in cols))
    for key, row in results.items():
        print(f"{key:<20}" + "".join(f"{row.get(c)!s:>17}" for c in cols))
    met = {
        name: results[f"{name}_ours"]["ratio"] >= TARGET and results[f"{name}_ours"]["stop_s"] < 10
        for name in dbs
    }
    summary = {
        "bench": "burst",
        "chats": args.chats,
        "posts": args.posts,
        "window_s": args.window,
        "limit_msg_s": LIMIT,
        "target_ratio": TARGET,
        "results": results,
        "target_met": met,
    }
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main()
