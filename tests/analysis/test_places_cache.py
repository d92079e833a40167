"""The built gazetteer is cached between processes; a stale or damaged cache is never used."""

from __future__ import annotations

from pathlib import Path

from bot.analysis.claims import lexicon
from bot.analysis.places import PlaceMatcher
from bot.analysis.places.cache import cache_file, load_cached
from bot.analysis.places.gazetteer import DATA_FILE
from bot.core import tokens

TEXT = "Бої тривають біля Покровська та у Курській області, обстріляно Харків."


def found(matcher: PlaceMatcher) -> list[str]:
    return [m.place.id for m in matcher.find(TEXT)]


def test_second_load_reads_the_cache_and_matches_the_same(tmp_path: Path) -> None:
    built = load_cached(tmp_path)
    path = cache_file(tmp_path, DATA_FILE.read_bytes())
    assert path.is_file()
    cached = load_cached(tmp_path)
    assert cached is not built
    assert found(PlaceMatcher(cached)) == found(PlaceMatcher(built))
    assert found(PlaceMatcher(cached))  # the text does name places
    assert [p.id for p in cached.resolve("Курщина")] == [p.id for p in built.resolve("Курщина")]
    assert cached.index == built.index  # aliases survive the round trip


def test_damaged_cache_is_rebuilt(tmp_path: Path) -> None:
    path = cache_file(tmp_path, DATA_FILE.read_bytes())
    path.write_bytes(b"not a pickle")
    gaz = load_cached(tmp_path)
    assert found(PlaceMatcher(gaz))
    assert path.stat().st_size > 1_000_000  # rewritten whole


def test_another_gazetteer_gets_another_cache_file(tmp_path: Path) -> None:
    data = DATA_FILE.read_bytes()
    assert cache_file(tmp_path, data) != cache_file(tmp_path, data + b"\n")


def test_search_terms_and_claims_share_one_analyser_per_language() -> None:
    uk, ru = tokens._analysers()
    assert uk is lexicon._analyzer("uk")
    assert ru is lexicon._analyzer("ru")
