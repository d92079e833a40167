"""`dozor analyze`: one post in, its places (and later claims) out, as a JSON-able dict.

The output contract (stable; tools and tests depend on it):
    {"channel", "id",
     "places": [{"name", "region", "kind", "id", "start", "end"}],
     "claims": [], "contradicts": []}
``name`` is the English name, ``region`` the ISO 3166-2 code of the first-level region,
``start``/``end`` character offsets into ``text``. Mentions that stay ambiguous (several
homonyms, no context) are not in ``places``; they are listed under ``ambiguous`` with
their candidate ids.
"""

from __future__ import annotations

from typing import Any

from bot.analysis.places import PlaceMatcher, PlaceMention, get_matcher


def place_record(m: PlaceMention) -> dict[str, Any]:
    assert m.place is not None
    return {
        "name": m.place.name_en,
        "region": m.place.region,
        "kind": m.kind,
        "id": m.place.id,
        "start": m.start,
        "end": m.end,
    }


def analyze_post(post: dict[str, Any], matcher: PlaceMatcher | None = None) -> dict[str, Any]:
    matcher = matcher or get_matcher()
    text = str(post.get("text") or "")
    mentions = matcher.find(text)
    out: dict[str, Any] = {
        "channel": post.get("channel"),
        "id": post.get("id"),
        "places": [place_record(m) for m in mentions if m.place is not None],
        "claims": [],
        "contradicts": [],
    }
    ambiguous = [
        {
            "surface": m.surface,
            "start": m.start,
            "end": m.end,
            "kind": m.kind,
            "candidates": list(m.candidates),
        }
        for m in mentions
        if m.place is None
    ]
    if ambiguous:
        out["ambiguous"] = ambiguous
    return out
