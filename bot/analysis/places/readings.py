"""Readings of a place name that are not the place, as real reporting uses them.

Real text names people (Volodymyr Zelensky, Владимир Путин), governments by their capital
("Moscow said", "the Kyiv regime", datelines "MOSCOW, 18 Dec –"), rivers (річка Оскіл, the
Dnipro river), force groupings (группировка «Днепр»), adjectives at work ("Українські
війська" is not Ukrainsk) and front sectors ("Kupyansk, Lymansk and Kramatorsk directions").
The matcher asks these questions of each hit. Pure functions over the text.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import cache
from typing import Any

import ahocorasick

# --- people ------------------------------------------------------------------------------------

_TITLE = re.compile(
    r"(?:президент\w*|president|диктатор\w*|dictator|генерал\w*|general|міністр\w*|министр\w*|"
    r"minister|голов\w*|глав\w*|head|спікер\w*|спикер\w*|spokes\w*|прем.?єр\w*|премьер\w*|"
    r"лідер\w*|лидер\w*|leader|mr|пан|господин\w*|командувач\w*|командующ\w*|commander)"
    r"(?:\W+\w+){0,2}\W+$",
    re.IGNORECASE,
)
_NEXT_NAME = re.compile(r"[ \u00a0]+([A-ZА-ЯІЇЄҐ][a-zа-яіїєґ'’ʼ-]{2,})")


def names_a_person(text: str, start: int, end: int) -> bool:
    """A first name followed by a surname, or after a title ("президент Володимир"); the
    caller knows the place is named like a person."""
    if " " in text[start:end].strip():
        return False
    return bool(_NEXT_NAME.match(text, end) or _TITLE.search(text[max(0, start - 40) : start]))


# --- capitals as governments -------------------------------------------------------------------

CAPITALS = frozenset({"RU-MOW", "UA80000000000093317"})
_DATELINE_AFTER = re.compile(r"\s*[,.]?\s*(?:[-–—•]|\d|\(|[A-ZА-Я]{2,})")
_GOV_AFTER = re.compile(
    r"(?:['’]s\b|\s+(?:(?:only|also|then|later|has|had)\s+)?(?:said|says|say|has|have|had|is|was|"
    r"will|would|claims?|claimed|denie[sd]|launched|ruled|rejected|refused|responded|agreed|"
    r"hoped|hopes|wants|wanted|planned|plans|believes|warned|accused|announced|"
    r"insists?|wants?|regime|government|authorities|officials|forces|troops|"
    r"заяв\w*|сообщ\w*|повідом\w*|вважа\w*|счита\w*|требу\w*|вимага\w*|режим\w*|влад\w*|"
    r"настаива\w*|наполяга\w*|відповів|ответил\w*)\b)",
    re.IGNORECASE,
)
_GOV_BEFORE = re.compile(
    r"(?:(?:claims?|statements?|response|reaction|words|заяв\w*|реакці\w*|реакци\w*)\s+"
    r"(?:from|by|of|з|із|от|из)|according to|signal|pushing|pushed|urged?|pressed|"
    r"pressure on|talks with)\s+$",
    re.IGNORECASE,
)


def names_a_government(text: str, start: int, end: int) -> bool:
    """ "Moscow said", "Kyiv's forces", "the claim from Moscow", or a dateline."""
    line_start = text.rfind("\n", 0, start) + 1
    if not text[line_start:start].strip() and (
        _DATELINE_AFTER.match(text, end) or (text[start:end].isupper() and end - start > 3)
    ):
        return True  # "MOSCOW, 18 Dec –", "KYIV, Ukraine (AP)", a capital alone in capitals
    if _GOV_AFTER.match(text, end):
        return True
    return _GOV_BEFORE.search(text[max(0, start - 30) : start]) is not None


# --- rivers, groupings, adjectives, axes ---------------------------------------------------------

_NOT_PLACE_BEFORE = re.compile(
    r"(?:річк\w*|рік\w*|река|реки|реке|реку|рекой|river|берег\w*|березі|берез[іи]|bank of|"
    r"лівобережж\w*|правобережж\w*|левобережь\w*|правобережь\w*|гирл\w*|бассейн\w*|"
    r"басейн\w*|приток\w*|омбр|обр|бригад\w*|brigade|батальйон\w*|battalion|полк\w*|"
    r"группировк\w*|угрупованн\w*|grouping|group)(?:\s+(?:of forces|of troops|військ\w*|"
    r"войск\w*|the))?\s*[«\"“„]?\s*$",
    re.IGNORECASE,
)
# "the Novy district of Chasiv Yar", "the Dnipro river": a part of a town, a river
_NOT_PLACE_AFTER = re.compile(
    r"\s+(?:river|River|group of forces|district of|microdistrict|neighbou?rhood of)\b"
)
_ADJ_AT_WORK = (
    "ські",
    "цькі",
    "зькі",
    "ские",
    "цкие",
    "зкие",
    "ого",
    "его",
    "ому",
    "ему",
)
# "Українська розвідка" at a sentence start; "Оборона Торецька триває" is the town's genitive
_ADJ_FEM = ("ська", "цька", "зька", "ская", "цкая")
ADJ_ENDINGS = _ADJ_AT_WORK + _ADJ_FEM

# Rivers named like cities: on the river, not in the city ("на Днепре", "the Dnipro").
_RIVERS = ("дніпр", "днепр", "dnipr", "dniepr", "dnieper", "оскіл", "оскол", "oskil", "oskol")
_ON_RIVER = re.compile(
    r"(?:\bна|\bthe|\bпо|\bчерез|\bвздовж|\bвдоль|\balong|\bacross|\bпересечь|\bперетнути|"
    r"\bфорсува\w*|\bфорсирова\w*|\bcross(?:ed|ing)?)\s+$",
    re.IGNORECASE,
)
_LOWER_NOUN = re.compile(r"\s+[a-zа-яіїєґ][a-zа-яіїєґ'’ʼ-]{3,}")
_AXIS_AFTER = re.compile(
    r"\s+(?:directions?|axis|axes|fronts?|sectors?|напрям\w*|направлени\w*)\b", re.IGNORECASE
)
# A separator is a comma or a whole conjunction word: "і"/"й"/"и" are letters too, and a
# pattern that let them split a word could try exponentially many splits of a long list.
# The list is bounded for the same reason (a clause naming hundreds of places stays linear).
_LIST_TO_AXIS = re.compile(
    r"(?:\s*,\s*(?:(?:and|or|та|і|й|и)\s+)?|\s+(?:and|or|та|і|й|и)\s+)[\w'’ʼ-]+"
    r"(?:(?:\s*,\s*(?:(?:and|or|та|і|й|и)\s+)?|\s+(?:and|or|та|і|й|и)\s+)[\w'’ʼ-]+){0,11}"
    r"\s+(?:directions|axes|fronts|напрямках|направлениях)\b",
    re.IGNORECASE,
)


_BEFORE_STEMS = (
    "річк",
    "ріки",
    "рікою",
    "річці",
    "река",
    "реки",
    "реке",
    "реку",
    "рекой",
    "river",
    "берег",
    "берез",
    "bank of",
    "бережж",
    "бережь",
    "гирл",
    "басейн",
    "бассейн",
    "приток",
    "омбр",
    "обр ",
    "бригад",
    "brigade",
    "батальйон",
    "battalion",
    "полк",
    "группировк",
    "угрупованн",
    "group",
)
_AXIS_STEMS = ("direction", "axis", "axes", "front", "sector", "напрям", "направлен")


_BEFORE, _AXIS, _RIVER, _AFTER, _TITLE_AT = range(5)

# A region or city named only inside a title or an institution ("глава ДНР", "голова
# Луганської ОВА", "губернатор Херсонской области", "Luhansk regional governor").
# word starts (the normalised text has spaces where punctuation was): "ода" alone is in "года"
_TITLE_STEMS = (
    " глав",
    " голов",
    " губернатор",
    " governor",
    " мер ",
    " мэр",
    " mayor",
    " ова ",
    " ода ",
    " адміністрац",
    " администрац",
    " горсовет",
    " міськрад",
    " administration",
)
_TITLE_BEFORE = re.compile(
    r"(?:глава|главы|главе|голова|голови|голові|губернатор\w*|governor|мер|мэр\w*|mayor)"
    r"(?:\s+(?:of|the))*\s+$",
    re.IGNORECASE,
)
_INSTITUTION_AFTER = re.compile(
    r"\s+(?:(?:обласн\w*|областн\w*|міськ\w*|городск\w*|районн\w*|regional)\s+)?"
    r"(?:(?:військов\w*|военн\w*|державн\w*|государствен\w*)\s+)?"
    r"(?:ова\b|ода\b|адміністрац\w*|администрац\w*|горсовет\w*|міськрад\w*|"
    r"governor|administration)",
    re.IGNORECASE,
)


@cache
def _cue_automaton() -> Any:
    """Substrings the rules look for, in one automaton (built once)."""
    auto = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    for kind, words in (
        (_BEFORE, _BEFORE_STEMS),
        (_AXIS, _AXIS_STEMS),
        (_RIVER, _RIVERS),
        (
            _AFTER,
            ("river", "group of", "district of", "microdistrict", "neighbourhood", "neighborhood"),
        ),
        (_TITLE_AT, _TITLE_STEMS),
    ):
        for w in words:
            if w not in auto:
                auto.add_word(w, kind)
    auto.make_automaton()
    return auto


ADJECTIVE = 2  # not_a_place(): an adjective at work, unless a cue stands before it
OTHER = 1  # a river, a grouping, a media name: never the settlement
INSTITUTION = 3  # a title or an institution's name: neither the region nor the city


def _near(positions: list[int], lo: int, hi: int) -> bool:
    """Is any of the (sorted) positions within [lo, hi]?"""
    i = bisect_left(positions, lo)
    return i < len(positions) and positions[i] <= hi


class PostReadings:
    """The per-name rules over one post; cheap word tests come before the regexes, since
    most names have no river, grouping or sector word next to them."""

    __slots__ = ("after", "axis_at", "before_at", "norm", "rivers", "text", "title_at", "titles")

    def __init__(self, text: str, norm: str) -> None:
        self.text = text
        self.norm = norm  # lower-cased, length-preserving, padded by one space at the start
        # one automaton pass finds the few words these rules need; most posts have none
        self.before_at: list[int] = []
        self.title_at: list[int] = []
        self.axis_at: list[int] = []
        self.rivers = self.after = self.titles = False
        for end, kind in _cue_automaton().iter(norm):
            if kind == _BEFORE:
                self.before_at.append(end)
            elif kind == _AXIS:
                self.axis_at.append(end)
            elif kind == _RIVER:
                self.rivers = True
            elif kind == _TITLE_AT:
                self.titles = True
                self.title_at.append(end)
            else:
                self.after = True

    def worth_a_look(self, start: int, end: int) -> bool:
        """The cheap test: could any rule apply to the name at ``start:end``?"""
        low = self.norm[start + 1 : end + 1]
        return bool(
            low.endswith(ADJ_ENDINGS)
            or self.text[end : end + 1] == "."
            or (self.before_at and _near(self.before_at, start - 40, start + 1))
            or (self.title_at and _near(self.title_at, start - 30, end + 60))
            or (self.rivers and low.startswith(_RIVERS))
            or self.after
        )

    def not_a_place(self, start: int, end: int) -> int:
        """0, or why the name is not the settlement: ``OTHER`` (a river, a force grouping, a
        media name) or ``ADJECTIVE`` (an adjective before its noun, "Українські війська")."""
        text = self.text
        low = self.norm[start + 1 : end + 1]
        if " " not in low:
            if low.endswith(_ADJ_AT_WORK) and _LOWER_NOUN.match(text, end) is not None:
                return ADJECTIVE
            if (
                low.endswith(_ADJ_FEM)
                and text[max(0, start - 3) : start].rstrip(" \t")[-1:] in ("", ".", "!", "?", "\n")
                and _LOWER_NOUN.match(text, end) is not None
            ):
                return OTHER  # at a sentence start: no cue can stand before it
        if text[end : end + 1] == "." and text[end + 1 : end + 2].isupper():
            return INSTITUTION  # "Крим.Реалії": a media name
        if (
            self.rivers
            and low.startswith(_RIVERS)
            and _ON_RIVER.search(text[max(0, start - 10) : start])
        ):
            return OTHER
        if (
            self.before_at
            and any(start - 40 <= at < start for at in self.before_at)
            and _NOT_PLACE_BEFORE.search(text[max(0, start - 40) : start])
        ):
            return OTHER
        if self.after and _NOT_PLACE_AFTER.match(text, end) is not None:
            return OTHER
        if self.titles and (
            _TITLE_BEFORE.search(text[max(0, start - 30) : start])
            or _INSTITUTION_AFTER.match(text, end)
        ):
            return INSTITUTION
        return 0

    def names_an_axis(self, end: int) -> bool:
        """ "Pokrovsk direction", "Kupyansk, Lymansk and Kramatorsk directions"."""
        if not self.axis_at or not any(end < at <= end + 170 for at in self.axis_at):
            return False
        text = self.text
        return (
            _AXIS_AFTER.match(text, end) is not None or _LIST_TO_AXIS.match(text, end) is not None
        )
