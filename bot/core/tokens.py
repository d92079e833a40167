"""Words of uk/ru/en text and the keys that make their inflected forms meet.

One module serves both keyword matching (``bot.core.keywords``) and archive search, so that
"Харків" finds "Харкова" the same way in both.

A word's **keys** are strings; two word forms "match" when their key sets intersect:

* **Lemma keys** — every normal form of every *dictionary* parse of the word by pymorphy3's
  Ukrainian and Russian analysers (all parses, not just the likeliest: "курська" is both a
  form of "курськ" and of "курський"). Guesses for unknown words are garbage
  ("харківый") and are deliberately left out.
* **Stem keys** (prefixed ``~``) — a light suffix-stripped stem of each lemma (or of the word
  itself when no dictionary knows it), folded to a uk/ru "skeleton" (ь and apostrophes
  dropped, і/ї/ы/й→и, є/э→е, ґ→г). They join unknown words' forms ("Kupiansk's"/"Kupiansk",
  "Курщині"/"Курщина") and the Ukrainian and Russian spellings of one name ("Курській" ~
  "Курской", "Покровськ" ~ "Покровске"). The Ukrainian і of a final closed syllable also
  yields о/е variants, because that і alternates with them ("Харків"/"Харкова",
  "Київ"/"Киев").

Guarantee (tested): if a dictionary word form *w* appears in *text*, then for any form *v* of
the same lexeme, ``query_terms(v) & index_terms(text)`` is not empty. Both sides hold the
lexeme's lemma, since all dictionary parses are kept. For words no dictionary knows, stems
make the common endings meet, without a guarantee.

Known looseness: stems merge some distinct words ("Покровськ" and the village "Покровське";
"сума" and "Суми" already share a lemma). Place subscriptions use the gazetteer; this
module is for free-text keywords and search, where recall matters more.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from bot.core.morph import analyzer

STEM_PREFIX = "~"
MAX_KEY_WORD = 48  # longer "words" (hashes, URL junk) are matched verbatim, not analysed
_CACHE = 1 << 16  # distinct words; bounds memory to tens of MB

# Inside a word: letters, digits, combining marks (stress accents), invisible joiners and soft
# hyphens that copy-pasted text carries. Apostrophes and hyphens only join two word parts.
_IN = r"[\w\u0300-\u036f\u00ad\u200b-\u200d\u2060]"
_WORD_RE = re.compile(rf"[^\W_]{_IN}*(?:['’ʼ`‘][^\W\d_]{_IN}*|[-‐‑][^\W_]{_IN}*)*")
_HYPHENS = str.maketrans({"‐": "-", "‑": "-"})
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "‘": "'"})
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060"))
# Combining marks kept: й = и + breve, ї = і + diaeresis. Every other mark (stress accents,
# the diaeresis of ё) is dropped, so ё becomes е.
_KEEP_MARK = {"\u0306": "иИ", "\u0308": "іІ"}
# Latin letters that look Cyrillic, used by mistake or to dodge filters ("Харкiв").
_HOMOGLYPHS = str.maketrans("aceiopxyktmhb", "асеіорхуктмнв")
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_LATIN_RE = re.compile(r"[a-z]")
_ALL_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff'-]+")


class Token(NamedTuple):
    """A word of the original text: ``text[start:end]`` and its normalised form."""

    start: int
    end: int
    norm: str


def normalise(word: str) -> str:
    """Case-folded, accent-free, apostrophe- and hyphen-unified form of one word.

    Lengths may change (stress marks vanish), which is why offsets come from ``tokenize``
    on the original text, never from the normalised one.
    """
    if word.isascii():
        return word.lower().replace("`", "'")
    # Case first: casefold can itself produce apostrophes and combining marks (ŉ, İ), and
    # the result must be stable under a second normalisation.
    word = word.casefold().translate(_INVISIBLE).translate(_APOSTROPHES).translate(_HYPHENS)
    decomposed = unicodedata.normalize("NFD", word)
    if any(unicodedata.combining(ch) for ch in decomposed):
        kept: list[str] = []
        for ch in decomposed:
            if unicodedata.combining(ch):
                if kept and kept[-1] in _KEEP_MARK.get(ch, ""):
                    kept.append(ch)
                continue
            kept.append(ch)
        word = unicodedata.normalize("NFC", "".join(kept))
    folded = word
    if _CYRILLIC_RE.search(folded) and _LATIN_RE.search(folded):
        folded = folded.translate(_HOMOGLYPHS)
    return folded


def tokenize(text: str) -> list[Token]:
    """The words of ``text`` with offsets into ``text`` itself (Python str indices)."""
    found = []
    for m in _WORD_RE.finditer(text):
        norm = _norm_cached(m.group())
        if norm:
            found.append(Token(m.start(), m.end(), norm))
    return found


@lru_cache(maxsize=_CACHE)
def _norm_cached(raw: str) -> str:
    """``normalise`` made idempotent on the rare letters whose case folding yields a
    non-word character (ŉ → ʼn): a normalised word always tokenises to itself."""
    norm = normalise(raw)
    for _ in range(3):
        if _WORD_RE.fullmatch(norm) or not norm:
            return norm
        norm = normalise("".join(_WORD_RE.findall(norm)))
    return ""


# --- lemmas -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _analysers() -> tuple[object, ...]:
    """pymorphy3's dictionaries load once, on first use, not at import time (~0.1 s)."""
    return (analyzer("uk"), analyzer("ru"))


