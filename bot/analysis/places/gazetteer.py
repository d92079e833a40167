"""The gazetteer: places, their hierarchy and the automaton of all their surface forms.

Loaded once from the bundled ``bot/data/gazetteer.tsv.gz`` (built by
``scripts/build_gazetteer.py``). Each automaton key is a normalised form padded with spaces;
its value indexes ``codes``, a comma-joined list of ``place_index << 6 | flags``, decoded
lazily because most keys never occur in any post.
"""

from __future__ import annotations

import gzip
import json
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ahocorasick

from bot.analysis.places import flags as F
from bot.analysis.places.normalise import norm_key

DATA_FILE = Path(__file__).resolve().parent.parent.parent / "data" / "gazetteer.tsv.gz"
KIND_RANK = {
    "country": 0,
    "region": 1,
    "city": 2,
    "town": 3,
    "raion": 4,
    "hromada": 5,
    "village": 6,
}
SUGGEST_MAX_KEY = 40  # characters of a query scored for suggestions (the longest name: 33)
SUGGEST_MIN_SCORE = 60
HEADS = {
    "region": ("обл", "област", "oblast", "region"),
    "raion": ("район", "р", "district"),
    "hromada": ("громад", "тг", "отг", "hromada", "community"),
}


@dataclass(frozen=True, slots=True)
class Place:
    id: str
    name_en: str
    name_uk: str
    name_ru: str | None
    kind: str
    region: str
    parent_id: str | None
    frontline: bool


class Gazetteer:
    """Places by id, their ancestry, and name lookup for /track."""

    def __init__(
        self,
        places: list[Place],
        automaton: Any,
        codes: list[str],
        key_len: array[int],
        aliases: dict[str, int],
        meta: dict[str, Any],
        rank: list[int] | None = None,
    ) -> None:
        self.places = places
        self.automaton = automaton
        self.codes = codes
        self.key_len = key_len
        self.meta = meta
        self.aliases = aliases
        # 2: oblast centre, 1: raion centre, 0: other (ties between homonym cities)
        self.rank = rank or [0] * len(places)
        self.index: dict[str, int] = {p.id: i for i, p in enumerate(places)}
        # settlements named like a person (Володимир): the matcher checks what follows
        self.first_names: frozenset[str] = frozenset(meta.get("first_names", ()))
        self.index.update(aliases)
        self.parent: list[int] = [
            self.index.get(p.parent_id, -1) if p.parent_id else -1 for p in places
        ]
        self._decoded: dict[int, tuple[tuple[int, int], ...]] = {}
        self._ancestors: dict[int, tuple[int, ...]] = {}
        self._buckets: dict[str, tuple[list[str], list[int]]] | None = None

    # --- hierarchy --------------------------------------------------------------------------

    def get(self, place_id: str) -> Place:
        return self.places[self.index[place_id]]

    def idx(self, place_id: str) -> int:
        return self.index[place_id]

    def ancestors(self, place_id: str) -> tuple[str, ...]:
        return tuple(self.places[i].id for i in self.ancestor_idx(self.index[place_id]))

    def ancestor_idx(self, i: int) -> tuple[int, ...]:
        got = self._ancestors.get(i)
        if got is None:
            out = []
            p = self.parent[i]
            while p >= 0:
                out.append(p)
                p = self.parent[p]
            got = self._ancestors[i] = tuple(out)
        return got

    def contains(self, outer_id: str, inner_id: str) -> bool:
        o, i = self.index[outer_id], self.index[inner_id]
        return o == i or o in self.ancestor_idx(i)

    # --- forms --------------------------------------------------------------------------------

    def entry(self, value: int) -> tuple[tuple[int, int], ...]:
        """(place index, flags) pairs of automaton value ``value``."""
        got = self._decoded.get(value)
        if got is None:
            raw = self.codes[value]  # "" for a blocker phrase ("Бабин Яр")
            got = tuple((c >> F.SHIFT, c & F.MASK) for c in map(int, raw.split(","))) if raw else ()
            self._decoded[value] = got
        return got

    def lookup(self, key: str) -> tuple[tuple[int, int], ...]:
        value = self.automaton.get(" " + key + " ", -1)
        return self.entry(value) if value >= 0 else ()

    # --- /track -------------------------------------------------------------------------------

    def resolve(self, query: str) -> list[Place]:
        """Places a user's name means ("Kursk", "Курщина", "Купянск", "Курській області")."""
        key = norm_key(query)
        if not key:
            return []
        pairs = [(i, fl) for i, fl in self.lookup(key) if not fl & F.AXIS]
        words = key.split()
        if not pairs and len(words) >= 2:
            head = words[-1]
            kinds = [k for k, heads in HEADS.items() if head.startswith(heads)]
            base = " ".join(words[:-1])
            cand = self.lookup(base)
            pairs = [(i, fl) for i, fl in cand if self.places[i].kind in kinds] if kinds else []
            if not pairs and kinds:
                base = " ".join(w for w in words[:-1] if w not in ("сільська", "міська"))
                pairs = [(i, fl) for i, fl in self.lookup(base) if self.places[i].kind in kinds]
        if not pairs:
            return []
        strong = [(i, fl) for i, fl in pairs if not fl & F.ADJ] or pairs
        idxs = dict.fromkeys(i for i, _ in strong)
        places = [self.places[i] for i in idxs]
        weak = {i for i, fl in strong if fl & F.WEAK}
        places.sort(
            key=lambda p: (
                # "Харківщина", "Курщина": the region before any village of that name
                p.kind not in ("region", "country"),
                self.index[p.id] in weak,
                norm_key(p.name_uk) != key
                and norm_key(p.name_en) != key
                and norm_key(p.name_ru or "") != key,
                KIND_RANK.get(p.kind, 9),
                not p.frontline,
                p.id,
            )
        )
        # "Kursk" may mean the oblast too: offer it after the city (a button, not a guess).
        for p in list(places):
            if p.kind == "city" and p.region in self.index:
                region = self.get(p.region)
                if (
                    region.kind == "region"
                    and region not in places
                    and any(
                        norm_key(n).startswith(key)
                        for n in (region.name_en, region.name_uk, region.name_ru or "")
                    )
                ):
                    places.append(region)
        return places

    def suggest(self, query: str, limit: int = 5) -> list[Place]:
        """Closest names for an unknown query (rapidfuzz), best first, one per place.

        Bounded per call, since anyone can send a command: the query is cut to a little more
        than the longest name, and only names sharing its first letter are scored (about 7%
        of ~89k), with a score cut-off that lets rapidfuzz skip hopeless pairs early. A typo in
        the first letter finds nothing, which is the price of a few milliseconds per call."""
        from rapidfuzz import fuzz, process

        key = norm_key(query)[:SUGGEST_MAX_KEY].strip()
        if not key:
            return []
        names, owners = self._suggest_bucket(key[0])
        out: list[Place] = []
        seen: set[int] = set()
        found = process.extract(
            key, names, scorer=fuzz.WRatio, limit=limit * 8, score_cutoff=SUGGEST_MIN_SCORE
        )
        for _, _score, j in found:
            i = owners[j]
            if i in seen:
                continue
            seen.add(i)
            out.append(self.places[i])
        out.sort(key=lambda p: KIND_RANK.get(p.kind, 9))
        return out[:limit] if len(out) <= limit else _stable_top(out, limit)

    def _suggest_bucket(self, first: str) -> tuple[list[str], list[int]]:
        """Normalised names starting with ``first``, and the place index of each."""
        if self._buckets is None:
            buckets: dict[str, tuple[list[str], list[int]]] = {}
            for i, p in enumerate(self.places):
                for n in dict.fromkeys((p.name_uk, p.name_en, p.name_ru or "")):
                    key = norm_key(n) if n else ""
                    if key:
                        names, owners = buckets.setdefault(key[0], ([], []))
                        names.append(key)
                        owners.append(i)
            self._buckets = buckets
        return self._buckets.get(first, ([], []))

    def label(self, place_id: str, lang: str = "en") -> str:
        """ "Sudzha (Sudzhansky District, Kursk Oblast)": enough to tell homonyms apart.

        Villages and towns also show their hromada: Олександрівка repeats within a raion.
        """
        p = self.get(place_id)
        name = self.name(p, lang)
        parts = []
        for a in self.ancestor_idx(self.index[p.id]):
            anc = self.places[a]
            if anc.kind == "hromada" and p.kind in ("village", "town"):
                parts.append(self.name(anc, lang) + _HROMADA_WORD.get(lang, " hromada"))
            if anc.kind in ("raion", "region") and p.kind not in ("region", "country"):
                nm = self.name(anc, lang)
                if anc.kind == "raion" and not any(
                    w in nm.lower() for w in ("район", "raion", "district")
                ):
                    nm += _raion_word(lang)
                parts.append(nm)
        return f"{name} ({', '.join(parts)})" if parts else name

    @staticmethod
    def name(p: Place, lang: str) -> str:
        if lang == "uk":
            return p.name_uk
        if lang == "ru":
            return p.name_ru or p.name_uk
        return p.name_en


