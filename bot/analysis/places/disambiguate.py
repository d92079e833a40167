"""Disambiguation across the hits of one post: lists, containers, homonyms.

Names in a list share their cues and their raion; a common word is a place next to its
region; homonyms go to the nearest co-mentioned containing unit (Олександрівці
Краматорського району), then official over generated spellings, then the regional centre,
then the front-line list, then a town over villages; otherwise the mention stays ambiguous,
with its candidates.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.analysis.places.gazetteer import Gazetteer, Place
from bot.analysis.places.scan import Hit
from bot.analysis.places.words import (
    ADJACENT,
    CONTAINERS,
    CTX_WINDOW,
    EN_REGION_BEFORE,
    EN_REGIONS,
    EN_REPUBLICS,
    HEAD_BEFORE,
    LIST_GAP,
    SENTENCE_END,
    SETTLEMENT,
    VILLAGE_CUE,
    cue_before,
)


class Resolver:
    """Weighs the hits of one post against each other (caches each place's raion)."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gaz = gazetteer
        self._places = gazetteer.places
        self._raions: dict[int, int] = {}
        self._centres = frozenset(i for i, r in enumerate(gazetteer.rank) if r == 2)

    def lists(self, text: str, norm: str, hits: list[Hit]) -> None:
        """A cue before the first name of a list ("сіл Мирне, Веселе та Перемога") covers all.

        Only a strong cue carries: a plain first name ("Удар по Харкову, Слава ЗСУ") says
        nothing about the word after the comma. It does vouch for a city, as a preposition
        would ("Маріуполь, Волноваха, Ізюм, Суми").
        """
        if any(text[h.start].isascii() for h in hits if h.cands):
            self._english_regions(text, hits)
        prev: Hit | None = None
        head_list = False  # the previous hit took its head noun from before the list
        for h in hits:
            if h.adj_regions and (
                HEAD_BEFORE.search(text, max(0, h.start - 16), h.start)
                or (head_list and prev is not None and LIST_GAP.match(text[prev.end : h.start]))
            ):
                # "східних областей – Донецької та Луганської": the head noun came first
                h.cands, h.needs_ctx, h.weak = list(h.adj_regions), set(), set()
                head_list = True
                prev = h
                continue
            head_list = False
        prev = None
        for h in hits:
            if (
                prev is not None
                and h.adj_regions
                and len(prev.cands) == 1
                and self._places[prev.cands[0]].kind == "region"
                and LIST_GAP.match(text[prev.end : h.start])
            ):
                # "Харківська область, Донецька, Луганська": the head noun came first
                h.cands, h.needs_ctx, h.weak = list(h.adj_regions), set(), set()
            if (
                prev is not None
                and any(self._places[c].kind in SETTLEMENT for c in prev.cands)
                and LIST_GAP.match(text[prev.end : h.start])
            ):
                if prev.cue or cue_before(norm, prev.start, text) == "strong":
                    h.needs_ctx.clear()
                    h.cue = True
                elif h.needs_ctx and not prev.needs_ctx:
                    h.needs_ctx -= {c for c in h.needs_ctx if self._places[c].kind == "city"}
            prev = h
        # ... and a list ending in plain names covers the common words before them
        # ("Рубіжне, Попасна, Золоте, Лисичанськ, Сєвєродонецьк").
        nxt: Hit | None = None
        for h in reversed(hits):
            if (
                nxt is not None
                and h.needs_ctx
                and not nxt.needs_ctx
                and any(self._places[c].kind in SETTLEMENT for c in nxt.cands)
                and LIST_GAP.match(text[h.end : nxt.start])
            ):
                h.needs_ctx.clear()
            nxt = h

    def _english_regions(self, text: str, hits: list[Hit]) -> None:
        """English names an oblast by its centre: "Belgorod and Bryansk regions", "the region
        of Donetsk", "Netailove in Donetsk", a headline "Donetsk:", and a list that also names a
        region ("Donetsk, Kherson, Lugansk, Zaporizhzhia, and Crimea")."""
        places = self._places
        centres = self._centres
        prev: Hit | None = None
        run: list[Hit] = []
        for h in hits:
            # only an oblast centre can name its oblast: most names skip the patterns
            if h.cands and text[h.start].isascii() and not centres.isdisjoint(h.cands):
                line_start = text.rfind("\n", 0, h.start) + 1
                if (
                    EN_REGIONS.match(text, h.end)
                    or EN_REPUBLICS.search(text, max(0, h.start - 60), h.start)
                    or EN_REGION_BEFORE.search(text, max(0, h.start - 30), h.start)
                    or (not text[line_start : h.start].strip() and text.startswith(":", h.end))
                    or (
                        prev is not None
                        and text[prev.end : h.start] == " in "
                        and all(places[c].kind in SETTLEMENT for c in prev.cands)
                    )
                ):
                    self._to_region(h)
            if run and LIST_GAP.match(text[run[-1].end : h.start]) and text[h.start].isascii():
                run.append(h)
            else:
                self._region_list(run)
                run = [h] if text[h.start].isascii() else []
            prev = h
        self._region_list(run)

    def _region_list(self, run: list[Hit]) -> None:
        kinds = [self._places[h.cands[0]].kind if len(h.cands) == 1 else "" for h in run]
        if len(run) >= 3 and "region" in kinds:
            for h, kind in zip(run, kinds, strict=True):
                if kind != "region":
                    self._to_region(h)

    def _to_region(self, h: Hit) -> None:
        """Of homonym cities, the regional centre names the region (Donetsk, not the Rostov
        town); a name that is no regional centre stays as it is."""
        if not h.cands:
            return
        top = max(self.gaz.rank[c] for c in h.cands)
        centres = [c for c in h.cands if self.gaz.rank[c] == top]
        regions = {self.gaz.index.get(self._places[c].region, -1) for c in centres}
        if top == 2 and len(regions) == 1 and -1 not in regions:  # 2: an oblast centre
            h.cands, h.needs_ctx, h.weak = list(regions), set(), set()

    def context(self, text: str, hits: list[Hit]) -> None:
        places = self._places
        containers: list[tuple[int, int]] = []
        following: dict[int, tuple[int, int]] = {}  # hit index -> container right after it
        anchors: list[int] = []  # settlements named without doubt
        for i, h in enumerate(hits):
            if len(h.cands) == 1 and not h.needs_ctx:
                kind = places[h.cands[0]].kind
                if kind in CONTAINERS:
                    containers.append((h.start, h.cands[0]))
                    if i and ADJACENT.match(text, hits[i - 1].end, h.start):
                        following[i - 1] = (h.start, h.cands[0])
                        # "Синьковка, Петропавловка, Ивановка Купянского района": the
                        # raion after a list locates every name of the list
                        j = i - 2
                        while j >= 0 and LIST_GAP.match(text[hits[j].end : hits[j + 1].start]):
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
        ctx = Ctx(text, containers, following, anchors)
        # Names in one list ("Кучерів Яр, Веселе, Рубіжне") lie close together: their
        # homonyms are weighed by the raions the list's names share.
        listed: set[int] = set()
        chain: dict[int, int] = {}  # hit index -> length of its list
        run = [0]
        for i in range(1, len(hits) + 1):
            if (
                i < len(hits)
                and hits[i].start - hits[i - 1].end <= 6  # a list gap is short: ", ", " та "
                and LIST_GAP.match(text[hits[i - 1].end : hits[i].start])
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

    def _decide(self, h: Hit, i: int, ctx: Ctx) -> list[int]:
        """The candidates left after the rules, in order; one means resolved."""
        places = self._places
        cands = h.cands
        if len(cands) > 1:
            # "на Харківщині": the oblast, not the Sumy village named Харківщина
            regions_ = [c for c in cands if places[c].kind in ("region", "country")]
            cands = regions_ if len(regions_) == 1 else cands
        if len(cands) > 1 and VILLAGE_CUE.search(ctx.text, max(0, h.start - 16), h.start):
            # "село Ямпіль": the Donetsk village, not the Vinnytsia city
            cands = [c for c in cands if places[c].kind != "city"] or cands
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
                    if abs(c[0] - h.start) <= CTX_WINDOW
                    and not SENTENCE_END.search(ctx.text, min(c[0], h.end), max(c[0], h.start))
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

    def _by_list(self, cands: list[int], ctx: Ctx) -> list[int]:
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

    def _inside(self, h: Hit, containers: list[tuple[int, int]]) -> list[int]:
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


class Ctx:
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
        self.list_hits: list[Hit] = []
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