def dictionary_lemmas(word: str) -> frozenset[str]:
    """Normal forms of all dictionary parses of a normalised word by the uk and ru analysers."""
    found: set[str] = set()
    if not _ALL_CYRILLIC_RE.fullmatch(word):
        return frozenset()  # the dictionaries hold Cyrillic words only
    for morph in _analysers():
        for parse in morph.parse(word):  # type: ignore[attr-defined]
            if parse.is_known:
                found.add(parse.normal_form.replace("ё", "е"))
    return frozenset(found)


# Inflectional endings of uk and ru nouns and adjectives, longest first. Verbs are left alone:
# keywords and searches are overwhelmingly names and nouns.
_ENDINGS_CYR = tuple(
    sorted(
        [
            "ами",
            "ями",
            "ові",
            "еві",
            "єві",
            "ого",
            "его",
            "ому",
            "ему",
            "ими",
            "іми",
            "ыми",
            "ього",
            "ьому",
            "ою",
            "ею",
            "єю",
            "ів",
            "їв",
            "ей",
            "ов",
            "ев",
            "ах",
            "ях",
            "ам",
            "ям",
            "ом",
            "ем",
            "ій",
            "ий",
            "ый",
            "ой",
            "ої",
            "ії",
            "их",
            "іх",
            "ых",
            "им",
            "ім",
            "ым",
            "ая",
            "яя",
            "ое",
            "ее",
            "ую",
            "юю",
            "ія",
            "а",
            "я",
            "у",
            "ю",
            "і",
            "ї",
            "е",
            "є",
            "о",
            "и",
            "ы",
            "ь",
            "й",
        ],
        key=len,
        reverse=True,
    )
)
# Endings that are as often part of a name (Харків, Харьков, Львов) as an inflection.
_AMBIGUOUS = frozenset({"ів", "їв", "ов", "ев", "ей"})
_MIN_STEM = 3
_VOWELS = "аеєиіїоуюяыэё"
_ALTERNATION_RE = re.compile(rf"^(.+?)([ії])([^{_VOWELS}'ь]{{1,3}}ь?)$")
_SKELETON = str.maketrans(
    {
        "ь": None,
        "ъ": None,
        "'": None,
        "і": "и",
        "ї": "и",
        "ы": "и",
        "й": "и",
        "є": "е",
        "э": "е",
        "ґ": "г",
    }
)


