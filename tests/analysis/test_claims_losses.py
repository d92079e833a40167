"""The General Staff's daily losses post, against the ground truth of tests/data."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.analysis.claims import Kind, extract_claims, parse_losses
from bot.analysis.claims.losses import is_losses_post
from tests.claims_eval import load
from tests.claims_places import tools


def test_every_fixture_day_parses_to_the_ground_truth() -> None:
    rows = load("claims_losses.jsonl")
    assert len(rows) >= 15
    for row in rows:
        got = {
            f.metric: {"cumulative": f.cumulative, "change": f.change, "qualifier": f.qualifier}
            for f in parse_losses(row["text"])
        }
        assert got == row["gold"]["losses"], row["uid"]


def test_real_wording_with_spaces_in_numbers() -> None:
    text = (
        "Загальні бойові втрати противника з 24.02.22 по 26.04.25 орієнтовно склали:\n"
        "особового складу ‒ близько 995 300 (+1 100) осіб\n"
        "танків ‒ 11 000 (+5) од\n"
        "БПЛА оперативно-тактичного рівня ‒ 36 127 (+97)\n"
    )
    figs = parse_losses(text)
    assert [(f.metric, f.cumulative, f.change, f.qualifier) for f in figs] == [
        ("personnel", 995300, 1100, "близько"),
        ("tank", 11000, 5, None),
        ("drone", 36127, 97, None),
    ]
    assert text[figs[0].start : figs[0].end].startswith("особового складу")


def test_english_edition() -> None:
    text = (
        "The total combat losses of the enemy from 24.02.2022 to 26.04.2025 were "
        "approximately:\npersonnel ‒ about 945130 (+1170) persons\ntanks ‒ 10664 (+3)\n"
    )
    assert [(f.metric, f.cumulative, f.change, f.qualifier) for f in parse_losses(text)] == [
        ("personnel", 945130, 1170, "about"),
        ("tank", 10664, 3, None),
    ]


def test_not_a_losses_post() -> None:
    assert parse_losses("танків ‒ 11 000 (+5) од") == []
    assert not is_losses_post("Бої за Покровськ тривають.")


def test_losses_become_claims_with_a_pseudo_place_per_metric() -> None:
    text = (
        "Загальні бойові втрати противника з 24.02.22 по 26.04.25 орієнтовно склали:\n"
        "особового складу ‒ близько 995 300 (+1 100) осіб\n"
    )
    (c,) = extract_claims(
        text, channel_side="UA", date=datetime(2025, 4, 26, tzinfo=UTC), find_places=tools().find
    )
    assert (c.kind, c.place_id, c.polarity) == (Kind.LOSSES, "~losses/personnel", "personnel")
    assert c.data == {
        "metric": "personnel",
        "cumulative": 995300,
        "change": 1100,
        "qualifier": "близько",
    }
