"""Measured quality on real text (tests/data/places_eval*.jsonl): the issue's targets."""

from __future__ import annotations

import pytest

from bot.analysis.places import get_matcher
from tests.places_metrics import evaluate, load_rows

TARGETS = {"region": (0.97, 0.95), "settlement": (0.90, 0.90)}


@pytest.fixture(scope="module")
def scores() -> dict[str, dict[str, dict[str, float]]]:
    return evaluate(get_matcher(), load_rows())


def test_eval_set_is_big_enough() -> None:
    rows = load_rows()
    langs = {r["lang"] for r in rows}
    assert len(rows) >= 120 and {"uk", "ru", "en"} <= langs
    assert sum(1 for r in rows if not r["places"]) >= 25  # negatives


@pytest.mark.parametrize("lang", ["uk", "ru", "en", "all"])
@pytest.mark.parametrize("level", ["region", "settlement"])
def test_targets(scores: dict[str, dict[str, dict[str, float]]], lang: str, level: str) -> None:
    p_min, r_min = TARGETS[level]
    got = scores[lang][level]
    assert got["p"] >= p_min, got
    assert got["r"] >= r_min, got
