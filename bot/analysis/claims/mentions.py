"""Which named places a clause claims about: not axes, groupings or institutions, and for a
control word its object (the name or list right after it)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bot.analysis.claims import lexicon as lx
from bot.analysis.claims.model import FindPlaces, MentionLike, PlaceLike
from bot.analysis.claims.segment import Clause

Resolve = Callable[[str], Sequence[PlaceLike]]  # a word -> the places it may name
Named = list[tuple[MentionLike, PlaceLike]]

# Place kinds that name an area: "operation completed" over one covers every place inside.
AREA_KINDS = frozenset({"oblast", "region", "raion", "district", "country", "krai", "hromada"})

# A control word's unnamed object ("another village", "кілька населених пунктів").
_OBJECT_NOUNS = frozenset(
    [
        "village",
        "villages",
        "town",
        "towns",
        "city",
        "settlement",
        "settlements",
        "село",
        "села",
        "сіл",
        "селище",
        "селища",
        "населений",
        "населені",
        "населених",
        "населенный",
        "населенные",
        "населенных",
        "населённый",
        "населённые",
        "населённых",
        "пункт",
        "пункти",
        "пунктів",
        "пункты",
        "пунктов",
        "місто",
        "міста",
        "містами",
        "город",
        "города",
        "городами",
        "поселок",
        "посёлок",
        "поселки",
        "hamlet",
    ]
)
# The gap between two names of one list, possibly over names the gazetteer lacks
# ("Казачья Локня, 1-й Княжий, 2-й Княжий, Замостье и Мирный").
_CHAIN = re.compile(
    r"^\s*(?:(?:,|\s(?:і|и|й|та|and)\b|[–—-])(?:\s*[A-ZА-ЯІЇЄҐ0-9][\w'’ʼ-]*){0,3}\s*)*"
    r"(?:,|\s(?:і|и|й|та|and)|,\s*(?:і|и|й|та|and)|[–—-])?\s*$"
)


# Words that may stand between two names of one list of objects: conjunctions ("а також",
# "as well as"), the nouns the names stand in apposition to ("села Бологовка"), and a
# locating preposition before an area ("Першотравневе в Дніпропетровській області, села …").
_LIST_WORDS = frozenset(
    {"і", "и", "й", "та", "а", "також", "также", "and", "also", "as", "well", "of", "the"}
    | _OBJECT_NOUNS
    | {"село", "селище", "селища", "поселка", "посёлка", "поселок", "сёла", "села", "villages"}
)
_LOCATING = frozenset({"в", "у", "на", "in"})
_GAP_WORD = re.compile(r"[\w'’ʼ]+(?:-[\w'’ʼ]+)*")


def _list_gap(gap: str, before_area: bool) -> bool:
    """Whether ``gap`` only links two names of one list (see ``_LIST_WORDS``)."""
    if re.search(r"[^\w\s,;'’ʼ–—-]", gap) or not re.search(r"[,;]|\w", gap):
        return False
    names = 0
    for w in _GAP_WORD.findall(gap):
        low = w.lower()
        if low in _LIST_WORDS or (before_area and low in _LOCATING):
            continue
        if w[:1].isupper():
            names += 1  # a name the gazetteer lacks, "України"
            if names <= 3:
                continue
        return False
    return True


def is_area(place: PlaceLike) -> bool:
    return place.kind in AREA_KINDS


# A name right after "grouping of forces" names the grouping ("угруповання військ «Курськ»").
_GROUPING = re.compile(
    r"(?:угрупованн\w*|группировк\w*|grouping|осув|оту|ouv)\s*(?:військ\w*|войск\w*|"
    r"of forces|of troops)?\s*[«\"“„']?\s*$",
    re.IGNORECASE,
)


# "глава Харьковской областной военной администрации" names who speaks, not where.
_INSTITUTION_AFTER = re.compile(
    r"\s+(?:областн\w*|міськ\w*|городск\w*|районн\w*)\s+(?:(?:військов\w*|военн\w*|"
    r"державн\w*|государствен\w*)\s+)?(?:адміністрац\w*|администрац\w*|рад\w*|совет\w*)",
    re.IGNORECASE,
)

_AXIS_AFTER = re.compile(
    r"\s+(?:front|фронт\w*|напрям\w*|направлени\w*|axis|direction)\b", re.IGNORECASE
)


def find_mentions(find_places: FindPlaces, text: str) -> tuple[Named, list[tuple[int, int]]]:
    """(places to claim about, spans of names that are not such places: axes, groupings)."""
    out: Named = []
    skipped: list[tuple[int, int]] = []
    for m in find_places(text):
        if m.place is None:
            continue
        if m.place.kind == "country":
            continue  # a country speaks; it is not where fighting is
        if (
            m.kind == "axis"
            or _GROUPING.search(text[max(0, m.start - 40) : m.start])
            or _AXIS_AFTER.match(text, m.end)
            or _INSTITUTION_AFTER.match(text, m.end)
        ):
            skipped.append((m.start, m.end))  # "Pokrovsk axis" is not Pokrovsk
            continue
        out.append((m, m.place))
    return out, skipped


def control_objects(
    text: str,
    named: Named,
    cl: Clause,
    toks: list[lx.Token],
    at: int,
    places: list[PlaceLike],
) -> list[PlaceLike]:
    """The places a control word takes as its object: the name or list right after it
    ("освободили Малорязанцево и Белую Гору", "the village of Voznesenka"), not every
    place of the clause ("…, north of Kurakhove, west of Donetsk city"). An unnamed
    object ("captured another village") takes none; no name after it: all of them."""
    after = sorted(
        (
            (m.start, m.end, p)
            for m, p in named
            if toks[at].end <= m.start and m.end <= cl.end and p in places
        ),
        key=lambda x: x[0],
    )
    if not after:
        return places
    between = [t for t in toks if toks[at].end <= t.start < after[0][0]]
    nouns = [n for n, t in enumerate(between) if t.low in _OBJECT_NOUNS]
    if nouns:
        rest = between[nouns[-1] + 1 :]
        apposition = re.search(r"[–—:]", text[between[nouns[-1]].end : after[0][0]])
        if rest and not apposition and any(t.low != "of" for t in rest):
            return []  # "захопили кілька населених пунктів у Курській області"
    elif len(between) > 3 or "," in text[toks[at].end : after[0][0]]:
        return places
    chain = [after[0]]
    for nxt in after[1:]:
        lo, hi = chain[-1][1], nxt[0]
        gap = text[lo:hi]
        if len(gap) > 80:
            break
        if not _CHAIN.match(gap):
            # an area named inside the gap locates the name before it ("Привольное
            # Запорожской области, Егоровка"): blank it, and allow "в" before it
            areas = [
                (m.start, m.end) for m, p in named if lo <= m.start and m.end <= hi and is_area(p)
            ]
            for a, b in areas:
                gap = gap[: a - lo] + " " * (b - a) + gap[b - lo :]
            if not _list_gap(gap, bool(areas) or is_area(nxt[2])):
                break
        chain.append(nxt)
    return list({p.id: p for _s, _e, p in chain}.values())


def place_after(
    text: str,
    toks: list[lx.Token],
    at: int,
    not_places: list[tuple[int, int]],
    resolve: Resolve,
) -> list[PlaceLike]:
    """The place a capitalised word right after the control verb names, if the
    gazetteer knows exactly one (the matcher skips some case forms: "Суджу")."""
    if at + 1 >= len(toks):
        return []
    tok = toks[at + 1]
    if any(a <= tok.start < b for a, b in not_places):
        return []  # an axis or a grouping, not a place
    word = text[tok.start : tok.end]
    if not word[:1].isupper() or len(word) < 3:
        return []
    found = [p for p in resolve(word) if p.kind != "country"]
    return found if len(found) == 1 else []


def gazetteer_resolve(word: str) -> Sequence[PlaceLike]:
    # Imported late: loading the gazetteer reads the bundled data file.
    from bot.analysis.places import get_gazetteer

    return get_gazetteer().resolve(word)
