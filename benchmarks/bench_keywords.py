"""Keyword matching cost per post: analyse once, evaluate many expressions.

Baseline, measured in the same run: the foundation's plain matcher (``textmatch.find_term``,
one scan of the folded text per tracked word). Run: ``python benchmarks/bench_keywords.py``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from bot.core import tokens
from bot.core.keywords import analyse_text, parse
from bot.core.textmatch import find_term, fold

SAMPLE = Path(__file__).resolve().parents[1] / "bot" / "data" / "sample" / "posts.jsonl"
EXPRESSIONS = [
    '"Курська область"',
    "Суджа -навчання",
    "(Харків OR Київ) обстріл",
    "kursk OR sudzha",
    '"Курской области" AND NOT учения',
    "Покровськ",
    "ракета",
    "дрон шахед",
    "Belgorod",
    "Гуляй-Поле",
]
WORDS = [
    "Курськ",
    "Суджа",
    "навчання",
    "Харків",
    "Київ",
    "обстріл",
    "kursk",
    "sudzha",
    "Курской",
    "учения",
    "Покровськ",
    "ракета",
    "дрон",
    "шахед",
    "Belgorod",
    "Гуляй-Поле",
]


def per_call(fn: object, repeat: int) -> float:
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(repeat):
            fn()  # type: ignore[operator]
        best = min(best, (time.perf_counter() - t0) / repeat)
    return best


def main() -> None:
    texts = [json.loads(line)["text"] for line in SAMPLE.read_text("utf-8").splitlines()]
    blob = " ".join(texts)
    posts = [blob[i : i + 1500] for i in range(0, len(blob) - 1500, 1500)]

    t0 = time.perf_counter()
    tokens.index_terms("Харків")
    load_ms = (time.perf_counter() - t0) * 1e3
    t0 = time.perf_counter()
    for post in posts:
        analyse_text(post)
    cold_ms = (time.perf_counter() - t0) / len(posts) * 1e3

    analyse_ms = per_call(lambda: [analyse_text(p) for p in posts], 20) / len(posts) * 1e3
    index_ms = per_call(lambda: [tokens.index_terms(p) for p in posts], 20) / len(posts) * 1e3
    trees = [parse(e) for e in EXPRESSIONS]
    docs = [analyse_text(p) for p in posts]
    match_us = (
        per_call(lambda: [t.matches(d) for d in docs for t in trees], 20)
        / (len(docs) * len(trees))
        * 1e6
    )
    parse_us = per_call(lambda: [parse(e) for e in EXPRESSIONS], 50) / len(EXPRESSIONS) * 1e6
    # Baseline: fold once per post, then one substring scan per tracked word.
    base_ms = (
        per_call(
            lambda: [[find_term(p, w, folded=f) for w in WORDS] for p in posts for f in [fold(p)]],
            20,
        )
        / len(posts)
        * 1e3
    )
    ours_ms = analyse_ms + match_us * len(trees) / 1e3
    # Evaluation must grow linearly with the text (phrases and NOT never go quadratic).
    growth_tree = parse('"a b c d" OR (a -b) OR "a a a a a a"')
    small, big = analyse_text("a " * 1000), analyse_text("a " * 4000)
    growth = per_call(lambda: growth_tree.highlights(big), 20) / per_call(
        lambda: growth_tree.highlights(small), 20
    )

    rows = [
        ("pymorphy3 load (first use), ms", load_ms),
        ("analyse_text, cold caches, ms/post", cold_ms),
        ("analyse_text, warm, ms/1.5KB post", analyse_ms),
        ("index_terms, warm, ms/post", index_ms),
        ("parse, us/expression", parse_us),
        ("Expr.matches, us/(expression, post)", match_us),
        (f"ours: analyse + {len(trees)} expressions, ms/post", ours_ms),
        (f"baseline: find_term x {len(WORDS)} words, ms/post", base_ms),
        ("evaluation time, 4x longer text (ratio, linear = 4)", growth),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure'.ljust(width)}  value")
    for name, value in rows:
        print(f"{name.ljust(width)}  {value:8.3f}")
    print(
        json.dumps(
            {
                "analyse_text_ms_per_post": round(analyse_ms, 4),
                "index_terms_ms_per_post": round(index_ms, 4),
                "match_us_per_expr_post": round(match_us, 3),
                "parse_us_per_expr": round(parse_us, 2),
                "ours_ms_per_post": round(ours_ms, 4),
                "eval_growth_4x_text": round(growth, 2),
                "baseline": {
                    "name": "textmatch.find_term per word",
                    "ms_per_post": round(base_ms, 4),
                },
                "posts": len(posts),
            }
        )
    )


if __name__ == "__main__":
    main()
