"""Claim extraction is not quadratic in the places one clause names: containment ("Горналь
Курської області" claims Горналь only) is tested for a bounded number of areas per clause."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.analysis.claims.extract import MAX_AREA_TESTS, extract_claims
from bot.analysis.places import get_gazetteer, get_matcher


def _count_contains() -> tuple[list[int], object]:
    gaz = get_gazetteer()
    calls = [0]

    def contains(outer: str, inner: str) -> bool:
        calls[0] += 1
        return gaz.contains(outer, inner)

    return calls, contains


def test_a_clause_naming_hundreds_of_places_costs_linear_containment_tests() -> None:
    gaz = get_gazetteer()
    for kinds in (("city", "town"), ("raion", "hromada")):
        # Areas keep their noun ("Олексіївський район"): a bare adjective is not a place.
        names = [
            p.name_uk
            for p in gaz.places
            if p.kind in kinds and (" " not in p.name_uk or "raion" in kinds)
        ]
        text = "Російські війська захопили " + ", ".join(names[:600]) + "."
        calls, contains = _count_contains()
        claims = extract_claims(
            text,
            channel_side="RU",
            date=datetime(2025, 1, 1, tzinfo=UTC),
            find_places=get_matcher().find,
            contains=contains,  # type: ignore[arg-type]
        )
        if "raion" in kinds:
            assert not claims  # raions and hromadas locate places; they get no claim
        else:
            assert len(claims) > 40
        named = len(names[:600])
        assert calls[0] <= MAX_AREA_TESTS * named  # not named * named


def test_a_place_located_by_its_oblast_is_still_claimed_alone() -> None:
    calls, contains = _count_contains()
    claims = extract_claims(
        "Російські війська захопили Горналь Курської області.",
        channel_side="RU",
        date=datetime(2025, 1, 1, tzinfo=UTC),
        find_places=get_matcher().find,
        contains=contains,  # type: ignore[arg-type]
    )
    assert {c.place_id for c in claims} and "RU-KRS" not in {c.place_id for c in claims}
    assert calls[0] > 0
