"""Scoring of the labelled claim sets (tests/data/claims_*.jsonl) — shared by tests and bench."""

from __future__ import annotations

import json
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

    def add(self, gold: set[Any], got: set[Any], label: str) -> None:
        self.tp += len(gold & got)
        for x in sorted(map(str, got - gold)):
            self.fp += 1
            self.errors.append(f"FP {label}: {x}")
        for x in sorted(map(str, gold - got)):
            self.fn += 1
            self.errors.append(f"FN {label}: {x}")


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
            pairs.add(gold_pairs, got_pairs, name)
            gold_kinds = {(uid, c["kind"]) for c in row["gold"]["claims"]}
            got_kinds = {(uid, c.kind) for c in res.claims}
            kinds.add(gold_kinds, got_kinds, name)
    return pairs, kinds
