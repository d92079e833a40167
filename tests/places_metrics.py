"""Precision/recall of the place matcher on the labelled evaluation set (tests/data)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from bot.analysis.places import PlaceMatcher

DATA = Path(__file__).parent / "data"
EVAL_FILES = ("places_eval.jsonl", "places_eval_hard.jsonl")
SETTLEMENT = {"city", "town", "village"}


def load_rows() -> list[dict]:
    rows = []
    for name in EVAL_FILES:
        with (DATA / name).open(encoding="utf-8") as fh:
            rows.extend(json.loads(line) for line in fh if line.strip())
    return rows


def evaluate(matcher: PlaceMatcher, rows: list[dict]) -> dict[str, dict[str, dict[str, float]]]:
    """{lang: {"region"|"settlement": {"p", "r", "tp", "fp", "fn"}}}, plus lang "all"."""
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        found = [
            m.place
            for m in matcher.find(row["text"])
            if m.place is not None and m.place.kind != "country"
        ]
        gold = [p for p in row["places"] if p["kind"] != "country"]
        pairs = {
            "region": ({p.region for p in found}, {p["region"] for p in gold}),
            "settlement": (
                {p.id for p in found if p.kind in SETTLEMENT},
                {p["id"] for p in gold if p["kind"] in SETTLEMENT},
            ),
        }
        for level, (pred, want) in pairs.items():
            for lang in (row["lang"], "all"):
                c = counts[(lang, level)]
                c[0] += len(pred & want)
                c[1] += len(pred - want)
                c[2] += len(want - pred)
    out: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
    for (lang, level), (tp, fp, fn) in counts.items():
        out[lang][level] = {
            "p": tp / (tp + fp) if tp + fp else 1.0,
            "r": tp / (tp + fn) if tp + fn else 1.0,
            "tp": tp,
            "fp": fp,
            "fn": fn,
        }
    return dict(out)
