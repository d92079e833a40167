"""Compound adjectives that name towns: agglomerations and pockets.

"Покровсько-Мирноградська агломерація", «красноармейско-димитровская агломерация», "the
Pokrovsko-Myrnograd agglomeration", «кураховский котёл»: each part is an adjective of a town
(or the town's name), and the phrase locates at the towns. City adjectives are not keys of the
gazetteer (a bare "Покровський" is a raion or a direction), so the adjective is turned back
into the name here: strip the adjective ending, add the endings town names take, and keep the
first key that names one city or town.
"""

from __future__ import annotations

import re

from bot.analysis.places import flags as F
from bot.analysis.places.gazetteer import Gazetteer

# Cheap post-wide test before the regex: the head nouns, normalised (ё is е).
HEADS = ("агломерац", "котл", "котел", "agglomeration", "pocket", "cauldron")
_NAME = r"[^\W\d_][\w'’ʼ]*"
_COMPOUND = re.compile(
    rf"(?:\b({_NAME})-)?\b({_NAME})\s+"
    r"(?:агломерац\w*|котл(?:а|е|у|ом)|котел|котёл|agglomeration|pocket|cauldron)\b",
    re.IGNORECASE,
)
# longest first: "ської" before "ська"
_ADJ_SUFFIXES = tuple(
    sorted(
        (
            "ської",
            "ського",
            "ському",
            "ською",
            "ських",
            "ській",
            "ська",
            "ський",
            "ську",
            "сько",
            "ской",
            "ского",
            "ском",
            "скую",
            "ских",
            "ская",
            "ский",
            "ские",
            "ско",
        ),
        key=len,
        reverse=True,
    )
)
_TAILS = ("ськ", "ск", "", "е", "о", "ое", "ське", "ское")
_TOWNS = frozenset(("city", "town"))


def compound_towns(gaz: Gazetteer, text: str, norm: str) -> list[tuple[int, int, int]]:
    """(start, end, place index) of each town a compound adjective names, in text offsets."""
    out: list[tuple[int, int, int]] = []
    for m in _COMPOUND.finditer(text):
        parts = [(m.start(g), m.end(g)) for g in (1, 2) if m.group(g)]
        if len(parts) < 2 and not m.group(2).lower().endswith(_ADJ_SUFFIXES):
            continue  # a lone name before "котел" is no adjective: the name matcher reads it
        for s, e in parts:
            idx = _town(gaz, norm[s + 1 : e + 1])
            if idx >= 0:
                out.append((s, e, idx))
    return out


def _town(gaz: Gazetteer, word: str) -> int:
    tries = [word]
    if word.endswith("o"):  # English "Pokrovsko-"
        tries.append(word[:-1])
    for suffix in _ADJ_SUFFIXES:
        if word.endswith(suffix):
            root = word[: -len(suffix)]
            tries += [root + tail for tail in _TAILS]
            break
    for key in tries:
        v = gaz.automaton.get(" " + key + " ", -1)
        if v < 0:
            continue
        towns = {pi for pi, fl in gaz.entry(v) if not fl & F.ADJ and gaz.places[pi].kind in _TOWNS}
        if len(towns) > 1:  # homonyms: the regional or raion centre
            top = max(gaz.rank[pi] for pi in towns)
            towns = {pi for pi in towns if gaz.rank[pi] == top}
        if len(towns) == 1:
            return towns.pop()
    return -1
