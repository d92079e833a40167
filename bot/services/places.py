"""What a place name typed by a user means: ranked candidates, region nicknames, qualifiers,
and button text that tells homonyms apart. Pure; the gazetteer is passed in.

- Regions (and cities) before towns and villages of the same name: "Харків" offers the city
  and the oblast before anything smaller.
- A region's nickname means the region at once: "Харківщина", "Курщину" (a village is also
  called Харківщина; whoever means it can add a qualifier).
- Qualifiers after the name narrow it: "Олександрівка Краматорський",
  "Олександрівка, Донецька", "Oleksandrivka Kramatorsk raion".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.analysis.places import Gazetteer, Place
from bot.analysis.places.normalise import norm_key

# Kind → group; within a group the gazetteer's own order (exact names, frontline) stands.
_GROUP = {"country": 0, "region": 0, "city": 0, "raion": 1, "hromada": 2, "town": 2, "village": 3}
_NICKNAME = re.compile(r"(щин|ччин)[аиіуоюеї]*$")  # Харківщина, Донеччині, Курщину
_QUALIFIER_NOISE = frozenset(
    {"обл", "область", "області", "р", "н", "р-н", "район", "району", "громада", "тг",
     "oblast", "region", "raion", "district", "hromada", "obl", ""}
)  # fmt: skip
_SPLIT = re.compile(r"[,()·]+|\s+")
_ABBREV = {
    "uk": {"region": " обл.", "raion": " р-н", "hromada": " гр."},
    "en": {"region": " Oblast", "raion": " raion", "hromada": " hromada"},
}
BUTTON_TEXT = 48  # a phone shows about this much of a full-width button


class PlaceResolver:
    def __init__(self, gaz: Gazetteer) -> None:
        self.gaz = gaz

    def resolve(self, query: str) -> list[Place]:
        """Best first; empty when nothing is called that."""
        text = " ".join(query.split())
        places = self.gaz.resolve(text)
        if not places:
            return self._qualified(text)
        regions = [p for p in places if p.kind == "region"]
        last = norm_key(text).split()[-1] if norm_key(text) else ""
        if regions and _NICKNAME.search(last):
            return regions[:1]
        return self._ranked(places)

    @staticmethod
    def _ranked(places: Sequence[Place]) -> list[Place]:
        return sorted(places, key=lambda p: _GROUP.get(p.kind, 4))  # stable

    def _qualified(self, text: str) -> list[Place]:
        """ "Name qualifier…": the longest leading words that name places, kept where every
        qualifier word names one of the place's oblast, raion or hromada."""
        words = [w for w in _SPLIT.split(text) if w]
        for k in range(len(words) - 1, 0, -1):
            quals = [w for w in words[k:] if not set(norm_key(w).split()) <= _QUALIFIER_NOISE]
            if not quals:
                continue
            places = self.gaz.resolve(" ".join(words[:k]))
            if not places:
                continue
            kept = [p for p in places if all(self._qualifies(p, q) for q in quals)]
            if kept:
                return self._ranked(kept)
        return []

    def _qualifies(self, place: Place, word: str) -> bool:
        key = norm_key(word)
        if len(key) < 3:
            return False
        named = {p.id for p in self.gaz.resolve(word) if p.kind in ("region", "raion")}
        for anc_id in self.gaz.ancestors(place.id):
            anc = self.gaz.get(anc_id)
            if anc.kind not in ("region", "raion", "hromada"):
                continue
            if anc.id in named:
                return True
            names = (anc.name_uk, anc.name_en, anc.name_ru or "")
            if any(norm_key(n).startswith(key) for n in names if n):
                return True
        return False

    # --- button text ----------------------------------------------------------------------

    def _part(self, place: Place, lang: str) -> str:
        name = self.gaz.name(place, lang)
        word = _ABBREV.get(lang, _ABBREV["en"]).get(place.kind, "")
        if place.kind == "region":
            for long in (" область", " Oblast", " oblast"):
                name = name.removesuffix(long)
        lower = name.lower()
        if any(w in lower for w in ("район", "raion", "district", "громада", "hromada")):
            word = ""
        return name + word

    def _chain(self, place: Place) -> dict[str, Place]:
        out: dict[str, Place] = {}
        for anc_id in self.gaz.ancestors(place.id):
            anc = self.gaz.get(anc_id)
            if anc.kind in ("region", "raion", "hromada"):
                out.setdefault(anc.kind, anc)
        return out

    def button_text(self, place: Place, lang: str, among: Sequence[Place] = ()) -> str:
        """What tells ``place`` apart from the others offered with it leads: the name when
        names differ (or a city among villages), then the finest level that differs (the
        hromada when the raion repeats, the raion when the oblast does), then the coarser
        ones, so a cut end loses context, never the difference."""
        others = [p for p in among if p.id != place.id]
        name = self.gaz.name(place, lang)
        if place.kind in ("region", "country"):
            return name[:BUTTON_TEXT]
        chain = self._chain(place)
        chains = [self._chain(p) for p in others]
        region, raion, hromada = (chain.get(k) for k in ("region", "raion", "hromada"))
        same_region = [c for c in chains if region is not None and c.get("region") == region]
        same_raion = [c for c in same_region if raion is not None and c.get("raion") == raion]
        levels: list[Place] = []
        if hromada is not None and same_raion:
            levels.append(hromada)
        if raion is not None and (same_region or not others):
            levels.append(raion)
        if region is not None:
            levels.append(region)
        parts = [self._part(p, lang) for p in levels]
        differs = any(self.gaz.name(p, lang) != name for p in others)
        city_among_smaller = place.kind == "city" and any(p.kind != "city" for p in others)
        if differs or city_among_smaller or not others:
            lead = name
            if place.kind == "raion" and not any(
                w in name.lower() for w in ("район", "raion", "district")
            ):
                lead += _ABBREV.get(lang, _ABBREV["en"])["raion"]
            parts.insert(0, lead)
        while len(" · ".join(parts)) > BUTTON_TEXT and len(parts) > 1:
            parts.pop()  # the coarsest context goes first, whole
        text = " · ".join(parts) if parts else name
        return text if len(text) <= BUTTON_TEXT else text[: BUTTON_TEXT - 1].rstrip() + "…"
