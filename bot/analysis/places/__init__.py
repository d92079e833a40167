"""Places: the gazetteer of Ukraine and the Russian border regions, and the matcher.

gaz = get_gazetteer()            # loaded once (≈0.5 s), cached
gaz.resolve("Курщина")           # -> [Place(id="RU-KRS", ...)]
get_matcher().find(text)         # -> [PlaceMention(place, kind, start, end, ...)]
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

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
    "use_cache_dir",
]


_cache_dir: list[Path | None] = [None]


def use_cache_dir(path: Path | None) -> None:
    """Where the built gazetteer is cached between processes (None: build it each time).
    Set once by the command line from the settings, before the first ``get_gazetteer``."""
    _cache_dir[0] = path


@lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    if _cache_dir[0] is None:
        return load()
    from bot.analysis.places.cache import load_cached

    return load_cached(_cache_dir[0])


@lru_cache(maxsize=1)
def get_matcher() -> PlaceMatcher:
    return PlaceMatcher(get_gazetteer())
