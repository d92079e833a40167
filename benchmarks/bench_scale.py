"""Dozor at deployment scale: 100 channels, tens of thousands of chats, years of archive.

    python benchmarks/bench_scale.py [--quick] [--db sqlite|pg|both] [--pg URL]

Builds the deployment in miniature (``--quick``) or in full, on SQLite and/or PostgreSQL
(``--pg`` or DOZOR_TEST_PG_URL; its public schema is dropped), with bulk INSERTs (see
``scale_data.py``), and measures, each at two sizes with the growth ratio:

* ingest cost per post through today's whole path (``build_core``: store, search terms,
  claims, match record, matching, outbox) at 0 chats and at the two chat counts;
* digest content for all chats of one hour, their reads shared by the hour's batch
  (``DigestBatch``); baseline in the same run: each chat read on its own (a batch of one,
  the per-chat queries of before) for as many chats as fit its time budget;
* ``/search``, ``/latest`` (a chat's tracked items, from the match record) and ``/claims``
  at the two archive sizes; baseline for /latest: the old scan of the newest 500 posts;
* outbox lease (``claim_due``) with no sent rows (baseline) and with the large count;
* claim extraction rate on one core (baseline: places alone), with its profile;
* peak RSS of ``dozor run`` against the loopback Bot API and t.me servers.

Prints a table; the last line is one JSON object with the figures, baselines and targets.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from benchmarks import scale_data as data  # noqa: E402
from benchmarks.scale_rss import run_rss_mb  # noqa: E402
from bot.app import build_core  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.core.post import Post  # noqa: E402
from bot.digest import content as content_mod  # noqa: E402
from bot.digest.batch import DigestBatch  # noqa: E402
from bot.digest.service import DigestService  # noqa: E402
from bot.services.archive import ArchiveService, _Wanted  # noqa: E402
from storage.repos import chats as chat_repo  # noqa: E402
from storage.repos import outbox  # noqa: E402
from storage.repos import posts as post_repo  # noqa: E402
from storage.repos import subscriptions as sub_repo  # noqa: E402

SIZES = {
    "smoke": {
        "posts": (2_000, 8_000),
        "chats": (100, 300),
        "sent": 10_000,
        "ingest_posts": 3,
        "pool": 100,
        "rss_s": 8,
    },
    "quick": {
        "posts": (10_000, 100_000),
        "chats": (1_000, 5_000),
        "sent": 100_000,
        "ingest_posts": 10,
        "pool": 400,
        "rss_s": 20,
    },
    "full": {
        "posts": (100_000, 1_000_000),
        "chats": (10_000, 50_000),
        "sent": 1_000_000,
        "ingest_posts": 8,
        "pool": 2000,
        "rss_s": 60,
    },
}
SEARCHES = [
    "Харків",
    "обстріл Харкова",
    "Покровськ",
    "ракета",
    "Курська область",
    "Shahed",
    "Суджа",
    "ударний БпЛА",
    "Запоріжжя",
    "Херсон",
]
CLAIM_PLACES = ["Суджа", "Курська область", "Покровськ", "Харківська область", "Бахмут"]
REPEAT = 5
BASELINE_BUDGET_S = 60.0


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


async def timed(fn: Callable[[], Awaitable[Any]], repeat: int = REPEAT) -> float:
    await fn()  # warm
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        await fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


async def reset(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    from storage.engine import make_engine

    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def ingest_cost(core: Any, pool: data.Pool, n: int, tag: str) -> float:
    """Seconds per post through the live ingest path, ``n`` fresh posts."""
    posts = [
        Post(
            channel="bench_live",
            id=hash(tag) % 10_000_000 * 100 + k,
            date=data.NOW,
            text=pool.texts[(k * 37) % len(pool.texts)],
        )
        for k in range(n)
    ]
    t = time.perf_counter()
    for p in posts:
        await core.ingest.new_posts([p])
    return (time.perf_counter() - t) / n


async def latest_scan_baseline(archive: ArchiveService, sessions: Any, chat_id: int) -> int:
    """Today's /latest before the match record: the newest 500 posts matched in Python."""
    from bot.core.keywords import parse

    async with sessions() as s:
        subs = await sub_repo.for_chat(s, chat_id)
        rows = await post_repo.recent(s, limit=500, newest_first=True)
    exprs = [parse(x.key) for x in subs if x.kind == "keyword"]
    wanted = _Wanted(archive.places, {x.key for x in subs if x.kind == "place"}, exprs)
    return sum(1 for r in rows if not r.deleted and wanted.spans(r.text) is not None)