_HROMADA_WORD = {"uk": " громада", "ru": " громада"}


def _raion_word(lang: str) -> str:
    return {"uk": " р-н", "ru": " р-н"}.get(lang, " raion")


def _stable_top(places: list[Place], limit: int) -> list[Place]:
    return places[:limit]


def load(data: bytes | None = None) -> Gazetteer:
    """Read the bundled data file and build the automaton (≈0.5 s)."""
    if data is None:
        data = DATA_FILE.read_bytes()
    text = gzip.decompress(data).decode("utf-8")
    head, _, rest = text.partition("\n#places\n")
    meta = json.loads(head)
    place_block, _, form_block = rest.partition("\n#forms\n")
    rows = [ln.split("\t") for ln in place_block.split("\n")]
    ids = [r[0] for r in rows]
    places = [
        Place(
            r[0],
            r[4],
            r[5],
            r[6] or None,
            r[1],
            r[2],
            ids[int(r[3])] if r[3] else None,
            r[7] == "1",
        )
        for r in rows
    ]
    aliases = {a: i for i, r in enumerate(rows) if r[8] for a in r[8].split("|")}
    rank = [int(r[9]) if len(r) > 9 and r[9] else 0 for r in rows]
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    add = automaton.add_word
    codes: list[str] = []
    key_len = array("H")
    for line in form_block.split("\n"):
        if not line:
            continue
        key, _, code = line.partition("\t")
        add(" " + key + " ", len(codes))
        codes.append(code)
        key_len.append(len(key) + 2)
    automaton.make_automaton()
    return Gazetteer(places, automaton, codes, key_len, aliases, meta, rank)
