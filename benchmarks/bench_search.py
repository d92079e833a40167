"""Benchmark /search on the archive: the term index against a LIKE scan, SQLite and PostgreSQL.

Posts: real texts from tests/data/places_eval*.jsonl (kpszsu posts, the President's
addresses, the Kursk statements) packed into posts of about 1.5 KB, repeated to --posts.
Each is stored, then indexed with ``SearchIndex.reindex`` (the figure is indexing posts/s).

A /search is what the bot runs per command or page button: ``count`` plus one page of 5
(``search`` with limit/offset). Timed per query, warm, ``--repeat`` times; median and p95.

Baseline, in the same run: ``text LIKE '%word%'`` for every word of the query, ANDed, newest
first, the usual first implementation. It cannot see inflections; the table gives both
methods' hit counts, so the recall difference is visible next to the speed.

    python benchmarks/bench_search.py [--posts 5000] [--pg postgresql+asyncpg://…]

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

from sqlalchemy import insert, text  # noqa: E402

from benchmarks.corpus import make_posts  # noqa: E402
from bot.core.tokens import search_query  # noqa: E402
from storage.engine import make_engine, make_sessionmaker, upgrade_schema  # noqa: E402
from storage.models import Channel, Post  # noqa: E402
from storage.repos.search import index_for  # noqa: E402

QUERIES = [
    "Харків",
    "Харкова",
    "Курськ",
    "обстріл Харкова",
    "Покровськ",
    "ракета",
    "Суджа",
    "Курська область",
    "ударний БпЛА",
    "Запоріжжя",
    "President",
    "Shahed",
]
PAGE = 5


async def reset(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


def quantiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


async def run_db(url: str, posts: list[str], repeat: int) -> dict[str, Any]:
    await reset(url)
    engine = make_engine(url)
    try:
        await upgrade_schema(engine)
        sessions = make_sessionmaker(engine)
        t0 = datetime(2025, 1, 1, tzinfo=UTC)
        async with sessions() as session, session.begin():
            channel_ids = []
            for name in ("kpszsu", "generalstaffzsu", "mod_russia"):
                result = await session.execute(
                    insert(Channel)
                    .values(username=name, active=True, last_message_id=0, created_at=t0)
                    .returning(Channel.id)
                )
                channel_ids.append(result.scalar_one())
            rows = [
                {
                    "channel_id": channel_ids[i % 3],
                    "message_id": i + 1,
                    "date": t0 + timedelta(minutes=i),
                    "text": body,
                    "deleted": False,
                    "origin_channel": "x",
                    "origin_id": i + 1,
                    "ingested_at": t0,
                }
                for i, body in enumerate(posts)
            ]
            for start in range(0, len(rows), 1000):
                await session.execute(insert(Post), rows[start : start + 1000])
        started = time.perf_counter()
        async with sessions() as session, session.begin():
            indexed = await index_for(session).reindex(session)
        index_s = time.perf_counter() - started
        if url.startswith("postgresql"):
            async with engine.begin() as conn:
                await conn.execute(text("ANALYZE"))  # what autovacuum does after a load

        per_query: dict[str, Any] = {}
        index_ms: list[float] = []
        like_ms: list[float] = []
        async with sessions() as session:
            index = index_for(session)
            for q in QUERIES:
                groups = search_query(q)
                words = q.split()
                like = text(
                    "SELECT p.id FROM posts p WHERE NOT p.deleted AND "
                    + " AND ".join(f"p.text LIKE :w{i}" for i in range(len(words)))
                    + " ORDER BY p.date DESC, p.id DESC LIMIT :limit OFFSET 0"
                )
                like_count = text(
                    "SELECT count(*) FROM posts p WHERE NOT p.deleted AND "
                    + " AND ".join(f"p.text LIKE :w{i}" for i in range(len(words)))
                )
                params = {f"w{i}": f"%{w}%" for i, w in enumerate(words)}
                samples, base = [], []
                total = like_total = 0
                for r in range(repeat + 1):  # the first round warms caches
                    a = time.perf_counter()
                    total = await index.count(session, groups)
                    await index.search(session, groups, limit=PAGE, offset=(r % 3) * PAGE)
                    b = time.perf_counter()
                    like_total = int(await session.scalar(like_count, params) or 0)
                    await session.execute(like, {**params, "limit": PAGE})
                    c = time.perf_counter()
                    if r:
                        samples.append((b - a) * 1000)
                        base.append((c - b) * 1000)
                index_ms += samples
                like_ms += base
                per_query[q] = {
                    "hits": total,
                    "like_hits": like_total,
                    "median_ms": round(statistics.median(samples), 2),
                    "like_median_ms": round(statistics.median(base), 2),
                }
        size = None
        if url.startswith("postgresql"):
            async with engine.connect() as conn:
                size = await conn.scalar(text("SELECT pg_total_relation_size('post_search')"))
        med, p95 = quantiles(index_ms)
        bmed, bp95 = quantiles(like_ms)
        return {
            "posts": len(posts),
            "indexed": indexed,
            "index_posts_per_s": round(indexed / index_s, 1),
            "search_median_ms": round(med, 2),
            "search_p95_ms": round(p95, 2),
            "like_median_ms": round(bmed, 2),
            "like_p95_ms": round(bp95, 2),
            "index_bytes": size,
            "queries": per_query,
        }
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--pg", default=os.environ.get("DOZOR_TEST_PG_URL"))
    args = parser.parse_args()
    posts = make_posts(args.posts)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = asyncio.run(
            run_db(f"sqlite+aiosqlite:///{tmp}/bench.sqlite3", posts, args.repeat)
        )
    if args.pg:
        results["postgresql"] = asyncio.run(run_db(args.pg, posts, args.repeat))

    print(
        f"bench_search: {args.posts} posts of ~1.5 KB; a search = count + one page of "
        f"{PAGE}; {args.repeat} warm runs per query"
    )
    for db, r in results.items():
        print(
            f"  {db}: indexing {r['index_posts_per_s']:,.0f} posts/s; search median "
            f"{r['search_median_ms']} ms, p95 {r['search_p95_ms']} ms; baseline LIKE median "
            f"{r['like_median_ms']} ms, p95 {r['like_p95_ms']} ms"
        )
        width = max(len(q) for q in QUERIES)
        print(
            f"    {'query':<{width}}  {'hits':>5}  {'LIKE hits':>9}  {'index ms':>8}  "
            f"{'LIKE ms':>8}"
        )
        for q, f in r["queries"].items():
            print(
                f"    {q:<{width}}  {f['hits']:>5}  {f['like_hits']:>9}  "
                f"{f['median_ms']:>8}  {f['like_median_ms']:>8}"
            )
    summary = {db: {k: v for k, v in r.items() if k != "queries"} for db, r in results.items()}
    print(
        json.dumps(
            {
                "posts": args.posts,
                "results": summary,
                "baseline": "text LIKE '%word%' per word, ANDed, newest first",
                "queries": {db: r["queries"] for db, r in results.items()},
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