async def digest_hour(
    service: DigestService,
    sessions: Any,
    chat_ids: list[int],
    *,
    shared: bool,
    budget: float | None = None,
) -> tuple[float, int]:
    """Seconds for the digests of ``chat_ids`` and how many were built: all of them, or
    those finished within ``budget`` seconds (the one under way is cut off, not estimated).
    ``shared``: one batch for the hour, as the scheduler runs it; else a batch per chat."""
    t = time.perf_counter()
    done = [0]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(_digests(service, sessions, chat_ids, shared, done), budget)
    return time.perf_counter() - t, done[0]


async def _digests(
    service: DigestService, sessions: Any, chat_ids: list[int], shared: bool, done: list[int]
) -> None:
    day = data.NOW.astimezone(ZoneInfo("Europe/Kyiv")).date()  # its window: the last ~26 h
    batch = DigestBatch()
    wanted = set(chat_ids)
    chats: dict[int, Any] = {}
    if shared:  # the scheduler's refresh reads every digest chat at once and tells the batch
        async with sessions() as s:
            chats = {c.id: c for c in await chat_repo.with_digest(s) if c.id in wanted}
        for chat in chats.values():
            due = service.slot_for(chat, day)
            batch.expect([chat.id], due.since, due.until)
    for chat_id in chat_ids:
        async with sessions() as s:
            chat = chats.get(chat_id) or await chat_repo.get(s, chat_id)
            assert chat is not None
            slots = [service.slot_for(chat, d) for d in content_mod.week_days(day)]
            await content_mod.build(
                s,
                batch if shared else DigestBatch(),
                chat_id=chat_id,
                day=day,
                windows=content_mod.windows_for(slots),
            )
        done[0] += 1


async def lease_ms(sessions: Any) -> float:
    async def once() -> None:
        async with sessions() as s:  # leased, then rolled back: every try sees the same rows
            await outbox.claim_due(
                s, "bench", limit=50, lease=timedelta(seconds=30), exclusive=outbox.ChatWindows()
            )
            await s.rollback()

    return round(await timed(once) * 1000, 2)