def _strip_cyrillic(word: str) -> set[str]:
    for ending in _ENDINGS_CYR:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            stems = {word[: -len(ending)]}
            if ending in _AMBIGUOUS:
                stems.add(word)
            return stems
    return {word}


def _strip_english(word: str) -> str:
    if word.endswith("'s"):
        word = word[:-2]
    word = word.rstrip("'")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "xes", "sses", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def stems(word: str) -> frozenset[str]:
    """Stem keys (``~``-prefixed skeletons) of one normalised word."""
    if _CYRILLIC_RE.search(word):
        forms = {word}
        alt = _ALTERNATION_RE.match(word)
        if alt and len(word) >= 4:
            head, _, tail = alt.groups()
            forms |= {head + "о" + tail, head + "е" + tail}
        bases: set[str] = set()
        for form in forms:
            bases |= _strip_cyrillic(form) if form == word else {form}
        return frozenset(STEM_PREFIX + base.translate(_SKELETON) for base in bases)
    return frozenset({STEM_PREFIX + _strip_english(word)})


def _is_plain_word(word: str) -> bool:
    return word.isalpha() or all(ch.isalpha() or ch == "'" for ch in word)


@lru_cache(maxsize=_CACHE)
def lemmas(word: str) -> frozenset[str]:
    """All keys of one normalised, hyphen-free word: dictionary lemmas plus stem keys.

    Words with digits ("155", "су34") and overlong words are their own only key.
    """
    if len(word) > MAX_KEY_WORD or not _is_plain_word(word):
        return frozenset({word[:MAX_KEY_WORD]})
    if word.isascii():
        return stems(word)
    known = dictionary_lemmas(word)
    keys: set[str] = set(known)
    for base in known or {word}:
        keys |= stems(base)
    return frozenset(keys)


@lru_cache(maxsize=_CACHE)
def query_keys(norm: str) -> frozenset[str]:
    """Keys to look for when the user asks for the normalised word ``norm``.

    A hyphenated word ("гуляй-поле") is looked up as one word: its own lemmas with the
    hyphen removed, plus the keys of the parts written together ("гуляйполе"). So
    "Гуляй-Поле" and "Гуляйполе" find each other, but "Гуляй-Поле" does not find "поле".
    """
    if "-" not in norm:
        return lemmas(norm)
    joined = norm.replace("-", "")
    keys = set(lemmas(joined))
    if _is_plain_word(joined) and len(norm) <= MAX_KEY_WORD and not norm.isascii():
        keys |= {lemma.replace("-", "") for lemma in dictionary_lemmas(norm)}
    return frozenset(keys)


@lru_cache(maxsize=_CACHE)
def token_keys(norm: str) -> frozenset[str]:
    """Keys stored for a word of a text: its query keys plus, for a hyphenated word, each
    part's keys (so a search for "Франківськ" finds "Івано-Франківськ")."""
    if "-" not in norm:
        return lemmas(norm)
    keys = set(query_keys(norm))
    for part in norm.split("-"):
        if part:
            keys |= lemmas(part)
    return frozenset(keys)


# --- search interface ---------------------------------------------------------------------


def index_terms(text: str) -> set[str]:
    """Terms to store for ``text`` in the search index (one row per term)."""
    terms: set[str] = set()
    for token in tokenize(text):
        terms |= token_keys(token.norm)
    return terms


def query_terms(word: str) -> set[str]:
    """Terms to look up for one word the user searched for; a post matches the word when
    it has ANY of them. Input that splits into several words gives the union of their terms;
    use ``search_query`` for a whole query."""
    terms: set[str] = set()
    for token in tokenize(word):
        terms |= query_keys(token.norm)
    return terms


def search_query(text: str) -> list[frozenset[str]]:
    """A search query as AND of ORs: a post matches when, for every set, it has at least one
    of its terms. Duplicate words collapse; order follows the query."""
    groups: list[frozenset[str]] = []
    for token in tokenize(text):
        keys = query_keys(token.norm)
        if keys and keys not in groups:
            groups.append(keys)
    return groups
