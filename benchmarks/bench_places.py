"""Benchmark the place matcher against the two things one would write instead, in one process.

Posts: real texts from tests/data/places_eval.jsonl (kpszsu posts, the President's addresses,
the Kursk statements) packed into posts of about 1.5 KB, repeated to --posts.

Baselines, timed in the same run on --baseline-posts of the same posts, over every place
(nothing sampled, nothing extrapolated):

1. substring: each place's nominative names (uk, ru) searched in the lower-cased post, the
   usual first implementation (it misses inflected forms: "Харкові", "Суджі");
2. plain automaton: one Aho-Corasick automaton over the same nominative names, hits kept at
   word boundaries: the speed of a single pass, without forms, context or homonyms.

The matcher's own gazetteer load is timed built from the data file and from the cache.
Prints a table; the last line is one JSON object with every figure, the targets and whether
each was met.
"""

from __future__ import annotations

import argparse
import json
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
    ap.add_argument("--baseline-posts", type=int, default=200, help="posts the substring times")
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

    # --- load from the cache (a second process) -------------------------------------------
    import tempfile

    from bot.analysis.places.cache import load_cached

    with tempfile.TemporaryDirectory() as tmp:
        load_cached(Path(tmp))
        t0 = time.perf_counter()
        load_cached(Path(tmp))
        cached_load_s = time.perf_counter() - t0

    # --- baselines over the nominative names of every place -------------------------------
    names = sorted(
        {n.lower() for p in gaz.places for n in (p.name_uk, p.name_ru) if n and len(n) >= 3}
    )
    base_posts = posts[: args.baseline_posts]
    t0 = time.perf_counter()
    sub_hits = 0
    for p in base_posts:
        low = p.lower()
        sub_hits += sum(1 for n in names if n in low)
    sub_rate = len(base_posts) / (time.perf_counter() - t0)

    import ahocorasick

    t0 = time.perf_counter()
    plain = ahocorasick.Automaton()
    for n in names:
        plain.add_word(n, len(n))
    plain.make_automaton()
    plain_build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    aho_hits = 0
    for p in posts:
        low = p.lower()
        for end, size in plain.iter(low):
            start = end - size + 1
            if (start == 0 or not low[start - 1].isalnum()) and (
                end + 1 == len(low) or not low[end + 1].isalnum()
            ):
                aho_hits += 1
    aho_rate = len(posts) / (time.perf_counter() - t0)

    targets = {"posts_per_s": 5000, "load_s_cached": 1.0, "rss_mb": 300}
    met = {
        "posts_per_s": rate >= targets["posts_per_s"],
        "load_s_cached": cached_load_s <= targets["load_s_cached"],
        "rss_mb": rss_after < targets["rss_mb"],
    }
    figures = {
        "posts": len(posts),
        "avg_post_chars": round(avg_len),
        "places": len(gaz.places),
        "forms": len(gaz.codes),
        "load_s": round(load_s, 3),
        "load_s_cached": round(cached_load_s, 3),
        "rss_mb": round(rss_after, 1),
        "rss_before_load_mb": round(rss0, 1),
        "peak_rss_mb_incl_baselines": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        ),
        "matcher_posts_per_s": round(rate, 1),
        "mentions": mentions,
        "baseline": {
            "names": len(names),
            "substring_posts_per_s": round(sub_rate, 2),
            "substring_hits_per_post": round(sub_hits / len(base_posts), 1),
            "substring_posts_timed": len(base_posts),
            "plain_automaton_posts_per_s": round(aho_rate, 1),
            "plain_automaton_hits_per_post": round(aho_hits / len(posts), 1),
            "plain_automaton_build_s": round(plain_build_s, 2),
        },
        "matcher_mentions_per_post": round(mentions / len(posts), 1),
        "speedup_vs_substring": round(rate / sub_rate, 1),
        "speed_vs_plain_automaton": round(rate / aho_rate, 2),
        "targets": targets,
        "met": met,
    }
    rows = [
        ("posts (avg chars)", f"{len(posts)} ({avg_len:.0f})"),
        (
            "gazetteer places / forms / names",
            f"{len(gaz.places)} / {len(gaz.codes)} / {len(names)}",
        ),
        ("gazetteer load: built / cached", f"{load_s:.3f} s / {cached_load_s:.3f} s (target <= 1)"),
        ("process RSS after matching", f"{rss_after:.0f} MB (target < 300)"),
        (
            "matcher",
            f"{rate:,.0f} posts/s, {mentions / len(posts):.1f} mentions/post (target >= 5000: "
            f"{'met' if met['posts_per_s'] else 'NOT met'})",
        ),
        (
            "baseline: substring of names",
            f"{sub_rate:,.1f} posts/s, {sub_hits / len(base_posts):.1f} hits/post "
            f"({len(base_posts)} posts)",
        ),
        (
            "baseline: plain automaton of names",
            f"{aho_rate:,.0f} posts/s, {aho_hits / len(posts):.1f} hits/post",
        ),
        ("matcher vs substring / vs plain", f"{rate / sub_rate:,.0f}x / {rate / aho_rate:.2f}x"),
    ]
    width = max(len(r[0]) for r in rows)
    print("bench_places")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
