"""Scoring of the labelled claim sets (tests/data/claims_*.jsonl) — shared by tests and bench."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.analysis.claims import ClaimHistory, PlaceTools

DATA = Path(__file__).parent / "data"
# Development sets (rules were tuned on them) ...
SETS = (
    "claims_kursk.jsonl",
    "claims_episodes.jsonl",
    "claims_negatives.jsonl",
    "claims_losses.jsonl",
)
# ... and sets written before the rules saw them (first scores kept in their README).
HELDOUT = ("claims_heldout.jsonl", "claims_heldout2.jsonl")


def load(name: str) -> list[dict[str, Any]]:
    path = DATA / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@dataclass
class Score:
    """Micro-averaged precision and recall over sets of labels, with the errors listed
    (shared by the claim tests and ``benchmarks/eval_detection.py``)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, label: str, gold: Iterable[Any], got: Iterable[Any], missing: int = 0) -> None:
        """Score one item; ``missing`` gold labels that cannot be produced count as misses."""
        g, p = set(gold), set(got)
        self.tp += len(g & p)
        self.fp += len(p - g)
        self.fn += len(g - p) + missing
        for x in sorted(map(str, p - g)):
            self.errors.append(f"{label}: FP {x}")
        for x in sorted(map(str, g - p)):
            self.errors.append(f"{label}: FN {x}")

    def merge(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.errors += other.errors

    def figures(self) -> dict[str, float | int]:
        return {
            "p": round(self.precision, 3),
            "r": round(self.recall, 3),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def evaluate(tools: PlaceTools, names: tuple[str, ...] = SETS) -> tuple[Score, Score]:
    """(contradiction pairs, claim types per post); one history per file."""
    pairs, kinds = Score(), Score()
    for name in names:
        if not (DATA / name).exists():
            continue
        history = ClaimHistory(tools)
        for row in load(name):
            res = history.analyze(
                channel=row["channel"],
                message_id=row["id"],
                date=datetime.fromisoformat(row["date"]),
                text=row["text"],
                channel_side=row["channel_side"],
            )
            uid = row["uid"]
            gold_pairs = {(uid, e) for e in row["gold"]["contradicts"]}
            got_pairs = {
                (uid, f"{x.earlier.channel}/{x.earlier.message_id}") for x in res.contradictions
            }
            pairs.add(name, gold_pairs, got_pairs)
            gold_kinds = {(uid, c["kind"]) for c in row["gold"]["claims"]}
            got_kinds = {(uid, c.kind) for c in res.claims}
            kinds.add(name, gold_kinds, got_kinds)
    return pairs, kinds
