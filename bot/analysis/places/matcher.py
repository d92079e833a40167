"""Find place mentions in a post: one automaton pass, then context rules.

1. The automaton runs over the normalised text (space-padded keys, so only whole words
   match) and yields every key with its (place, flags) pairs.
2. Per hit (``scan``): capitalisation, head nouns of adjectives, cues before common words.
3. Readings that are not the place (``readings``): rivers, groupings, institutions, people,
   governments, adjectives at work.
4. Across hits (``disambiguate``): lists, containers, homonyms.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.analysis.places import readings as rd
from bot.analysis.places.compounds import HEADS, compound_towns
from bot.analysis.places.disambiguate import Resolver
from bot.analysis.places.gazetteer import Gazetteer, Place
from bot.analysis.places.normalise import norm_text
from bot.analysis.places.scan import Hit, Scanner, longest
from bot.analysis.places.words import QUOTES, SETTLEMENT, cue_before, quote_spans


@dataclass(frozen=True, slots=True)
class PlaceMention:
    place: Place | None
    kind: str
    start: int
    end: int
    surface: str
    candidates: tuple[str, ...] = ()


class PlaceMatcher:
    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gaz = gazetteer
        self._places = gazetteer.places
        self._iter = gazetteer.automaton.iter
        self._key_len = gazetteer.key_len
        self._scanner = Scanner(gazetteer)
        self._resolver = Resolver(gazetteer)
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
        quotes = quote_spans(text) if any(q in text for q in QUOTES) else ()
        hits: list[Hit] = []
        scan = self._scanner.hit
        for end_idx, value in self._iter(norm):
            s = end_idx - self._key_len[value] + 1
            e = end_idx - 1
            hit = scan(text, norm, s, e, value, quotes)
            if hit is not None:
                hits.append(hit)
        towns = compound_towns(self.gaz, text, norm) if any(w in norm for w in HEADS) else []
        if not hits and not towns:
            return []
        hits = longest(hits)
        self._readings(text, norm, hits)
        if towns:  # "Покровсько-Мирноградська агломерація": the parts are the towns
            spans = [(s, e) for s, e, _ in towns]
            hits = [h for h in hits if not any(s < h.end and h.start < e for s, e in spans)]
            hits += [Hit(s, e, [idx], set(), set(), False) for s, e, idx in towns]
            hits.sort(key=lambda h: h.start)
        if any(h.needs_ctx or h.adj_regions or text[h.start].isascii() for h in hits):
            self._resolver.lists(text, norm, hits)
            hits = [h for h in hits if h.cands]
        else:
            hits = [h for h in hits if h.cands]
        if any(len(h.cands) > 1 or h.needs_ctx for h in hits):
            self._resolver.context(text, hits)
        else:  # every name is unique and plain: nothing to weigh
            for h in hits:
                h.place = h.cands[0]
        starts = {h.start: h for h in hits}
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

    def _readings(self, text: str, norm: str, hits: list[Hit]) -> None:
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
            elif why == rd.OTHER or (
                why == rd.ADJECTIVE and cue_before(norm, h.start, text) is None
            ):
                h.cands = [c for c in h.cands if self._places[c].kind not in SETTLEMENT]

    def _other_reading(self, text: str, h: Hit, starts: dict[int, Hit]) -> bool:
        """A person ("Володимир Путін") or a government ("Moscow said", a dateline)."""
        p = self._places[h.place]
        if p.id in rd.CAPITALS and rd.names_a_government(text, h.start, h.end):
            return True
        if p.kind not in SETTLEMENT:
            return False
        nxt = starts.get(h.end + 1) or starts.get(h.end + 2)
        if nxt is not None and any(self._places[c].kind not in SETTLEMENT for c in nxt.cands):
            # "Слава Чернігівської області": a region follows, not a surname (a surname may
            # spell a village: "Володимир Когут")
            return False
        return p.id in self.gaz.first_names and rd.names_a_person(text, h.start, h.end)

    def _mention(self, text: str, h: Hit) -> PlaceMention:
        end = h.extra_end if h.extra_end > h.end else h.end
        if h.place >= 0:
            p = self._places[h.place]
            return PlaceMention(p, "axis" if h.axis else p.kind, h.start, end, text[h.start : end])
        ids = tuple(self._places[c].id for c in h.ambiguous)
        kinds = {self._places[c].kind for c in h.ambiguous}
        kind = "axis" if h.axis else (kinds.pop() if len(kinds) == 1 else "village")
        return PlaceMention(None, kind, h.start, end, text[h.start : end], ids)
