"""Benchmark what a health check and a Prometheus scrape cost on a full database.

Every /healthz and /metrics request reads, for every active channel, its health row and the
date of its newest post, plus the outbox backlog (depth and oldest row). The newest post is
found through the (channel, message id) unique index: the post with the highest id.

Baseline, in the same run: the first implementation one would write, ``max(date)`` grouped by
channel over the posts table (the same backlog count beside it). Target: a /healthz report
under 50 ms median at the default size (200k posts over 50 channels, 40k deliveries of which
5k waiting).

    python benchmarks/bench_ops.py [--posts 200000] [--channels 50] [--pg URL]

PostgreSQL runs when --pg or DOZOR_TEST_PG_URL is given (it drops and recreates the public
schema of that database). Prints a table; the last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402

from bot.ops.health import HealthServer, Heartbeat  # noqa: E402
from bot.ops.metrics import Metrics  # noqa: E402
from storage.engine import make_engine, make_sessionmaker, upgrade_schema  # noqa: E402
from storage.models import Alert, Channel, Chat, Delivery, Post  # noqa: E402

TARGET_MS = 50.0
T0 = datetime(2026, 1, 1, tzinfo=UTC)


async def fill(url: str, posts: int, channels: int, deliveries: int, waiting: int) -> Any:
    if url.startswith("postgresql"):
        engine = make_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
    engine = make_engine(url)
    await upgrade_schema(engine)
    async with engine.begin() as conn:
        await conn.execute(
            insert(Channel),
            [
                {"id": c + 1, "username": f"chan{c}", "active": True, "last_message_id": 0}
                for c in range(channels)
            ],
        )
        batch: list[dict[str, Any]] = []
        for n in range(posts):
            c = n % channels
            batch.append(
                {
                    "channel_id": c + 1,
                    "message_id": n // channels + 1,
                    "date": T0 + timedelta(minutes=n),
                    "text": f"post {n}",
                    "origin_channel": f"chan{c}",
                    "origin_id": n // channels + 1,
                    "ingested_at": T0,
                    "deleted": False,
                }
            )
            if len(batch) == 5000:
                await conn.execute(insert(Post), batch)
                batch = []
        if batch:
            await conn.execute(insert(Post), batch)
        await conn.execute(
            insert(Chat),
            [
                {
                    "id": 1000 + i,
                    "type": "private",
                    "language": "en",
                    "active": True,
                    "is_forum": False,
                    "digest_when_empty": True,
                    "created_at": T0,
                }
                for i in range(100)
            ],
        )
        await conn.execute(
            insert(Alert),
            [
                {
                    "id": a + 1,
                    "kind": "match",
                    "dedupe_key": f"a{a}",
                    "payload": {},
                    "priority": 1,
                    "created_at": T0,
                }
                for a in range(deliveries // 100)
            ],
        )
        rows = []
        for d in range(deliveries):
            rows.append(
                {
                    "alert_id": d // 100 + 1,
                    "chat_id": 1000 + d % 100,
                    "thread_id": 0,
                    "priority": 1,
                    "status": "pending" if d >= deliveries - waiting else "sent",
                    "attempts": 0,
                    "not_before": T0,
                    "reasons": {},
                    "created_at": T0 + timedelta(seconds=d),
                }
            )
            if len(rows) == 5000:
                await conn.execute(insert(Delivery), rows)
                rows = []
        if rows:
            await conn.execute(insert(Delivery), rows)
    if url.startswith("postgresql"):
        async with engine.connect() as conn:
            await conn.execute(text("ANALYZE"))
    return engine


async def timed(call: Any, repeat: int) -> list[float]:
    await call()  # warm
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        await call()
        times.append((time.perf_counter() - start) * 1000)
    return times


async def run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    engine = await fill(url, args.posts, args.channels, args.deliveries, args.waiting)
    fill_s = time.perf_counter() - started
    sessions = make_sessionmaker(engine)
    metrics = Metrics()
    server = HealthServer("bench", sessions, metrics, Heartbeat())

    async def report() -> None:
        result = await server.report()
        assert result.healthy and len(result.sources) == args.channels

    async def scrape() -> None:
        await server.report()
        metrics.render()

    async def baseline() -> None:
        async with sessions() as session:
            newest = (
                await session.execute(
                    select(Post.channel_id, func.max(Post.date)).group_by(Post.channel_id)
                )
            ).all()
            waiting = await session.scalar(
                select(func.count()).where(Delivery.status.in_(("pending", "leased")))
            )
        assert len(newest) == args.channels and waiting == args.waiting

    ours = await timed(report, args.repeat)
    scrapes = await timed(scrape, args.repeat)
    base = await timed(baseline, args.repeat)
    await engine.dispose()
    median = statistics.median(ours)
    return {
        "fill_s": round(fill_s, 1),
        "healthz_median_ms": round(median, 2),
        "healthz_p95_ms": round(sorted(ours)[int(len(ours) * 0.95) - 1], 2),
        "metrics_median_ms": round(statistics.median(scrapes), 2),
        "baseline_median_ms": round(statistics.median(base), 2),
        "target_ms": TARGET_MS,
        "target_met": median < TARGET_MS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--deliveries", type=int, default=40_000)
    parser.add_argument("--waiting", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--pg", default=os.environ.get("DOZOR_TEST_PG_URL"))
    args = parser.parse_args()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = asyncio.run(run(f"sqlite+aiosqlite:///{tmp}/bench.sqlite3", args))
    if args.pg:
        results["postgresql"] = asyncio.run(run(args.pg, args))
    print(
        f"{args.posts:,} posts over {args.channels} channels, {args.deliveries:,} deliveries "
        f"({args.waiting:,} waiting)"
    )
    print(
        f"  {'database':<11} {'healthz ms':>10} {'p95':>7} {'metrics ms':>10} {'baseline ms':>11}"
    )
    for db, r in results.items():
        print(
            f"  {db:<11} {r['healthz_median_ms']:>10} {r['healthz_p95_ms']:>7} "
            f"{r['metrics_median_ms']:>10} {r['baseline_median_ms']:>11}"
        )
    print(
        json.dumps(
            {
                "posts": args.posts,
                "channels": args.channels,
                "deliveries": args.deliveries,
                "waiting": args.waiting,
                "results": results,
                "baseline": "max(date) GROUP BY channel over posts, plus the backlog count",
                "target": f"/healthz report median < {TARGET_MS} ms",
            }
        )
    )


if __name__ == "__main__":
    main()
