"""Claims benchmark: analysis speed, and candidate lookup cost as the history grows.

    python benchmarks/bench_claims.py [--posts 1000] [--lookups 300] [--small 100000]
                                      [--big 1000000]

1. Analysis: posts/s through ``ClaimHistory.analyze`` (extraction with the gazetteer's
   matcher, contradiction check against the in-memory history), over the labelled posts of
   tests/data and the bundled sample, repeated with shifted dates; per CPU second of the
   process (one core, on a shared machine) and per wall second. Baseline, same run: the
   place matcher alone over the same posts.
2. Lookup: time per post to fetch contradiction candidates with ``storage.repos.claims.
   candidates`` from SQLite holding 100k and 1M claims (schema by ``upgrade_schema``, rows
   bulk-inserted). History grows at the deployment's rate (2,000 claims a day: 100k is 50
   days, 1M is 500), so the 45-day window ending now is full at both sizes and each lookup
   (a settlement and its oblast) reads the same window. The rows a lookup returns are
   reported: ``candidates`` keeps the newest ``CANDIDATES_PER_PLACE`` per place, so they
   stay flat however busy the window. Baselines, same run: the unbounded query through the
   index, and the same query forced to scan the table (``NOT INDEXED``).

Prints a table, then one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.analysis.claims import ClaimHistory, PlaceTools  # noqa: E402
from bot.analysis.claims.contradict import VALIDITY_WINDOW  # noqa: E402
from storage.engine import make_engine, make_sessionmaker, upgrade_schema  # noqa: E402
from storage.repos import claims as repo  # noqa: E402

PER_DAY = 2000
N_SETTLEMENTS, N_OBLASTS = 5000, 25
NOW = datetime(2026, 6, 1, tzinfo=UTC)
RATE_TARGET = 3000  # posts/s of claim analysis on one core (issue 15)
RATIO_TARGET = 2.0  # lookup at the big size against the small one


def _tools() -> tuple[PlaceTools, str]:
    try:
        from bot.analysis.claims import default_place_tools

        return default_place_tools(), "gazetteer matcher"
    except ImportError:
        from tests.claims_places import tools

        return tools(), "test finder"


def _posts() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for path in sorted((ROOT / "tests" / "data").glob("claims_*.jsonl")):
        rows += [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]
    sample = ROOT / "bot" / "data" / "sample" / "posts.jsonl"
    for x in sample.read_text(encoding="utf-8").splitlines():
        r = json.loads(x)
        r.setdefault("channel_side", None)
        rows.append(r)
    return rows


def bench_analysis(n_posts: int) -> dict[str, float | str]:
    """Posts/s through ``ClaimHistory.analyze``, and, as the baseline timed in the same run
    over the same posts, the place matcher alone (the floor: analysis finds places too).
    Rates are per CPU second of this process (``process_time``: one core, whatever else the
    machine runs) and per wall second."""
    tools, label = _tools()
    base = _posts()
    history = ClaimHistory(tools)
    tools.find("warm up the matcher: Покровськ")
    for r in base:  # one pass to load the lemma caches both timings share
        tools.find(str(r["text"]))
    w0, c0 = time.perf_counter(), time.process_time()
    done = 0
    while done < n_posts:
        shift = timedelta(days=400 * (done // len(base)))
        for r in base:
            history.analyze(
                channel=str(r["channel"]),
                message_id=int(str(r["id"])) + done,
                date=datetime.fromisoformat(str(r["date"])) + shift,
                text=str(r["text"]),
                channel_side=r.get("channel_side"),
            )  # type: ignore[arg-type]
            done += 1
            if done >= n_posts:
                break
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    # baseline: the matcher alone; alternate two posts' texts so none is served from the
    # matcher's one-entry cache of its last text
    texts = [str(r["text"]) for r in base]
    w1, c1 = time.perf_counter(), time.process_time()
    for i in range(done):
        tools.find(texts[i % len(texts)])
    b_wall, b_cpu = time.perf_counter() - w1, time.process_time() - c1
    return {
        "posts": done,
        "distinct_posts": len(base),
        "seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "posts_per_s": round(done / cpu, 1),
        "posts_per_wall_s": round(done / wall, 1),
        "baseline_find_posts_per_s": round(done / b_cpu, 1),
        "baseline_find_posts_per_wall_s": round(done / b_wall, 1),
        "matcher": label,
    }


def _fill(path: Path, n: int, seed: int) -> None:
    """Bulk insert ``n`` claims spread evenly over the ``n / PER_DAY`` days before NOW."""
    rnd = random.Random(seed)
    span = timedelta(days=n / PER_DAY)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    con.execute(
        "INSERT INTO channels (id, username, active, last_message_id, created_at) "
        "VALUES (1, 'bench', 1, 0, '2020-01-01 00:00:00')"
    )
    con.executemany(
        "INSERT INTO posts (id, channel_id, message_id, date, text, deleted, origin_channel, "
        "origin_id, ingested_at) VALUES (?, 1, ?, '2020-01-01 00:00:00', '', 0, 'bench', ?, "
        "'2020-01-01 00:00:00')",
        [(i, i, i) for i in range(1, 1001)],
    )
    kinds = ("control", "fighting", "denial", "withdrawal", "attempt")

    def rows() -> object:
        for i in range(n):
            at = NOW - span + span * (i / n)
            if rnd.random() < 0.1:
                place = f"O{rnd.randrange(N_OBLASTS)}"
            else:
                place = f"S{rnd.randrange(N_SETTLEMENTS)}"
            yield (
                1 + i % 1000,
                place,
                place,
                rnd.choice(kinds),
                rnd.choice(("UA", "RU")),
                "ongoing",
                at.strftime("%Y-%m-%d %H:%M:%S.%f"),
                "",
                "{}",
            )

    con.executemany(
        "INSERT INTO claims (post_id, place_id, place_name, kind, side, polarity, "
        "asserted_at, quote, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows(),
    )  # type: ignore[arg-type]
    con.commit()
    con.execute("ANALYZE")
    con.close()


def _lookup_ids(rnd: random.Random) -> list[str]:
    s = rnd.randrange(N_SETTLEMENTS)
    return [f"S{s}", f"O{s % N_OBLASTS}"]


async def _time_lookups(url: str, lookups: int, seed: int) -> tuple[float, float]:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    rnd = random.Random(seed)
    times: list[float] = []
    hits = 0
    async with sessions() as s:
        await repo.candidates(s, ["S0"], NOW - VALIDITY_WINDOW, NOW)  # warm
        for _ in range(lookups):
            ids = _lookup_ids(rnd)
            t0 = time.perf_counter()
            got = await repo.candidates(s, ids, NOW - VALIDITY_WINDOW, NOW)
            times.append(time.perf_counter() - t0)
            hits += len(got)
    await engine.dispose()
    return statistics.median(times) * 1000, hits / lookups


def _time_raw(path: Path, lookups: int, seed: int, *, indexed: bool) -> tuple[float, float]:
    """The unbounded lookup in plain sqlite3, with the index or forced to scan the table:
    (median ms, rows per lookup)."""
    rnd = random.Random(seed)
    hint = "" if indexed else "NOT INDEXED"
    con = sqlite3.connect(path)
    since = (NOW - VALIDITY_WINDOW).strftime("%Y-%m-%d %H:%M:%S")
    until = NOW.strftime("%Y-%m-%d %H:%M:%S.%f")
    times = []
    rows = 0
    for _ in range(lookups):
        ids = _lookup_ids(rnd)
        t0 = time.perf_counter()
        rows += len(
            con.execute(
                f"SELECT c.* FROM claims AS c {hint} JOIN posts p ON p.id = c.post_id "
                "WHERE c.place_id IN (?, ?) AND c.asserted_at >= ? AND c.asserted_at <= ?",
                (*ids, since, until),
            ).fetchall()
        )
        times.append(time.perf_counter() - t0)
    con.close()
    return statistics.median(times) * 1000, rows / lookups


async def bench_lookup(sizes: list[int], lookups: int) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"claims_{n}.sqlite3"
            url = f"sqlite+aiosqlite:///{path}"
            engine = make_engine(url)
            await upgrade_schema(engine)
            await engine.dispose()
            t0 = time.perf_counter()
            _fill(path, n, seed=n)
            fill_s = time.perf_counter() - t0
            ms, hits = await _time_lookups(url, lookups, seed=7)
            raw_ms, raw_rows = _time_raw(path, lookups, seed=7, indexed=True)
            scan_ms, _ = _time_raw(path, max(5, lookups // 30), seed=7, indexed=False)
            out[str(n)] = {
                "claims": n,
                "fill_s": round(fill_s, 2),
                "lookup_ms": round(ms, 3),
                "rows_per_lookup": round(hits, 1),
                "raw_ms": round(raw_ms, 3),
                "raw_rows": round(raw_rows, 1),
                "scan_ms": round(scan_ms, 2),
            }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--lookups", type=int, default=300)
    parser.add_argument("--analysis-only", action="store_true", help="skip the lookups")
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=1_000_000)
    args = parser.parse_args()

    analysis = bench_analysis(args.posts)
    rate_met = float(analysis["posts_per_s"]) >= RATE_TARGET
    floor = float(analysis["baseline_find_posts_per_s"])
    print(
        f"analysis ({analysis['matcher']}): {analysis['posts']} posts "
        f"({analysis['distinct_posts']} distinct) in {analysis['cpu_seconds']} CPU s = "
        f"{analysis['posts_per_s']} posts/s per core "
        f"(target >= {RATE_TARGET}: {'met' if rate_met else 'NOT met'}); "
        f"wall: {analysis['posts_per_wall_s']} posts/s"
    )
    print(
        f"baseline, the place matcher alone on the same posts: {floor} posts/s per core "
        f"(analysis costs {floor / float(analysis['posts_per_s']):.1f}x the matcher)"
    )
    if args.analysis_only:
        print(
            json.dumps(
                {
                    "bench": "claims",
                    "analysis_posts_per_s": analysis["posts_per_s"],
                    "analysis_posts_per_wall_s": analysis["posts_per_wall_s"],
                    "analysis_target": RATE_TARGET,
                    "analysis_met": rate_met,
                    "baseline": {
                        "what": "place matcher alone, same posts, same run",
                        "find_posts_per_s": floor,
                    },
                }
            )
        )
        return
    lookup = asyncio.run(bench_lookup([args.small, args.big], args.lookups))
    small, big = lookup[str(args.small)], lookup[str(args.big)]
    ratio = big["lookup_ms"] / small["lookup_ms"]
    scan_ratio = big["scan_ms"] / small["scan_ms"]
    ratio_met = ratio <= RATIO_TARGET
    print(
        f"{'stored claims':>14} {'fill s':>8} {'lookup ms':>10} {'rows':>6} "
        f"{'unbounded ms':>13} {'rows':>6} {'raw scan ms':>12}"
    )
    for row in (small, big):
        print(
            f"{int(row['claims']):>14,} {row['fill_s']:>8} {row['lookup_ms']:>10} "
            f"{row['rows_per_lookup']:>6} {row['raw_ms']:>13} {row['raw_rows']:>6} "
            f"{row['scan_ms']:>12}"
        )
    print(
        f"lookup ratio {args.big:,}/{args.small:,}: {ratio:.2f} (target <= {RATIO_TARGET}: "
        f"{'met' if ratio_met else 'NOT met'}); baseline full scan ratio: {scan_ratio:.1f}"
    )
    print(
        json.dumps(
            {
                "bench": "claims",
                "analysis_posts_per_s": analysis["posts_per_s"],
                "analysis_posts_per_wall_s": analysis["posts_per_wall_s"],
                "analysis_baseline_find_posts_per_s": floor,
                "analysis_matcher": analysis["matcher"],
                "lookup_ms_small": small["lookup_ms"],
                "lookup_ms_1m": big["lookup_ms"],
                "lookup_ratio": round(ratio, 2),
                "lookup_ratio_target": RATIO_TARGET,
                "lookup_ratio_met": ratio_met,
                "analysis_target": RATE_TARGET,
                "analysis_met": rate_met,
                "rows_per_lookup_small": small["rows_per_lookup"],
                "rows_per_lookup_1m": big["rows_per_lookup"],
                "unbounded_ms_small": small["raw_ms"],
                "unbounded_ms_1m": big["raw_ms"],
                "unbounded_rows_small": small["raw_rows"],
                "unbounded_rows_1m": big["raw_rows"],
                "baseline": {
                    "what": "same query in sqlite3, NOT INDEXED (table scan)",
                    "scan_ms_small": small["scan_ms"],
                    "scan_ms_1m": big["scan_ms"],
                    "scan_ratio": round(scan_ratio, 1),
                },
                "sizes": [args.small, args.big],
            }
        )
    )


if __name__ == "__main__":
    main()
