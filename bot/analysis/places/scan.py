"""Candidate scanning: automaton hits over the normalised text, each checked on its own.

Per hit: the name must be capitalised; a bare region/raion/hromada adjective ("Курської")
needs its head noun after it ("обл.", "району", "громади"), possibly after a list; a name
that is also a common word (Суми, Перемога, Мирне) needs a settlement cue before it ("с.",
"біля", "near") or, later, a co-mentioned region that contains it; a bare preposition will do
for a city only ("у Сумах", not "до Перемоги"). Overlapping hits: the longest wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.analysis.places import flags as F
from bot.analysis.places.gazetteer import Gazetteer
from bot.analysis.places.words import (
    CONNECTORS,
    EVERYDAY,
    SETTLEMENT,
    TYPE_WORDS,
    WORD,
    cue_before,
    lower_word_before,
    phrase_head,
    quoted,
    shouting,
)


@dataclass(frozen=True, slots=True)
class Entry:
    cands: tuple[int, ...]
    weak: frozenset[int]  # places that have only generated spellings for this key
    special: bool  # has ADJ/COMMON/NOCAP pairs: needs the slow path
    axis: bool
    pairs: tuple[tuple[int, int], ...]


@dataclass(slots=True)
class Hit:
    start: int
    end: int
    cands: list[int]
    weak: set[int]
    needs_ctx: set[int]
    axis: bool
    adj_regions: list[int] = field(default_factory=list)
    cue: bool = False
    extra_end: int = -1
    place: int = -1
    ambiguous: tuple[int, ...] = field(default=())


class Scanner:
    """Turns automaton values into hits; caches what a value means out of context."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gaz = gazetteer
        self._places = gazetteer.places
        self._entries: dict[int, Entry] = {}

    def static(self, value: int, key: str) -> Entry:
        """What an automaton value means regardless of context (cached per value)."""
        got = self._entries.get(value)
        if got is None:
            pairs = self.gaz.entry(value)
            if key in EVERYDAY:
                pairs = tuple((pi, fl | F.COMMON) for pi, fl in pairs)
            cands = list(dict.fromkeys(pi for pi, _ in pairs))
            strong = {pi for pi, fl in pairs if not fl & F.WEAK}
            special = any(fl & (F.ADJ | F.COMMON | F.NOCAP) for _, fl in pairs)
            axis = any(fl & F.AXIS for _, fl in pairs)
            got = Entry(tuple(cands), frozenset(set(cands) - strong), special, axis, pairs)
            self._entries[value] = got
        return got

    def hit(
        self, text: str, norm: str, s: int, e: int, value: int, quotes: tuple[tuple[int, int], ...]
    ) -> Hit | None:
        entry = self._entries.get(value) or self.static(value, norm[s + 1 : e + 1])
        cap = not text[s].islower()
        if not cap and not entry.special:
            return None  # the common case: a lower-case word that is not a plain name
        if (e + 1 < len(text) and text[e] == "-" and text[e + 1].islower()) or (
            s > 1
            and text[s - 1] == "-"
            and text[s - 2].isalpha()
            and lower_word_before(text, s - 1)
        ):
            return None  # part of a compound word: Ленд-ліз, пів-Європи (not Kupiansk-Shevchenkove)
        if not entry.pairs:  # a blocker ("Бабин Яр"): takes the span, yields no place
            return Hit(s, e, [], set(), set(), False)
        if not entry.special:
            cands = list(entry.cands)
            if e - s <= 4 and text[s:e].isupper() and not shouting(text, s):
                # an abbreviation (ТЕС, ЗСУ) that spells a village name
                cands = [c for c in cands if self._places[c].kind not in SETTLEMENT]
            if quotes and quoted(quotes, s, e):  # угруповання "Курськ": a name of something else
                cands = [c for c in cands if self._places[c].kind not in SETTLEMENT]
            if not cands:
                return None
            return Hit(s, e, cands, set(entry.weak), set(), entry.axis)
        return self._special_hit(text, norm, s, e, entry, cap, quotes)

    def _special_hit(
        self,
        text: str,
        norm: str,
        s: int,
        e: int,
        entry: Entry,
        cap: bool,
        quotes: tuple[tuple[int, int], ...],
    ) -> Hit | None:
        seen: dict[int, None] = {}
        needs: set[int] = set()
        follower: tuple[str, int] | None = None
        cue: str | None = "?"  # "?" = not looked at yet
        head: bool | None = None
        adj_regions: list[int] = []
        adj_ok: list[int] = []
        ok: set[int] = set()
        for pi, fl in entry.pairs:
            if not cap and not fl & F.NOCAP:
                continue
            kind = self._places[pi].kind
            if fl & F.ADJ:
                if follower is None:
                    follower = self._follower(norm, e)
                if follower[0] != kind:
                    if kind == "region" and cap:
                        adj_regions.append(pi)
                    continue
                adj_ok.append(pi)
            if fl & F.COMMON and not fl & F.ADJ:
                if cue == "?":
                    cue = cue_before(norm, s, text)
                if cue is None:
                    if head is None:
                        head = phrase_head(text, norm, e)
                    if head:  # "Чорного моря", "Мирне населення": an adjective at work
                        continue
                # "у Рівному", "з Сум": a preposition is enough for a city, not for a town
                # ("до Перемоги", "з Новим роком"); "освободили Суджу": a capture verb is
                # enough unless the word is a person's name or an everyday word
                if (
                    cue != "strong"
                    and not (cue == "weak" and kind == "city")
                    and not (
                        cue == "verb" and not fl & F.FORCED and norm[s + 1 : e + 1] not in EVERYDAY
                    )
                ):
                    needs.add(pi)
                    seen[pi] = None
                    continue
            seen[pi] = None
            ok.add(pi)
        needs -= ok  # a place that has a plain reading of this word needs no context
        cands = list(seen)
        if not cands and not adj_regions:
            return None
        if quotes and quoted(quotes, s, e):
            cands = [c for c in cands if self._places[c].kind not in SETTLEMENT]
            if not cands:
                return None
        if adj_ok:
            # "Курська обл.": the head noun confirms the adjective; drop "Курська" = of Kursk
            cands = [c for c in cands if c in adj_ok] or cands
        hit = Hit(s, e, cands, set(entry.weak), needs, entry.axis)
        hit.cue = cue == "strong"
        hit.adj_regions = adj_regions
        if follower is not None and follower[1] >= 0:
            hit.extra_end = follower[1]
        return hit

    def _follower(self, norm: str, e: int) -> tuple[str, int]:
        """The head noun after an adjective: ("region"|"raion"|"hromada", its end) or ("", -1).

        The end is given only when the head belongs to this adjective alone (possibly after
        "сільської", "міської"...), not to a list ("Сумського та Охтирського районів").
        """
        direct = True
        # lazily: a list of fourteen oblasts ("у Київській, ..., Одеській областях") is long,
        # but most adjectives stop at their first word
        words = WORD.finditer(norm, e + 1, min(len(norm), e + 480))
        for n, m in enumerate(words):
            if n >= 40:
                break
            w = m.group()
            end = m.end() - 1 if direct else -1
            if w.startswith(("обл", "област")):
                return "region", end
            if w.startswith("район") or w == "р":
                nxt = next(words, None) if w == "р" and direct else None
                if nxt is not None:
                    end = nxt.end() - 1  # "р-ну"
                return "raion", end
            if w.startswith("громад") or w in ("тг", "отг"):
                return "hromada", end
            if w.startswith(TYPE_WORDS):
                continue
            direct = False
            if w in CONNECTORS:
                continue
            v = self.gaz.automaton.get(" " + w + " ", -1)
            if v >= 0 and any(fl & F.ADJ for _, fl in self.gaz.entry(v)):
                continue
            break
        return "", -1


def longest(hits: list[Hit]) -> list[Hit]:
    hits.sort(key=lambda h: (h.start, h.start - h.end))
    out: list[Hit] = []
    last_end = -1
    for h in hits:
        if h.start >= last_end:
            out.append(h)
            last_end = h.end
    return out
