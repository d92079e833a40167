"""Places: the gazetteer of Ukraine and the Russian border regions, and the matcher.

gaz = get_gazetteer()            # loaded once (≈0.5 s), cached
gaz.resolve("Курщина")           # -> [Place(id="RU-KRS", ...)]
get_matcher().find(text)         # -> [PlaceMention(place, kind, start, end, ...)]
"""

from __future__ import annotations

from functools import lru_cache

from bot.analysis.places.gazetteer import Gazetteer, Place, load
from bot.analysis.places.matcher import PlaceMatcher, PlaceMention
from bot.analysis.places.resolve import TrackChoice, track_choices

__all__ = [
    "Gazetteer",
    "Place",
    "PlaceMatcher",
    "PlaceMention",
    "TrackChoice",
    "get_gazetteer",
    "get_matcher",
    "track_choices",
]


@lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    return load()


@lru_cache(maxsize=1)
def get_matcher() -> PlaceMatcher:
    return PlaceMatcher(get_gazetteer())
