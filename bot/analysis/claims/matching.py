"""Phrase matching over lemmatised tokens.

A phrase is a space-separated sequence of slots; a slot lists alternatives with ``|``; an
alternative ending in ``*`` matches any word starting with it. Words of a phrase must appear
in order, at most ``MAX_GAP`` words apart. ``A & B`` means both parts anywhere in the clause.
Ukrainian and Russian words are compared by pymorphy3 lemma; English words as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache

import pymorphy3

from bot.core.morph import analyzer

MAX_GAP = 3

_WORD = re.compile(r"[\w'’ʼ-]+", re.UNICODE)
_UK_ONLY = re.compile(r"[іїєґІЇЄҐ]")
_RU_ONLY = re.compile(r"[ыэъёЫЭЪЁ]")
_CYR = re.compile(r"[а-яА-Я]")


def detect_lang(text: str, cyrillic: str = "cy") -> str:
    """'uk', 'ru' or 'en'. Letters unique to one alphabet decide; counts break ties;
    Cyrillic with neither kind of letter is ``cyrillic`` ("cy": both, undecided)."""
    uk = len(_UK_ONLY.findall(text))
    ru = len(_RU_ONLY.findall(text))
    if uk or ru:
        return "uk" if uk >= ru else "ru"
    return cyrillic if _CYR.search(text) else "en"


def _analyzer(lang: str) -> pymorphy3.MorphAnalyzer:
    return analyzer(lang)  # shared with the search terms: one load per process


@lru_cache(maxsize=200_000)
def lemmas(word: str, lang: str) -> frozenset[str]:
    """The lemmas of a lower-case word (all parses' normal forms, plus the word itself)."""
    if lang == "en" or not _CYR.search(word):
        return frozenset({word})
    if lang == "cy":
        return lemmas(word, "uk") | lemmas(word, "ru")
    forms = {word}
    for parse in _analyzer(lang).parse(word)[:3]:
        forms.add(parse.normal_form.replace("ё", "е"))
    return frozenset(forms)


@lru_cache(maxsize=50_000)
def is_verb(word: str, lang: str) -> bool:
    """Whether a word is most likely a finite verb (clause boundary after "та"/"и")."""
    low = word.lower()
    if lang == "en":
        return low in _EN_VERBS or (low.endswith("ed") and len(low) > 4)
    langs = ("uk", "ru") if lang == "cy" else (lang,)
    return any(_analyzer(code).parse(low)[0].tag.POS == "VERB" for code in langs)


_EN_VERBS = frozenset(
    {
        "continue",
        "continues",
        "are",
        "is",
        "hold",
        "holds",
        "remain",
        "remains",
        "say",
        "says",
        "said",
        "repelled",
        "keep",
        "keeps",
    }
)


class Token:
    __slots__ = ("end", "forms", "low", "start")

    def __init__(self, low: str, forms: frozenset[str], start: int, end: int) -> None:
        self.low = low
        self.forms = forms
        self.start = start
        self.end = end


class Tokens(list[Token]):
    """A clause's tokens, with the set of all their words and lemmas (built once): a phrase
    whose plain words are not all in it cannot match, and most phrases are ruled out so."""

    __slots__ = ("_words",)

    def words(self) -> frozenset[str]:
        try:
            return self._words
        except AttributeError:
            self._words: frozenset[str] = frozenset(w for t in self for w in (t.low, *t.forms))
            return self._words


def tokenize(text: str, lang: str, offset: int = 0) -> Tokens:
    out = Tokens()
    for m in _WORD.finditer(text):
        low = m.group().lower().replace("ё", "е").replace("’", "'").replace("ʼ", "'")
        out.append(Token(low, lemmas(low, lang), offset + m.start(), offset + m.end()))
    return out


Slot = tuple[frozenset[str], tuple[str, ...]]  # exact lemmas, prefixes
Pattern = tuple[tuple[Slot, ...], ...]  # parts joined by '&'; each part a slot sequence


def _slot(spec: str) -> Slot:
    alts = [a.replace("ё", "е") for a in spec.split("|")]
    return (
        frozenset(a for a in alts if not a.endswith("*")),
        tuple(a[:-1] for a in alts if a.endswith("*")),
    )


@cache
def compile_phrase(phrase: str) -> Pattern:
    return tuple(tuple(_slot(s) for s in part.split()) for part in phrase.split("&"))


def _impossible(pattern: Pattern, toks: list[Token]) -> bool:
    """Whether some slot of plain words has none of them among the clause's words."""
    if not isinstance(toks, Tokens):
        return False
    words = toks.words()
    return any(
        not prefixes and exact.isdisjoint(words) for seq in pattern for exact, prefixes in seq
    )


def _slot_hits(slot: Slot, tok: Token) -> bool:
    exact, prefixes = slot
    if tok.low in exact or not exact.isdisjoint(tok.forms):
        return True
    return any(tok.low.startswith(p) for p in prefixes)


def _seq_at(seq: tuple[Slot, ...], toks: list[Token], i: int) -> int | None:
    """If ``seq`` matches starting exactly at token i, the index of its last token."""
    if not _slot_hits(seq[0], toks[i]):
        return None
    pos = i
    for slot in seq[1:]:
        for j in range(pos + 1, min(pos + 2 + MAX_GAP, len(toks))):
            if _slot_hits(slot, toks[j]):
                pos = j
                break
        else:
            return None
    return pos


# The word -> token positions index of the last token list searched: every phrase of the
# lexicon is looked for in the same clause, so the index is built once per clause.
_indexed: list[tuple[list[Token], dict[str, list[int]]]] = []


def _token_index(toks: list[Token]) -> dict[str, list[int]]:
    if _indexed and _indexed[0][0] is toks:
        return _indexed[0][1]
    index: dict[str, list[int]] = {}
    for i, tok in enumerate(toks):
        for word in {tok.low, *tok.forms}:
            index.setdefault(word, []).append(i)
    _indexed[:] = [(toks, index)]
    return index


def _starts(slot: Slot, toks: list[Token]) -> Iterable[int]:
    """Positions where ``slot`` may match, ascending: all of them when it has prefixes,
    else those of its exact words (a speed-up only: ``_seq_at`` checks the slot again)."""
    exact, prefixes = slot
    if prefixes:
        return range(len(toks))
    index = _token_index(toks)
    return sorted({i for word in exact for i in index.get(word, ())})


def _may_match(phrase: str, index: dict[str, list[int]]) -> bool:
    """False when a part's first word occurs nowhere in the clause (a speed-up only)."""
    for seq in compile_phrase(phrase):
        exact, prefixes = seq[0]
        if not prefixes and not any(word in index for word in exact):
            return False
    return True


def find_phrase(phrase: str, toks: list[Token]) -> int | None:
    """Index of the token where the phrase (its first part) matches, or None."""
    parts = compile_phrase(phrase)
    if _impossible(parts, toks):
        return None
    first: int | None = None
    for n, seq in enumerate(parts):
        hit = next((i for i in _starts(seq[0], toks) if _seq_at(seq, toks, i) is not None), None)
        if hit is None:
            return None
        if n == 0:
            first = hit
    return first


def find_all(phrases: dict[str, tuple[str, ...]], lang: str, toks: list[Token]) -> list[int]:
    """Every token index where a phrase of ``lang`` (its first part) starts."""
    langs = ("uk", "ru") if lang == "cy" else (lang,)
    out: set[int] = set()
    for phrase in (p for code in langs for p in phrases.get(code, ())):
        parts = compile_phrase(phrase)
        if _impossible(parts, toks):
            continue
        for seq in parts[:1]:
            out.update(i for i in range(len(toks)) if _seq_at(seq, toks, i) is not None)
    return sorted(out)


def find_any(phrases: dict[str, tuple[str, ...]], lang: str, toks: list[Token]) -> int | None:
    """The earliest token index where any phrase of ``lang`` matches."""
    best: int | None = None
    langs = ("uk", "ru") if lang == "cy" else (lang,)
    index = _token_index(toks)
    for phrase in (p for code in langs for p in phrases.get(code, ())):
        if not _may_match(phrase, index):
            continue
        hit = find_phrase(phrase, toks)
        if hit is not None and (best is None or hit < best):
            best = hit
    return best
