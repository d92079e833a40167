"""Names of tracked items, rendered from their ids in the reader's language when sent.

A subscription's stored label is the name in the language it was tracked in; a place's id
names it in any language, so the label is only the fallback (a place gone from the
gazetteer, a keyword as typed). Callers pass the gazetteer they were given; the process's
shared one is only the default of callers that have none (the dispatcher's renderers).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.analysis.places import Gazetteer
from bot.core.i18n import has, t
from bot.places import shared_places

PLACE = "place"


def item_name(
    ref: Mapping[str, Any], lang: str, *, short: bool = False, gaz: Gazetteer | None = None
) -> str:
    """Plain text. ``short``: the place's name only (chart legends), not its oblast too."""
    kind, key, label = ref.get("kind"), str(ref.get("key") or ""), str(ref.get("label") or "")
    if kind == PLACE and key:
        gaz = gaz or shared_places().gazetteer
        if key in gaz.index:
            return gaz.name(gaz.get(key), lang) if short else gaz.label(key, lang)
    if kind == "metric" and has("metric." + key):
        return t(lang, "metric." + key)
    return label or key or "?"


def place_name(place: Mapping[str, Any], lang: str, gaz: Gazetteer | None = None) -> str:
    """A claim's place (``{"id", "en", "uk"}``) in ``lang``: from the gazetteer by id."""
    pid = place.get("id")
    if pid:
        gaz = gaz or shared_places().gazetteer
        if pid in gaz.index:
            return gaz.name(gaz.get(str(pid)), lang)
    return str(place.get(lang) or place.get("en") or "?")
