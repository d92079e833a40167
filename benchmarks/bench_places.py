"""Benchmark the place matcher against the keyword-bot baseline, in one process.

Posts: real texts from tests/data/places_eval.jsonl (kpszsu posts, the President's addresses,
the Kursk statements) packed into posts of about 1.5 KB, repeated to --posts.

Baseline: what keyword bots do, one compiled ``\\b<form>\\b`` regex (IGNORECASE) per name
form, each searched in every post. Compiling and running all ~270k forms per post would take
hours, so the baseline runs a random sample of the forms on a subset of the posts, and its
per-post time is extrapolated linearly to all forms (each regex is an independent pass over
the text, so time is linear in the number of regexes). The table says which sample was used.

Prints a table; the last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import make_posts  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=3000)
    ap.add_argument("--baseline-posts", type=int, default=20)
    ap.add_argument(
        "--baseline-forms",
        type=float,
        default=0.05,
        help="fraction of the forms the baseline compiles (extrapolated)",
    )
    args = ap.parse_args()
    posts = make_posts(args.posts)
    avg_len = sum(map(len, posts)) / len(posts)

    rss0 = rss_mb()
    t0 = time.perf_counter()
    from bot.analysis.places import get_gazetteer, get_matcher

    gaz = get_gazetteer()
    load_s = time.perf_counter() - t0
    matcher = get_matcher()
    matcher.find(posts[0])  # first call pays for lazy decoding of common entries

    t0 = time.perf_counter()
    mentions = sum(len(matcher.find(p)) for p in posts)
    match_s = time.perf_counter() - t0
    rate = len(posts) / match_s
    rss_after = rss_mb()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # --- baseline: one regex per name form -------------------------------------------------
    keys = [k.strip() for k, _ in gaz.automaton.items()]
    rnd = random.Random(7)
    sample = rnd.sample(keys, max(1, int(len(keys) * args.baseline_forms)))
    t0 = time.perf_counter()
    regexes = [re.compile(r"\b" + re.escape(k) + r"\b", re.IGNORECASE) for k in sample]
    compile_s = time.perf_counter() - t0
    base_posts = posts[: args.baseline_posts]
    t0 = time.perf_counter()
    base_hits = 0
    for p in base_posts:
        for rx in regexes:
            if rx.search(p):
                base_hits += 1
    base_s = time.perf_counter() - t0
    per_post_sample = base_s / len(base_posts)
    per_post_full = per_post_sample * len(keys) / len(sample)
    base_rate = 1 / per_post_full

    figures = {
        "posts": len(posts),
        "avg_post_chars": round(avg_len),
        "places": len(gaz.places),
        "forms": len(keys),
        "load_s": round(load_s, 3),
        "rss_mb": round(rss_after, 1),
        "rss_before_load_mb": round(rss0, 1),
        "peak_rss_mb_incl_baseline": round(peak_rss, 1),
        "matcher_posts_per_s": round(rate, 1),
        "mentions": mentions,
        "baseline": {
            "method": "one compiled \\b<form>\\b IGNORECASE regex per name form",
            "forms_sampled": len(sample),
            "posts_timed": len(base_posts),
            "compile_s_for_sample": round(compile_s, 2),
            "posts_per_s_extrapolated_to_all_forms": round(base_rate, 4),
            "posts_per_s_with_sample_only": round(1 / per_post_sample, 2),
        },
        "speedup_vs_baseline": round(rate / base_rate, 1),
        "targets": {"posts_per_s": 5000, "speedup": 100, "load_s": 1.0, "rss_mb": 300},
    }
    rows = [
        ("posts (avg chars)", f"{len(posts)} ({avg_len:.0f})"),
        ("gazetteer places / forms", f"{len(gaz.places)} / {len(keys)}"),
        ("gazetteer load", f"{load_s:.3f} s"),
        ("process RSS after matching", f"{rss_after:.0f} MB"),
        ("matcher", f"{rate:,.0f} posts/s ({mentions} mentions)"),
        (
            "baseline (regex per form)",
            f"{base_rate:.3f} posts/s — timed with {len(sample)} of {len(keys)} forms on "
            f"{len(base_posts)} posts, extrapolated",
        ),
        ("speed-up", f"{rate / base_rate:,.0f}x"),
    ]
    width = max(len(r[0]) for r in rows)
    print("bench_places")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
