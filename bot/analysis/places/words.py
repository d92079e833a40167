"""The words around a place name that say what it is: cue words, lists, quotes, adjectives.

Pure helpers over the text (and its normalised copy, same offsets plus one leading space)
shared by the hit scanner and the disambiguation pass.
"""

from __future__ import annotations

import re

WORD = re.compile(r"\S+")
ADJACENT = re.compile(r"\s*(?:(?:у|в|на|in|of|in the|near)\s+)?$")
CTX_WINDOW = 150  # characters around a common-word name in which its region must appear
SENTENCE_END = re.compile(r"[.!?;\n]\s")
EN_REGIONS = (
    re.compile(  # after a name: ", Kursk and Bryansk regions", "Donetsk and Dnipropetrovsk region"
        r"(?:(?:,\s*|\s+and\s+|\s+or\s+)[A-Z][\w'-]*)*\s+(?:[Rr]egions|[Oo]blasts|[Pp]rovinces|"
        r"border (?:region|area|areas))\b"
        r"|(?:(?:,\s*|\s+and\s+|\s+or\s+)[A-Z][\w'-]*)+\s+(?:[Rr]egion|[Oo]blast)\b"
    )
)
# before a regional centre's English name, words that make it the region: "the region of
# Donetsk", "villages in Zaporizhia", "No city in Donetsk", "parts of Kursk"
EN_REGION_BEFORE = re.compile(
    r"(?:\b(?:region|oblast|province|parts?)\s+of|\b(?:villages?|towns?|city|cities|"
    r"settlements?|areas?)\s+in)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# the word before a name that says it is no city: "село Ямпіль", "the village of Krynky"
VILLAGE_CUE = re.compile(
    r"(?<!\w)(?:с|село|села|селі|селом|селу|селище|селища|селищі|смт|пгт|поселок|поселка|"
    r"поселке|посёлок|деревня|деревни|хутор|хутора|village|villages)\.?\s+(?:of\s+)?$",
    re.IGNORECASE,
)
# a head noun before a list of region adjectives: "областей – Донецької та Луганської"
HEAD_BEFORE = re.compile(r"(?:област(?:ей|ях|ям|ями|і)|regions)\s*[:–—-]\s*$")
# before a name: "the people's republics of Donetsk and Lugansk"
EN_REPUBLICS = re.compile(r"republics? of\s+(?:[A-Z][\w'-]*(?:,\s*|\s+and\s+))*$")
# Names in a list: commas, conjunctions, and the dash of a road or a stretch of front
# ("Тошківка-Золоте", "Макарівка — Рівнопіль", "the Kupiansk–Shevchenkove road")
LIST_GAP = re.compile(
    r"^\s*(?:,|\s(?:і|и|й|та|and|or|або|или)|,\s*(?:і|и|й|та|and))\s+$"
    r"|^,$|^\s*[-–—]\s*$"
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
        "сила",
        "сили",
        "силы",
        "силу",
        "силі",
        "силою",
        "силой",
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


def cue_before(norm: str, s: int, text: str) -> str | None:
    """The word before a name: "strong" (с., біля, village of), "weak" (a preposition),
    "verb" (a capture verb) or None. A cue ends at punctuation: "окрестных сел, Силы обороны"
    (an abbreviation's full stop, "с. Мирне", is no end)."""
    seg = norm[max(0, s - 40) : s + 1].split()
    if not seg:
        return None
    last = seg[-1]
    if last in STRONG_CUES:
        got: str | None = "strong"
    elif len(seg) >= 2 and seg[-2] in STRONG_CUES and last in WEAK_CUES | {"of"}:
        got = "strong"  # "village of", "біля с."
    elif last in WEAK_CUES:
        got = "weak"
    elif last in CAPTURE_VERBS:
        got = "verb"
    else:
        return None
    j = s
    while j > 0 and norm[j] == " ":
        j -= 1
    gap = text[j:s]  # text offsets are norm offsets minus one
    if gap.strip() and (any(c in gap for c in ",;:!?") or ("." in gap and len(last) > 3)):
        return None
    return got


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


def phrase_head(text: str, norm: str, e: int) -> bool:
    """Is the word at ``e`` an adjective followed by a lower-case noun ("Чорного моря")?"""
    m = WORD.search(norm, e + 1, min(len(norm), e + 40))
    if m is None or m.start() > e + 3:  # the next word, right after a space or two
        return False
    nxt = text[m.start() - 1] if m.start() - 1 < len(text) else ""
    if not nxt.isalpha() or not nxt.islower() or len(m.group()) < 4:
        return False  # "на", "та", "і": a preposition or conjunction, not a noun
    word = norm[: e + 1].rsplit(" ", 1)[-1]
    return word.endswith(_ADJ_END)


QUOTES = "«“„\"'"


def shouting(text: str, s: int) -> bool:
    """Is the line around ``s`` written in capitals (a headline), not just this word?"""
    lo = text.rfind("\n", 0, s) + 1
    hi = text.find("\n", s)
    line = text[lo : hi if hi >= 0 else len(text)]
    return line.isupper() and len(line) > 12


_QUOTED = re.compile(r"«[^»]{1,60}»|“[^”]{1,60}”|„[^“]{1,60}“|\"[^\"]{1,60}\"")


def quote_spans(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(m.span() for m in _QUOTED.finditer(text))


def quoted(spans: tuple[tuple[int, int], ...], s: int, e: int) -> bool:
    """A quoted name: «Золота Зірка», угруповання “Курськ” name something else (a name
    inside a quoted phrase, «успіхи РФ у Вовчанську», is still the place)."""
    return any(a < s <= a + 2 and e < b for a, b in spans)


def lower_word_before(text: str, hyphen: int) -> bool:
    """Does the word before ``hyphen`` start in lower case ("пів-Європи", not "Kupiansk-")?"""
    i = hyphen
    while i > 0 and (text[i - 1].isalpha() or text[i - 1] in "'’ʼ"):
        i -= 1
    return text[i : i + 1].islower()
