"""Cost of matching one stored post against keyword subscriptions, by how many distinct
expressions all chats track together: 0, 1k, 10k, 100k.

Expressions are loaded into a real database (SQLite file; PostgreSQL too when
DOZOR_TEST_PG_URL is set) and matched through the same code the ingest path runs
(``KeywordSubscriptions``: the term index). Baseline, measured in the same run on the same
rows: the all-expressions loop it replaced (``AllKeywordsLoop``: load every keyword
subscription, evaluate every distinct expression). Expressions are long ORs of place names
from the gazetteer (what people track) that the timed posts do not mention, a fifth of them
excluding a word the posts do contain; 20 per chat, the red team's shape.
Run: ``python benchmarks/bench_keyword_index.py [--max 100000]``.

Target: a post costs about the same with 100k expressions as with none (at most 2x).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.analysis.places import get_gazetteer
from bot.core.keywords import analyse_text, anchor_terms, parse
from bot.core.post import Post
from bot.errors import ExpressionError
from bot.matching import KEYWORD, AllKeywordsLoop, KeywordSubscriptions, keyword_terms
from storage.engine import make_engine, make_sessionmaker, upgrade_schema
from storage.repos import chats as chat_repo
from storage.repos import subscriptions as sub_repo

SAMPLE = Path(__file__).resolve().parents[1] / "bot" / "data" / "sample" / "posts.jsonl"
PER_CHAT = 20
TARGET_RATIO = 2.0


def expressions(count: int, seed: int = 12) -> list[str]:
    """``count`` distinct canonical expressions: ORs of 3-6 place names, a fifth of them
    excluding a word of the sample posts (so that NOT is exercised on the posts timed)."""
    rng = random.Random(seed)
    gaz = get_gazetteer()
    names = sorted(
        {p.name_uk for p in gaz.places} | {p.name_en for p in gaz.places if p.name_en.isascii()}
    )
    names = [n for n in names if n.replace(" ", "").replace("-", "").isalpha()]
    texts = [json.loads(line)["text"] for line in SAMPLE.read_text("utf-8").splitlines()]
    words = sorted({w for t in texts for w in t.split() if w.isalpha() and len(w) > 3})
    # Names the timed posts mention are left out: distinct expressions *about other things*
    # are what must not cost anything (a post's genuine matches cost what they cost).
    in_posts: set[str] = set()
    for t in texts:
        in_posts.update(analyse_text(t).index)
    names = [n for n in names if _unrelated(n, in_posts)]
    out: dict[str, None] = {}
    while len(out) < count:
        parts = [f'"{n}"' if " " in n else n for n in rng.sample(names, rng.randint(3, 6))]
        text = " OR ".join(parts)
        if rng.random() < 0.2:
            text = f"({text}) -{rng.choice(words)}"
        try:
            key = parse(text).canonical()
        except ExpressionError:
            continue
        if len(key) <= 512:
            out.setdefault(key, None)
    return list(out)


def _unrelated(name: str, keys: set[str]) -> bool:
    try:
        return anchor_terms(parse(f'"{name}"')).isdisjoint(keys)
    except ExpressionError:
        return False


async def load(url: str, keys: list[str], start: int) -> None:
    """Subscriptions ``keys[start:]``, PER_CHAT per chat, and their index rows."""
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    async with sessions() as session, session.begin():
        for chat in range(start // PER_CHAT, -(-len(keys) // PER_CHAT)):
            await chat_repo.ensure(session, chat + 1, type_="private")
        rows = [(i // PER_CHAT + 1, KEYWORD, k, k) for i, k in enumerate(keys) if i >= start]
        await sub_repo.add_many(session, rows)
        await sub_repo.add_terms_many(session, {k: keyword_terms(k) for k in keys[start:]})
    await engine.dispose()


async def per_post(
    url: str, matcher: object, posts: list[Post], warm: bool = True
) -> tuple[float, int]:
    """Median ms per post (``warm``: each post matched once before timing), matches."""
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    times, found = [], 0
    async with sessions() as session:
        for post in posts if warm else ():
            await matcher.match(session, post)  # type: ignore[attr-defined]
        for post in posts:
            t0 = time.perf_counter()
            found += len(await matcher.match(session, post))  # type: ignore[attr-defined]
            times.append((time.perf_counter() - t0) * 1e3)
    await engine.dispose()
    return statistics.median(times), found


async def run(url: str, levels: list[int], baseline_posts: int) -> list[dict[str, float]]:
    engine = make_engine(url)
    await upgrade_schema(engine)
    await engine.dispose()
    texts = [json.loads(line)["text"] for line in SAMPLE.read_text("utf-8").splitlines()]
    posts = [
        Post(channel="kpszsu", id=i, date=datetime(2025, 1, 1, tzinfo=UTC), text=t)
        for i, t in enumerate(texts)
    ]
    for post in posts:
        analyse_text(post.text)  # morphology caches warm for both sides
    keys = expressions(max(levels))
    rows: list[dict[str, float]] = []
    loaded = 0
    for level in levels:
        await load(url, keys[:level], loaded)
        loaded = level
        ours, ours_found = await per_post(url, KeywordSubscriptions(), posts)
        # The loop costs seconds per post at 100k: time it on fewer posts, unwarmed there
        # (its parse cache holds 4,096 expressions, so warming cannot help it anyway).
        few = baseline_posts if level <= 10_000 else 2
        loop, loop_found = await per_post(url, AllKeywordsLoop(), posts[:few], level <= 10_000)
        rows.append(
            {
                "expressions": level,
                "index_ms_per_post": round(ours, 3),
                "loop_ms_per_post": round(loop, 3),
                "matches_per_post": round(ours_found / len(posts), 2),
                "loop_matches_per_post": round(loop_found / few, 2),
                "loop_posts_timed": few,
            }
        )
    return rows


def table(name: str, rows: list[dict[str, float]]) -> None:
    print(f"\n{name}")
    print(f"{'expressions':>12} {'index ms/post':>14} {'loop ms/post':>13} {'matches/post':>13}")
    for r in rows:
        print(
            f"{int(r['expressions']):>12} {r['index_ms_per_post']:>14.2f} "
            f"{r['loop_ms_per_post']:>13.2f} {r['matches_per_post']:>13.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max", type=int, default=100_000)
    parser.add_argument("--baseline-posts", type=int, default=5)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    levels = [n for n in (0, 1_000, 10_000, 100_000) if n <= args.max]
    results: dict[str, list[dict[str, float]]] = {}
    if args.db != "postgresql":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
            results["sqlite"] = asyncio.run(run(url, levels, args.baseline_posts))
            table("SQLite", results["sqlite"])
    pg = os.environ.get("DOZOR_TEST_PG_URL")
    if pg and args.db != "sqlite":
        from tests.conftest import reset_database

        asyncio.run(reset_database(pg))
        results["postgresql"] = asyncio.run(run(pg, levels, args.baseline_posts))
        table("PostgreSQL", results["postgresql"])
    verdict = {}
    for db, rows in results.items():
        ratio = rows[-1]["index_ms_per_post"] / max(rows[0]["index_ms_per_post"], 1e-9)
        verdict[db] = {"ratio_max_vs_0": round(ratio, 2), "met": ratio <= TARGET_RATIO}
    print(
        json.dumps(
            {
                "bench": "keyword_index",
                "per_chat": PER_CHAT,
                "results": results,
                "baseline": "AllKeywordsLoop (every expression evaluated per post), same rows",
                "target": f"index cost at {levels[-1]} expressions <= {TARGET_RATIO}x at 0",
                "verdict": verdict,
            }
        )
    )


if __name__ == "__main__":
    main()
