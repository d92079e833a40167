"""Find place mentions in a post: one automaton pass, then context rules.

1. The automaton runs over the normalised text (space-padded keys, so only whole words
   match) and yields every key with its (place, flags) pairs.
2. Per hit: the name must be capitalised; a bare region/raion/hromada adjective
   ("Курської") needs its head noun after it ("обл.", "району", "громади"), possibly after
   a list ("Сумської та Курської областей"); a name that is also a common word (Суми,
   Перемога, Мирне) needs a settlement cue before it ("с.", "біля", "near") or a
   co-mentioned region that contains it; a bare preposition will do for a city only ("у
   Сумах", not "до Перемоги").
3. Overlaps: the longest hit wins.
4. Homonyms: the nearest co-mentioned containing unit decides (Олександрівці Краматорського
   району), then official over generated spellings, then the front-line list, then a city
   over villages; otherwise the mention stays ambiguous, with its candidates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.analysis.places import flags as F
from bot.analysis.places import readings as rd
from bot.analysis.places.gazetteer import Gazetteer, Place
from bot.analysis.places.normalise import norm_text

_WORD = re.compile(r"\S+")
_ADJACENT = re.compile(r"\s*(?:(?:у|в|на|in|of|in the|near)\s+)?$")
_CTX_WINDOW = 150  # characters around a common-word name in which its region must appear
_SENTENCE_END = re.compile(r"[.!?;\n]\s")
_EN_REGIONS = re.compile(  # after a name: ", Kursk and Bryansk regions"
    r"(?:(?:,\s*|\s+and\s+|\s+or\s+)[A-Z][\w'-]*)*\s+(?:[Rr]egions|[Oo]blasts|[Pp]rovinces|"
    r"border (?:region|area|areas))\b"
)
# before a name: "the people's republics of Donetsk and Lugansk"
_EN_REPUBLICS = re.compile(r"republics? of\s+(?:[A-Z][\w'-]*(?:,\s*|\s+and\s+))*$")
_LIST_GAP = re.compile(
    r"^\s*(?:,|\s(?:і|и|й|та|and|or|або|или)|,\s*(?:і|и|й|та|and))\s+$"
    r"|^,$"
)

STRONG_CUES = frozenset(
    [
        "село",
        "села",
        "селі",
        "селом",
        "сіл",
        "селах",
        "с",
        "смт",
        "селище",
        "селища",
        "селищі",
        "селищем",
        "м",
        "місто",
        "міста",
        "місті",
        "містом",
        "місту",
        "селу",
        "селищу",
        "городу",
        "поселку",
        "селе",
        "поселок",
        "поселка",
        "поселке",
        "поселком",
        "пос",
        "п",
        "пгт",
        "деревня",
        "деревни",
        "деревне",
        "д",
        "хутор",
        "хутора",
        "хуторе",
        "х",
        "village",
        "villages",
        "town",
        "towns",
        "city",
        "settlement",
        "settlements",
        "near",
        "біля",
        "поблизу",
        "неподалік",
        "околиці",
        "околицях",
        "околиць",
        "околицы",
        "окраине",
        "окраинах",
        "під",
        "под",
        "возле",
        "около",
        "близ",
        "сел",
        "районі",
        "районе",
        "районах",
        "area",
        "outskirts",
        "пункт",
        "пункту",
        "пункті",
        "пункти",
        "пунктів",
        "пунктах",
        "пункта",
        "пунктов",
        "пункты",
        "нп",
        "нпп",
        "напрямку",
        "направлении",
    ]
)
WEAK_CUES = frozenset(
    [
        "в",
        "у",
        "з",
        "із",
        "зі",
        "до",
        "від",
        "на",
        "по",
        "над",
        "через",
        "in",
        "at",
        "from",
        "to",
        "into",
        "around",
    ]
)
# "освободили Суджу": the object of a capture verb is a place, unless the name is an everyday
# word or a person's name ("звільнили Надію" frees a woman).
CAPTURE_VERBS = frozenset(
    [
        "звільнили",
        "звільнила",
        "звільнив",
        "звільнено",
        "захопили",
        "захопила",
        "захопив",
        "захоплено",
        "освободили",
        "освободила",
        "освободил",
        "освобождено",
        "захватили",
        "захватила",
        "захватил",
        "захвачено",
        "liberated",
        "captured",
    ]
)
# Everyday words that are village names: always treated as common words (the data file misses
# some, e.g. Злагода; adding them here needs no rebuild), and never placed by a capture verb.
EVERYDAY = frozenset(
    [
        "злагода",
        "злагоди",
        "злагоді",
        "злагоду",
        "злагодою",
        "нове",
        "новим",
        "новий",
        "нового",
        "новому",
        "слава",
        "слави",
        "славу",
        "надія",
        "надії",
        "надію",
        "мир",
        "миру",
        "мира",
        "згода",
        "згоди",
        "згоду",
        "перемога",
        "перемоги",
        "перемозі",
        "перемогу",
        "перемогою",
        "воля",
        "волі",
        "свобода",
        "свободи",
        "правда",
        "правди",
        "дружба",
        "дружби",
        "мрія",
        "мрії",
        "победа",
        "победы",
        "победу",
        "надежда",
        "надежды",
    ]
)
CONNECTORS = frozenset(["та", "і", "й", "и", "а", "також", "and", "or", "або", "или"])
TYPE_WORDS = (
    "сільськ",
    "міськ",
    "селищн",
    "територіальн",
    "сельск",
    "городск",
    "поселков",
    "муніципальн",
    "муниципальн",
)
SETTLEMENT = frozenset(("city", "town", "village"))
# Countries are too broad to pick a homonym: kpszsu lists "Курськ – рф, ТОТ Донецьк".
CONTAINERS = frozenset(("region", "raion", "hromada"))


@dataclass(frozen=True, slots=True)
class PlaceMention:
    place: Place | None
    kind: str
    start: int
    end: int
    surface: str
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Entry:
    cands: tuple[int, ...]
    weak: frozenset[int]  # places that have only generated spellings for this key
    special: bool  # has ADJ/COMMON/NOCAP pairs: needs the slow path
    axis: bool
    pairs: tuple[tuple[int, int], ...]


@dataclass(slots=True)
class _Hit:
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


class PlaceMatcher:
    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gaz = gazetteer
        self._places = gazetteer.places
        self._iter = gazetteer.automaton.iter
        self._key_len = gazetteer.key_len
        self._entries: dict[int, _Entry] = {}
        self._raions: dict[int, int] = {}
        self._last: tuple[str, tuple[PlaceMention, ...]] = ("", ())
        # places a name may mean something else: capitals (governments), first names
        self._suspects = frozenset(
            gazetteer.index[pid]
            for pid in rd.CAPITALS | gazetteer.first_names
            if pid in gazetteer.index
        )

    def find(self, text: str) -> list[PlaceMention]:
        """The place mentions in ``text``, in order.

        A stored post is read twice in a row (subscription matching, then claims; places,
        then claims in `dozor analyze`), so the last result is kept: each post is matched
        once. Mentions are immutable, so handing the same ones out again is safe.
        """
        last_text, found = self._last
        if text is not last_text and text != last_text:
            found = tuple(self._find(text))
            self._last = (text, found)
        return list(found)

    def _find(self, text: str) -> list[PlaceMention]:
        norm = " " + norm_text(text) + " "
        quotes = _quote_spans(text) if any(q in text for q in _QUOTES) else ()
        hits: list[_Hit] = []
        for end_idx, value in self._iter(norm):
            s = end_idx - self._key_len[value] + 1
            e = end_idx - 1
            hit = self._hit(text, norm, s, e, value, quotes)
            if hit is not None:
                hits.append(hit)
        if not hits:
            return []
        hits = _longest(hits)
        self._readings(text, norm, hits)
        if any(h.needs_ctx or h.adj_regions or text[h.start].isascii() for h in hits):
            self._lists(text, norm, hits)
            hits = [h for h in hits if h.cands]
        else:
            hits = [h for h in hits if h.cands]
        if any(len(h.cands) > 1 or h.needs_ctx for h in hits):
            self._context(text, hits)
        else:  # every name is unique and plain: nothing to weigh
            for h in hits:
                h.place = h.cands[0]
        starts = {h.start for h in hits}
        suspects = self._suspects
        return [
            self._mention(text, h)
            for h in hits
            if (
                h.place >= 0
                and (h.place not in suspects or not self._other_reading(text, h, starts))
            )
            or h.ambiguous
        ]

    # --- readings that are not the place ----------------------------------------------------

    def _readings(self, text: str, norm: str, hits: list[_Hit]) -> None:
        """Rivers, groupings, adjectives at work lose their settlements; sectors are axes."""
        post = rd.PostReadings(text, norm)
        for h in hits:
            if not h.cands:
                continue
            if post.axis_at and post.names_an_axis(h.end):
                h.axis = True
                continue
            if not post.worth_a_look(h.start, h.end):
                continue  # the common case: no adjective ending, no cue word nearby
            why = post.not_a_place(h.start, h.end)
            if why == rd.INSTITUTION:
                h.cands = []  # "голова Луганської ОВА": who speaks, not where
            elif why == rd.OTHER or (why == rd.ADJECTIVE and self._cue(norm, h.start) is None):
                h.cands = [c for c in h.cands if self._places[c].kind not in SETTLEMENT]

    def _other_reading(self, text: str, h: _Hit, starts: set[int]) -> bool:
        """A person ("Володимир Путін") or a government ("Moscow said", a dateline)."""
        p = self._places[h.place]
        if p.id in rd.CAPITALS and rd.names_a_government(text, h.start, h.end):
            return True
        if p.kind not in SETTLEMENT or h.end + 1 in starts or h.end + 2 in starts:
            return False  # "Слава Чернігівської області": a place follows, not a surname
        return p.id in self.gaz.first_names and rd.names_a_person(text, h.start, h.end)

    # --- per hit ------------------------------------------------------------------------------

    def _static(self, value: int, key: str) -> _Entry:
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
            got = _Entry(tuple(cands), frozenset(set(cands) - strong), special, axis, pairs)
            self._entries[value] = got
        return got

    def _hit(
        self, text: str, norm: str, s: int, e: int, value: int, quotes: tuple[tuple[int, int], ...]
    ) -> _Hit | None:
        entry = self._entries.get(value) or self._static(value, norm[s + 1 : e + 1])
        cap = not text[s].islower()
        if not cap and not entry.special:
            return None  # the common case: a lower-case word that is not a plain name
        if (e + 1 < len(text) and text[e] == "-" and text[e + 1].islower()) or (
            s > 1
            and text[s - 1] == "-"
            and text[s - 2].isalpha()
            and _lower_word_before(text, s - 1)
        ):
            return None  # part of a compound word: Ленд-ліз, пів-Європи (not Kupiansk-Shevchenkove)
        if not entry.pairs:  # a blocker ("Бабин Яр"): takes the span, yields no place
            return _Hit(s, e, [], set(), set(), False)
        if not entry.special:
            cands = list(entry.cands)
            if e - s <= 4 and text[s:e].isupper() and not _shouting(text, s):
                # an abbreviation (ТЕС, ЗСУ) that spells a village name
                cands = [c for c in cands if self._places[c].kind not in SETTLEMENT]
            if quotes and _quoted(quotes, s, e):  # угруповання "Курськ": a name of something else
                cands = [c for c in cands if self._places[c].kind not in SETTLEMENT]
            if not cands:
                return None
            return _Hit(s, e, cands, set(entry.weak), set(), entry.axis)
        return self._special_hit(text, norm, s, e, entry, cap, quotes)

    def _special_hit(
        self,
        text: str,
        norm: str,
        s: int,
        e: int,
        entry: _Entry,
        cap: bool,
        quotes: tuple[tuple[int, int], ...],
    ) -> _Hit | None:
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
                    cue = self._cue(norm, s)
                if cue is None:
                    if head is None:
                        head = _phrase_head(text, norm, e)
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
        if quotes and _quoted(quotes, s, e):
            cands = [c for c in cands if self._places[c].kind not in SETTLEMENT]
            if not cands:
                return None
        if adj_ok:
            # "Курська обл.": the head noun confirms the adjective; drop "Курська" = of Kursk
            cands = [c for c in cands if c in adj_ok] or cands
        hit = _Hit(s, e, cands, set(entry.weak), needs, entry.axis)
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
        words = list(_WORD.finditer(norm, e + 1, min(len(norm), e + 160)))[:12]
        for n, m in enumerate(words):
            w = m.group()
            end = m.end() - 1 if direct else -1
            if w.startswith(("обл", "област")):
                return "region", end
            if w.startswith("район") or w == "р":
                if w == "р" and direct and n + 1 < len(words):
                    end = words[n + 1].end() - 1  # "р-ну"
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

    @staticmethod
    def _cue(norm: str, s: int) -> str | None:
        seg = norm[max(0, s - 40) : s + 1].split()
        if not seg:
            return None
        last = seg[-1]
        if last in STRONG_CUES:
            return "strong"
        if len(seg) >= 2 and seg[-2] in STRONG_CUES and last in WEAK_CUES | {"of"}:
            return "strong"  # "village of", "біля с."
        if last in WEAK_CUES:
            return "weak"
        if last in CAPTURE_VERBS:
            return "verb"
        return None

    # --- across hits --------------------------------------------------------------------------

    def _lists(self, text: str, norm: str, hits: list[_Hit]) -> None:
        """A cue before the first name of a list ("сіл Мирне, Веселе та Перемога") covers all.

        Only a strong cue carries: a plain first name ("Удар по Харкову, Слава ЗСУ") says
        nothing about the word after the comma. It does vouch for a city, as a preposition
        would ("Маріуполь, Волноваха, Ізюм, Суми").
        """
        for h in hits:
            # "Belgorod and Bryansk regions": English names the oblast by its capital
            if (
                h.cands
                and text[h.start].isascii()
                and (
                    _EN_REGIONS.match(text, h.end)
                    or _EN_REPUBLICS.search(text[max(0, h.start - 60) : h.start])
                )
            ):
                # of homonym cities, the regional centre names the region (Donetsk, not the
                # Rostov town)
                top = max(self.gaz.rank[c] for c in h.cands)
                centres = [c for c in h.cands if self.gaz.rank[c] == top]
                regions = {self.gaz.index.get(self._places[c].region, -1) for c in centres}
                if len(regions) == 1 and -1 not in regions:
                    h.cands, h.needs_ctx, h.weak = list(regions), set(), set()
        prev: _Hit | None = None
        for h in hits:
            if (
                prev is not None
                and h.adj_regions
                and len(prev.cands) == 1
                and self._places[prev.cands[0]].kind == "region"
                and _LIST_GAP.match(text[prev.end : h.start])
            ):
                # "Харківська область, Донецька, Луганська": the head noun came first
                h.cands, h.needs_ctx, h.weak = list(h.adj_regions), set(), set()
            if (
                prev is not None
                and any(self._places[c].kind in SETTLEMENT for c in prev.cands)
                and _LIST_GAP.match(text[prev.end : h.start])
            ):
                if prev.cue or self._cue(norm, prev.start) == "strong":
                    h.needs_ctx.clear()
                    h.cue = True
                elif h.needs_ctx and not prev.needs_ctx:
                    h.needs_ctx -= {c for c in h.needs_ctx if self._places[c].kind == "city"}
            prev = h
        # ... and a list ending in plain names covers the common words before them
        # ("Рубіжне, Попасна, Золоте, Лисичанськ, Сєвєродонецьк").
        nxt: _Hit | None = None
        for h in reversed(hits):
            if (
                nxt is not None
                and h.needs_ctx
                and not nxt.needs_ctx
                and any(self._places[c].kind in SETTLEMENT for c in nxt.cands)
                and _LIST_GAP.match(text[h.end : nxt.start])
            ):
                h.needs_ctx.clear()
            nxt = h

    def _context(self, text: str, hits: list[_Hit]) -> None:
        places = self._places
        containers: list[tuple[int, int]] = []
        following: dict[int, tuple[int, int]] = {}  # hit index -> container right after it
        anchors: list[int] = []  # settlements named without doubt
        for i, h in enumerate(hits):
            if len(h.cands) == 1 and not h.needs_ctx:
                kind = places[h.cands[0]].kind
                if kind in CONTAINERS:
                    containers.append((h.start, h.cands[0]))
                    if i and _ADJACENT.match(text, hits[i - 1].end, h.start):
                        following[i - 1] = (h.start, h.cands[0])
                        # "Синьковка, Петропавловка, Ивановка Купянского района": the
                        # raion after a list locates every name of the list
                        j = i - 2
                        while j >= 0 and _LIST_GAP.match(text[hits[j].end : hits[j + 1].start]):
                            following.setdefault(j, (h.start, h.cands[0]))
                            j -= 1
                elif kind in SETTLEMENT:
                    anchors.append(h.cands[0])
            elif h.weak and not h.needs_ctx:
                # one official spelling against generated ones (Меловой, not "Мілова"):
                # it anchors the post as a unique name would
                strong = [c for c in h.cands if c not in h.weak]
                if len(strong) == 1 and places[strong[0]].kind in SETTLEMENT:
                    anchors.append(strong[0])
        ctx = _Ctx(text, containers, following, anchors)
        # Names in one list ("Кучерів Яр, Веселе, Рубіжне") lie close together: their
        # homonyms are weighed by the raions the list's names share.
        listed: set[int] = set()
        chain: dict[int, int] = {}  # hit index -> length of its list
        run = [0]
        for i in range(1, len(hits) + 1):
            if (
                i < len(hits)
                and hits[i].start - hits[i - 1].end <= 6  # a list gap is short: ", ", " та "
                and _LIST_GAP.match(text[hits[i - 1].end : hits[i].start])
            ):
                run.append(i)
                continue
            if len(run) > 1:
                listed |= set(run)
                chain.update({j: len(run) for j in run})
            run = [i]

        # a common word in a list of three or more names is one of them ("Веселе, Вільне,
        # Рубіжне, Кучерів Яр"), not in a pair ("Покровськ та Надія на краще")
        ctx.listed = {i for i in listed if not hits[i].needs_ctx or chain[i] >= 3}
        ctx.list_hits = [hits[i] for i in sorted(listed)]
        for i, h in enumerate(hits):
            if len(h.cands) == 1 and not h.needs_ctx:
                h.place = h.cands[0]
                continue
            cands = self._decide(h, i, ctx)
            if len(cands) == 1:
                h.place = cands[0]
            elif cands:
                h.ambiguous = tuple(cands)
        # A name the post already placed needs no cue the second time ("the village of
        # Krynky … positions at Krynky").
        placed = {h.place for h in hits if h.place >= 0}
        for h in hits:
            if h.place < 0 and not h.ambiguous:
                again = [c for c in h.cands if c in placed]
                if len(again) == 1:
                    h.place = again[0]
        # Second look at what is still ambiguous, now that homonyms nearby are resolved
        # ("між Василівкою та Камʼянським": both in one raion).
        if any(h.ambiguous for h in hits):
            done = {
                self._raion(h.place)
                for h in hits
                if h.place >= 0 and places[h.place].kind in SETTLEMENT
            } - {-1}
            hromadas = {
                self.gaz.parent[h.place]
                for h in hits
                if h.place >= 0 and places[h.place].kind in SETTLEMENT
            }
            for h in hits:
                if h.ambiguous:
                    near = [c for c in h.ambiguous if self._raion(c) in done]
                    if len(near) > 1:  # four Іванівки in Kupiansk raion: the hromada decides
                        near = [c for c in near if self.gaz.parent[c] in hromadas] or near
                    if len(near) == 1:
                        h.place, h.ambiguous = near[0], ()

    def _decide(self, h: _Hit, i: int, ctx: _Ctx) -> list[int]:
        """The candidates left after the rules, in order; one means resolved."""
        places = self._places
        cands = h.cands
        if len(cands) > 1:
            # "на Харківщині": the oblast, not the Sumy village named Харківщина
            regions_ = [c for c in cands if places[c].kind in ("region", "country")]
            cands = regions_ if len(regions_) == 1 else cands
        if (len(cands) > 1 or h.needs_ctx) and i in ctx.listed and i not in ctx.following:
            listed = self._by_list(cands, ctx)
            if len(listed) == 1:
                return listed
        if len(cands) > 1 or any(c in h.needs_ctx for c in cands):
            # "Олександрівці Краматорського району": a container right after decides
            inside = self._inside(h, [ctx.following[i]]) if i in ctx.following else []
            if not inside:
                cities = [c for c in cands if places[c].kind == "city" and c not in h.needs_ctx]
                # a common word is a place only next to its region, not pages away
                close = [
                    c
                    for c in ctx.containers
                    if abs(c[0] - h.start) <= _CTX_WINDOW
                    and not _SENTENCE_END.search(ctx.text, min(c[0], h.end), max(c[0], h.start))
                ]
                usable = close if any(c in h.needs_ctx for c in cands) else ctx.containers
                inside = cities if len(cities) == 1 else self._inside(h, usable)
            cands = [c for c in inside if c in cands] or [c for c in cands if c not in h.needs_ctx]
        if len(cands) > 1:
            # "Меловой, Подол и Суджа": homonyms go where the post's other places are
            near = [c for c in cands if self._raion(c) in ctx.raions(self._raion)]
            near = near or [c for c in cands if places[c].region in ctx.regions(places)]
            cands = near or cands
        if len(cands) > 1:
            cands = [c for c in cands if c not in h.weak] or cands
        if len(cands) > 1:
            # Миколаїв the oblast centre, not the small town in Lviv oblast
            cities = [c for c in cands if places[c].kind == "city"]
            if len(cities) > 1:
                top = max(self.gaz.rank[c] for c in cities)
                best = [c for c in cities if self.gaz.rank[c] == top]
                cands = best if top and len(best) == 1 else cands
        if len(cands) > 1:
            cands = [c for c in cands if places[c].frontline] or cands
        if len(cands) > 1:
            towns = [c for c in cands if places[c].kind in ("city", "town")]
            cands = towns if len(towns) == 1 else cands
        return cands

    def _by_list(self, cands: list[int], ctx: _Ctx) -> list[int]:
        """Candidates in the raion of the post's sure names, else in the raion most names of
        the list could share (at least two)."""
        near = [c for c in cands if self._raion(c) in ctx.raions(self._raion)]
        if near:
            return near
        if ctx.votes is None:  # counted once per post, only when a list needs it
            ctx.votes = {}
            for h in ctx.list_hits:
                for r in {self._raion(c) for c in h.cands} - {-1}:
                    ctx.votes[r] = ctx.votes.get(r, 0) + 1
        votes = ctx.votes
        best = max((votes.get(self._raion(c), 0) for c in cands), default=0)
        if best < 2:
            return []  # the list says nothing: the other rules decide
        return [c for c in cands if votes.get(self._raion(c), 0) == best]

    def _raion(self, i: int) -> int:
        got = self._raions.get(i)
        if got is None:
            got = next((a for a in self.gaz.ancestor_idx(i) if self._places[a].kind == "raion"), -1)
            self._raions[i] = got
        return got

    def _inside(self, h: _Hit, containers: list[tuple[int, int]]) -> list[int]:
        """Candidates inside the nearest container that holds any (nearest first)."""
        for _, c in sorted(containers, key=lambda item: abs(item[0] - h.start)):
            inside = [
                p
                for p in h.cands
                if p != c
                and (c in self.gaz.ancestor_idx(p) or self._places[p].region == self._places[c].id)
            ]
            if inside:
                return inside
        return []

    def _mention(self, text: str, h: _Hit) -> PlaceMention:
        end = h.extra_end if h.extra_end > h.end else h.end
        if h.place >= 0:
            p = self._places[h.place]
            return PlaceMention(p, "axis" if h.axis else p.kind, h.start, end, text[h.start : end])
        ids = tuple(self._places[c].id for c in h.ambiguous)
        kinds = {self._places[c].kind for c in h.ambiguous}
        kind = "axis" if h.axis else (kinds.pop() if len(kinds) == 1 else "village")
        return PlaceMention(None, kind, h.start, end, text[h.start : end], ids)


# Adjectival endings (a noun's -а/-у/-і would make "Макарові на Київщині" look like one).
_ADJ_END = (
    "ий",
    "ій",
    "ого",
    "ому",
    "им",
    "ім",
    "их",
    "ими",
    "е",
    "ої",
    "ою",
    "ая",
    "ое",
    "ой",
    "ую",
    "ые",
    "ых",
    "ый",
    "ська",
    "цька",
    "на",
    "ва",
)


def _phrase_head(text: str, norm: str, e: int) -> bool:
    """Is the word at ``e`` an adjective followed by a lower-case noun ("Чорного моря")?"""
    m = _WORD.search(norm, e + 1, min(len(norm), e + 40))
    if m is None or m.start() > e + 3:  # the next word, right after a space or two
        return False
    nxt = text[m.start() - 1] if m.start() - 1 < len(text) else ""
    if not nxt.isalpha() or not nxt.islower() or len(m.group()) < 4:
        return False  # "на", "та", "і": a preposition or conjunction, not a noun
    word = norm[: e + 1].rsplit(" ", 1)[-1]
    return word.endswith(_ADJ_END)


_QUOTES = "«“„\"'"


def _shouting(text: str, s: int) -> bool:
    """Is the line around ``s`` written in capitals (a headline), not just this word?"""
    lo = text.rfind("\n", 0, s) + 1
    hi = text.find("\n", s)
    line = text[lo : hi if hi >= 0 else len(text)]
    return line.isupper() and len(line) > 12


_QUOTED = re.compile(r"«[^»]{1,60}»|“[^”]{1,60}”|„[^“]{1,60}“|\"[^\"]{1,60}\"")


def _quote_spans(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(m.span() for m in _QUOTED.finditer(text))


def _quoted(spans: tuple[tuple[int, int], ...], s: int, e: int) -> bool:
    """A quoted name: «Золота Зірка», угруповання “Курськ” name something else (a name
    inside a quoted phrase, «успіхи РФ у Вовчанську», is still the place)."""
    return any(a < s <= a + 2 and e < b for a, b in spans)


class _Ctx:
    """What the rest of the post says, for weighing one ambiguous mention."""

    def __init__(
        self,
        text: str,
        containers: list[tuple[int, int]],
        following: dict[int, tuple[int, int]],
        anchors: list[int],
    ) -> None:
        self.text = text
        self.containers = containers
        self.following = following
        self.anchors = anchors
        self._raions: set[int] | None = None
        self._regions: set[str] | None = None
        self.listed: set[int] = set()  # hits that stand in a list of names
        self.list_hits: list[_Hit] = []
        self.votes: dict[int, int] | None = None  # raion -> listed names that could lie there

    def raions(self, raion_of: Callable[[int], int]) -> set[int]:
        if self._raions is None:
            self._raions = {raion_of(a) for a in self.anchors} - {-1}
        return self._raions

    def regions(self, places: list[Place]) -> set[str]:
        """Regions of two or more unambiguous settlements."""
        if self._regions is None:
            count: dict[str, int] = {}
            for a in self.anchors:
                count[places[a].region] = count.get(places[a].region, 0) + 1
            self._regions = {r for r, n in count.items() if n >= 2}
        return self._regions


def _lower_word_before(text: str, hyphen: int) -> bool:
    """Does the word before ``hyphen`` start in lower case ("пів-Європи", not "Kupiansk-")?"""
    i = hyphen
    while i > 0 and (text[i - 1].isalpha() or text[i - 1] in "'’ʼ"):
        i -= 1
    return text[i : i + 1].islower()


def _longest(hits: list[_Hit]) -> list[_Hit]:
    hits.sort(key=lambda h: (h.start, h.start - h.end))
    out: list[_Hit] = []
    last_end = -1
    for h in hits:
        if h.start >= last_end:
            out.append(h)
            last_end = h.end
    return out