async def run_db(url: str, size: dict[str, Any], report: dict[str, Any], tag: str) -> None:
    await reset(url)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            _env_file=None,
            database_url=url,
            media_dir=Path(tmp) / "media",  # type: ignore[call-arg]
            bot_token="1:BENCH",
        )
        from storage.engine import upgrade_schema

        core = build_core(settings)
        await upgrade_schema(core.engine)
        sessions = core.sessions
        pool = data.Pool(data.text_pool(size["pool"]))
        pool.prepare(core.engine.dialect.name)
        small, large = size["posts"]
        c_small, c_large = size["chats"]
        t0 = time.perf_counter()
        await data.add_posts(sessions, pool, 0, small)
        await data.settle(sessions)
        print(f"[{tag}] {small} posts built in {time.perf_counter() - t0:.0f} s", file=sys.stderr)

        await ingest_cost(core, pool, 3, f"{tag}warm")  # loads the gazetteer and dictionaries
        per_post = {0: await ingest_cost(core, pool, size["ingest_posts"], f"{tag}0")}
        places, keywords = data.subscription_pool(pool)
        chats = data.Chats(places, keywords)
        made = 0
        for count in (c_small, c_large):
            await data.add_chats(sessions, chats, made, count)
            made = count
            await data.settle(sessions)
            per_post[count] = await ingest_cost(core, pool, size["ingest_posts"], f"{tag}{count}")
            print(
                f"[{tag}] ingest at {count} chats: {per_post[count] * 1000:.0f} ms/post",
                file=sys.stderr,
            )

        # Match records (written by ingest in production, here in bulk): the digest window
        # (the newest 27 hours) for the chats whose digests are timed, the whole archive for
        # a few probe chats (/latest). Nothing reads the other chats' records.
        per_text = data.matches_by_text(pool, chats)
        all_chats = sorted({c for c, _k, _key in chats.subs.values()})
        probes = set(all_chats[:20])
        digest_chats = all_chats[:c_small]
        recent = min(small, 27 * data.PER_DAY // 24)
        await data.add_matches(sessions, per_text, range(0, recent), set(digest_chats) | probes)
        await data.add_matches(sessions, per_text, range(recent, small), probes)
        await data.settle(sessions)
        print(f"[{tag}] match records written", file=sys.stderr)

        archive = ArchiveService(sessions)
        figures: dict[str, dict[int, float]] = {
            "search": {},
            "latest": {},
            "claims": {},
            "latest_scan": {},
        }
        for n in (small, large):
            if n == large:
                t0 = time.perf_counter()
                await data.add_posts(sessions, pool, small, large)
                await data.add_matches(sessions, per_text, range(small, large), probes)
                await data.settle(sessions)
                print(
                    f"[{tag}] grown to {n} posts in {time.perf_counter() - t0:.0f} s",
                    file=sys.stderr,
                )
            figures["search"][n] = statistics.median(
                [await timed(lambda q=q: archive.search(q)) for q in SEARCHES]
            )
            figures["latest"][n] = statistics.median(
                [await timed(lambda c=c: archive.latest(chat_id=c)) for c in sorted(probes)[:5]]
            )
            figures["latest_scan"][n] = statistics.median(
                [
                    await timed(lambda c=c: latest_scan_baseline(archive, sessions, c), 3)
                    for c in sorted(probes)[:3]
                ]
            )
            figures["claims"][n] = statistics.median(
                [await timed(lambda p=p: archive.claim_board(p)) for p in CLAIM_PLACES]
            )

        service = DigestService(
            sessions, core.ingest.matcher, core.media, default_tz="Europe/Kyiv", charts=False
        )
        digest_s, digest_n = await digest_hour(service, sessions, digest_chats, shared=True)
        base_s, base_n = await digest_hour(
            service, sessions, digest_chats, shared=False, budget=BASELINE_BUDGET_S
        )

        lease_0 = await lease_ms(sessions)
        await data.add_sent(sessions, all_chats, size["sent"], days=365 * 5)
        await data.settle(sessions)
        lease_n = await lease_ms(sessions)
        await core.close()

    r = report.setdefault(tag, {})
    r["ingest_ms_per_post"] = {str(k): round(v * 1000, 1) for k, v in per_post.items()}
    r["ingest_ratio_large_vs_0"] = round(per_post[c_large] / per_post[0], 2)
    r["ingest_ratio_small_vs_0"] = round(per_post[c_small] / per_post[0], 2)
    for key in ("search", "latest", "claims", "latest_scan"):
        r[f"{key}_ms"] = {str(k): round(v * 1000, 2) for k, v in figures[key].items()}
        r[f"{key}_ratio"] = round(figures[key][large] / figures[key][small], 2)
    r["digest_s"] = round(digest_s, 1)
    r["digest_chats"] = digest_n
    r["digest_baseline_s"] = round(base_s, 1)
    r["digest_baseline_chats"] = base_n
    r["lease_ms_0_sent"] = lease_0
    r["lease_ms_sent"] = lease_n
    r["lease_ratio"] = round(lease_n / lease_0, 2)


def claims_rate(pool_size: int) -> dict[str, Any]:
    from bot.analysis.claims import default_place_tools
    from bot.analysis.claims.extract import extract_claims

    tools = default_place_tools()
    texts = data.text_pool(pool_size)
    for t in texts[:50]:
        extract_claims(
            t, channel_side="UA", date=data.NOW, find_places=tools.find, contains=tools.contains
        )
    # The place matcher keeps its last result; alternate texts so none is served from it.
    t = time.perf_counter()
    for x in texts:
        tools.find(x + " ")
    places_rate = len(texts) / (time.perf_counter() - t)
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    for x in texts:
        extract_claims(
            x + "  ",
            channel_side="UA",
            date=data.NOW,
            find_places=tools.find,
            contains=tools.contains,
        )
    prof.disable()
    rate = len(texts) / (time.perf_counter() - t)
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(8)
    top = [ln.strip() for ln in out.getvalue().splitlines() if ln.strip()[:1].isdigit()][:8]
    return {
        "claims_posts_per_s": round(rate),
        "places_posts_per_s": round(places_rate),
        "claims_profile_top": top,
        "claims_chars_per_post": round(sum(map(len, texts)) / len(texts)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--smoke", action="store_true", help="tiny sizes: checks the script runs")
    ap.add_argument("--db", choices=["sqlite", "pg", "both"], default="both")
    ap.add_argument("--pg", default=os.environ.get("DOZOR_TEST_PG_URL"))
    args = ap.parse_args()
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    size = SIZES[mode]
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if args.db in ("sqlite", "both"):
            asyncio.run(run_db(f"sqlite+aiosqlite:///{tmp}/scale.sqlite3", size, report, "sqlite"))
        if args.db in ("pg", "both") and args.pg:
            asyncio.run(run_db(args.pg, size, report, "postgresql"))
    claims = claims_rate(size["pool"])
    rss = run_rss_mb(size["rss_s"])
    print_report(mode, size, report, claims, rss)


def print_report(
    mode: str,
    size: dict[str, Any],
    report: dict[str, Any],
    claims: dict[str, Any],
    rss: dict[str, float],
) -> None:
    small, large = size["posts"]
    c_small, c_large = size["chats"]
    print(
        f"bench_scale ({mode}): posts {small:,} -> {large:,}; chats {c_small:,} / {c_large:,};"
        f" sent deliveries {size['sent']:,}"
    )
    print(f"{'figure':44} " + " ".join(f"{db:>22}" for db in report))
    rows = [
        ("ingest ms/post at 0 chats", lambda r: r["ingest_ms_per_post"]["0"]),
        (f"ingest ms/post at {c_small:,} chats", lambda r: r["ingest_ms_per_post"][str(c_small)]),
        (f"ingest ms/post at {c_large:,} chats", lambda r: r["ingest_ms_per_post"][str(c_large)]),
        (f"ingest ratio {c_large:,} vs 0 (target <= 2)", lambda r: r["ingest_ratio_large_vs_0"]),
        (f"digest s, {c_small:,} chats of one hour (< 60)", lambda r: r["digest_s"]),
        (
            "digest baseline (per chat): s / chats done",
            lambda r: f"{r['digest_baseline_s']} / {r['digest_baseline_chats']}",
        ),
    ]
    for key, label in (
        ("search", "/search"),
        ("latest", "/latest (match record)"),
        ("latest_scan", "/latest baseline (scan 500)"),
        ("claims", "/claims"),
    ):
        rows.append(
            (
                f"{label} ms at {small:,} / {large:,}",
                lambda r, k=key: f"{r[k + '_ms'][str(small)]} / {r[k + '_ms'][str(large)]}",
            )
        )
        rows.append((f"{label} ratio (target <= 2)", lambda r, k=key: r[k + "_ratio"]))
    rows += [
        ("lease ms, 0 sent rows (baseline)", lambda r: r["lease_ms_0_sent"]),
        (f"lease ms, {size['sent']:,} sent rows", lambda r: r["lease_ms_sent"]),
    ]
    for label, get in rows:
        print(f"{label:44} " + " ".join(f"{get(r)!s:>22}" for r in report.values()))
    print(
        f"claims: {claims['claims_posts_per_s']} posts/s (target >= 3000; places alone "
        f"{claims['places_posts_per_s']} posts/s, {claims['claims_chars_per_post']} chars/post)"
    )
    for line in claims["claims_profile_top"]:
        print("   ", line)
    print(f"dozor run RSS: peak {rss['peak']} MB, last {rss['last']} MB (target < 300)")

    def worst(key: str) -> float:
        return max(float(r[key]) for r in report.values()) if report else float("nan")

    figures = {
        "mode": mode,
        "posts": [small, large],
        "chats": [c_small, c_large],
        "sent_rows": size["sent"],
        "ingest_ratio_50k_vs_0": worst("ingest_ratio_large_vs_0"),
        "digest_s_10k": worst("digest_s"),
        "search_ratio_1m_vs_100k": worst("search_ratio"),
        "latest_ratio_1m_vs_100k": worst("latest_ratio"),
        "claims_ratio_1m_vs_100k": worst("claims_ratio"),
        "claims_posts_per_s": claims["claims_posts_per_s"],
        "run_rss_mb": rss["peak"],
        "baselines": {
            "places_posts_per_s": claims["places_posts_per_s"],
            "latest_scan_ratio": worst("latest_scan_ratio"),
            "per_db": report,
        },
    }
    targets = {
        "ingest_ratio_50k_vs_0": ("<=", 2),
        "digest_s_10k": ("<", 60),
        "search_ratio_1m_vs_100k": ("<=", 2),
        "latest_ratio_1m_vs_100k": ("<=", 2),
        "claims_ratio_1m_vs_100k": ("<=", 2),
        "claims_posts_per_s": (">=", 3000),
        "run_rss_mb": ("<", 300),
    }
    met = {}
    for key, (op, bound) in targets.items():
        v = float(figures[key])
        met[key] = {"<=": v <= bound, "<": v < bound, ">=": v >= bound}[op]
    figures["targets"] = {k: f"{op} {b}" for k, (op, b) in targets.items()}
    figures["met"] = met
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
