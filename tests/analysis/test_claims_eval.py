"""Measured quality on the labelled sets (tests/data/claims_*.jsonl).

Targets (issue 4): contradiction pairs P >= 0.90 and R >= 0.85. Claim types (per post and
kind) are held to the same bar. Measured with the gazetteer's matcher, as in production,
and with the small test finder (which knows every place the sets name), so a weakness of
the matcher and one of the claims logic can be told apart.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from bot.analysis.claims import ClaimHistory, PlaceTools
from bot.config import KNOWN_SIDES
from tests.claims_eval import HELDOUT, SETS, Score, evaluate
from tests.claims_places import real_tools, tools


def _report(label: str, pairs: Score, kinds: Score) -> str:
    return (
        f"{label}: pairs P={pairs.precision:.3f} R={pairs.recall:.3f} (tp={pairs.tp}); "
        f"kinds P={kinds.precision:.3f} R={kinds.recall:.3f} (tp={kinds.tp})\n"
        + "\n".join(pairs.errors + kinds.errors)
    )


def _check(t: PlaceTools, names: tuple[str, ...], label: str) -> None:
    pairs, kinds = evaluate(t, names)
    print(_report(label, pairs, kinds))
    assert pairs.tp >= 5
    assert pairs.precision >= 0.90, _report(label, pairs, kinds)
    assert pairs.recall >= 0.85, _report(label, pairs, kinds)
    assert kinds.precision >= 0.90, _report(label, pairs, kinds)
    assert kinds.recall >= 0.85, _report(label, pairs, kinds)


@pytest.mark.parametrize("names", [SETS + HELDOUT], ids=["all"])
def test_targets_with_the_test_finder(names: tuple[str, ...]) -> None:
    _check(tools(), names, "test finder")


def test_targets_with_the_gazetteer_matcher() -> None:
    real = real_tools()
    _check(real, SETS + HELDOUT, "gazetteer matcher")


def test_kursk_sample_contradictions_with_the_gazetteer_matcher() -> None:
    """What `dozor replay` of the bundled sample must alert on."""
    real = real_tools()
    sample = Path(__file__).resolve().parents[2] / "bot" / "data" / "sample" / "posts.jsonl"
    rows = [json.loads(x) for x in sample.read_text(encoding="utf-8").splitlines()]
    history = ClaimHistory(real)
    pairs = set()
    for r in sorted(rows, key=lambda r: datetime.fromisoformat(r["date"])):
        out = history.analyze(
            channel=r["channel"],
            message_id=r["id"],
            date=datetime.fromisoformat(r["date"]),
            text=r["text"],
            channel_side=KNOWN_SIDES.get(r["channel"]),
        )
        pairs |= {(r["id"], x.earlier.message_id) for x in out.contradictions}
    assert pairs == {(22786, 51803), (22786, 51810), (22790, 51803), (22790, 51810)}
