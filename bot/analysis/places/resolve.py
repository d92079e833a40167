"""What a /track argument means: choices to offer, or suggestions when nothing matches."""

from __future__ import annotations

from dataclasses import dataclass

from bot.analysis.places.gazetteer import Gazetteer
from bot.errors import UnknownPlaceError

MAX_CHOICES = 8


@dataclass(frozen=True, slots=True)
class TrackChoice:
    place_id: str
    label: str  # "Олександрівка (Дружківська громада, Краматорський р-н, Донецька область)"


def track_choices(
    gaz: Gazetteer, query: str, lang: str = "en", limit: int = MAX_CHOICES
) -> list[TrackChoice]:
    """One choice when the name is unique, several (as buttons) for homonyms, best first.

    Raises UnknownPlaceError carrying the closest names (rapidfuzz) when nothing matches,
    so that an unknown name never silently becomes a keyword.
    """
    places = gaz.resolve(query)
    if not places:
        suggestions = tuple(gaz.label(p.id, lang) for p in gaz.suggest(query))
        hint = f" Did you mean: {'; '.join(suggestions)}?" if suggestions else ""
        raise UnknownPlaceError(f"Unknown place: {query!r}.{hint}", suggestions)
    return [TrackChoice(p.id, gaz.label(p.id, lang)) for p in places[:limit]]
