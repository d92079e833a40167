"""Phrase matching over lemmatised tokens.

A phrase is a space-separated sequence of slots; a slot lists alternatives with ``|``; an
alternative ending in ``*`` matches any word starting with it. Words of a phrase must appear
in order, at most ``MAX_GAP`` words apart. ``A & B`` means both parts anywhere in the clause.
Ukrainian and Russian words are compared by pymorphy3 lemma; English words as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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
        self.forms = forms  # lemmas, and the word itself
        self.start = start
        self.end = end


class Tokens(list[Token]):
    """A clause's tokens, with the set of all their words and lemmas and a word -> positions
    index (each built once, on first use): a phrase whose plain words are not all in the set
    cannot match, and most phrases of every family are ruled out so without a scan."""

    __slots__ = ("_found", "_index", "_joined", "_words")

    def words(self) -> frozenset[str]:
        try:
            return self._words
        except AttributeError:
            self._words: frozenset[str] = frozenset(w for t in self for w in (t.low, *t.forms))
            return self._words

    def positions(self) -> dict[str, list[int]]:
        try:
            return self._index
        except AttributeError:
            index: dict[str, list[int]] = {}
            for i, tok in enumerate(self):
                for word in {tok.low, *tok.forms}:
                    index.setdefault(word, []).append(i)
            self._index: dict[str, list[int]] = index
            return index

    def joined(self) -> str:
        """The words, each after a space: " w1 w2 …" (prefix tests are one regex search)."""
        try:
            return self._joined
        except AttributeError:
            self._joined: str = "".join(" " + t.low for t in self)
            return self._joined

    def found(self) -> dict[tuple[int, str, bool], tuple[int, ...]]:
        """Results of family searches in these tokens, as tuples of positions (every clause
        is searched for some families several times)."""
        try:
            return self._found
        except AttributeError:
            self._found: dict[tuple[int, str, bool], tuple[int, ...]] = {}
            return self._found


def as_tokens(toks: Sequence[Token]) -> Tokens:
    return toks if isinstance(toks, Tokens) else Tokens(toks)


def _normal(text: str) -> str:
    return text.lower().replace("ё", "е").replace("’", "'").replace("ʼ", "'")


def tokenize(text: str, lang: str, offset: int = 0) -> Tokens:
    out = Tokens()
    low_text = _normal(text)
    if len(low_text) != len(text):  # a letter whose lower case is longer ("İ"): word by word
        for m in _WORD.finditer(text):
            low = _normal(m.group())
            out.append(Token(low, lemmas(low, lang), offset + m.start(), offset + m.end()))
        return out
    for m in _WORD.finditer(low_text):
        low = m.group()
        out.append(Token(low, lemmas(low, lang), offset + m.start(), offset + m.end()))
    return out


Slot = tuple[frozenset[str], tuple[str, ...]]  # exact lemmas, prefixes
Pattern = tuple[tuple[Slot, ...], ...]  # parts joined by '&'; each part a slot sequence
Phrases = Mapping[str, tuple[str, ...]]  # language -> phrases


def _slot(spec: str) -> Slot:
    alts = [a.replace("ё", "е") for a in spec.split("|")]
    return (
        frozenset(a for a in alts if not a.endswith("*")),
        tuple(a[:-1] for a in alts if a.endswith("*")),
    )


@cache
def compile_phrase(phrase: str) -> Pattern:
    return tuple(tuple(_slot(s) for s in part.split()) for part in phrase.split("&"))


@dataclass(frozen=True, slots=True)
class _Phrase:
    pattern: Pattern
    required: tuple[frozenset[str], ...]  # slots of plain words: each needs one in the clause


@dataclass(frozen=True, slots=True)
class _Family:
    """One phrase family of one language, compiled: its phrases, and what a clause must hold
    for any of them to start (a word of a first slot, or a word with a first-slot prefix)."""

    phrases: tuple[_Phrase, ...]
    first_words: frozenset[str]
    first_prefixes: re.Pattern[str] | None  # " prefix" in ``Tokens.joined``


# Families are module constants, so their ids are stable; the family is kept alongside.
_families: dict[tuple[int, str], tuple[Phrases, _Family]] = {}


def _family(phrases: Phrases, lang: str) -> _Family:
    got = _families.get((id(phrases), lang))
    if got is not None and got[0] is phrases:
        return got[1]
    langs = ("uk", "ru") if lang == "cy" else (lang,)
    compiled = []
    for text in (p for code in langs for p in phrases.get(code, ())):
        pattern = compile_phrase(text)
        required = tuple(exact for seq in pattern for exact, prefixes in seq if not prefixes)
        compiled.append(_Phrase(pattern, required))
    prefixes = sorted({pre for ph in compiled for pre in ph.pattern[0][0][1]})
    fam = _Family(
        tuple(compiled),
        frozenset(w for ph in compiled for w in ph.pattern[0][0][0]),
        re.compile(" (?:" + "|".join(map(re.escape, prefixes)) + ")") if prefixes else None,
    )
    _families[(id(phrases), lang)] = (phrases, fam)
    return fam


def _slot_hits(slot: Slot, tok: Token) -> bool:
    exact, prefixes = slot
    if not exact.isdisjoint(tok.forms) or tok.low in exact:
        return True
    return bool(prefixes) and tok.low.startswith(prefixes)


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


def _starts(slot: Slot, toks: Tokens) -> Iterable[int]:
    """Positions where ``slot`` may match, ascending."""
    exact, prefixes = slot
    if prefixes:
        return [i for i, t in enumerate(toks) if _slot_hits(slot, t)]
    index = toks.positions()
    hits = [i for word in exact for i in index.get(word, ())]
    return sorted(set(hits)) if len(hits) > 1 else hits


def _may_start(fam: _Family, toks: Tokens) -> bool:
    if not fam.first_words.isdisjoint(toks.words()):
        return True
    pre = fam.first_prefixes
    return pre is not None and pre.search(toks.joined()) is not None


def _possible(phrase: _Phrase, words: frozenset[str]) -> bool:
    return not any(exact.isdisjoint(words) for exact in phrase.required)


def _first_hit(pattern: Pattern, toks: Tokens) -> int | None:
    """Index of the token where the pattern (its first part) matches, or None; every other
    part must match somewhere too."""
    first: int | None = None
    for n, seq in enumerate(pattern):
        hit = next((i for i in _starts(seq[0], toks) if _seq_at(seq, toks, i) is not None), None)
        if hit is None:
            return None
        if n == 0:
            first = hit
    return first


def may_match(phrases: Phrases, lang: str, toks: Sequence[Token]) -> bool:
    """Whether some phrase of the family could match: its plain words are all in the
    clause (set tests only; no scan). False means ``find_any`` would give None."""
    tokens = as_tokens(toks)
    fam = _family(phrases, lang)
    if not _may_start(fam, tokens):
        return False
    words = tokens.words()
    return any(_possible(ph, words) for ph in fam.phrases)


_unions: dict[tuple[int, ...], tuple[tuple[Phrases, ...], Phrases]] = {}


def may_match_any(families: tuple[Phrases, ...], lang: str, toks: Sequence[Token]) -> bool:
    """``may_match`` for several families at once: one test of the words they all start
    from rules most clauses out."""
    key = tuple(map(id, families))
    got = _unions.get(key)
    if got is None or any(a is not b for a, b in zip(got[0], families, strict=True)):
        union = {
            code: tuple(p for fam in families for p in fam.get(code, ()))
            for code in {code for fam in families for code in fam}
        }
        got = (families, union)
        _unions[key] = got
    return may_match(got[1], lang, toks)


def find_phrase(phrase: str, toks: Sequence[Token]) -> int | None:
    """Index of the token where the phrase (its first part) matches, or None."""
    tokens = as_tokens(toks)
    pattern = compile_phrase(phrase)
    required = tuple(exact for seq in pattern for exact, prefixes in seq if not prefixes)
    if not _possible(_Phrase(pattern, required), tokens.words()):
        return None
    return _first_hit(pattern, tokens)


def find_all(phrases: Phrases, lang: str, toks: Sequence[Token]) -> list[int]:
    """Every token index where a phrase of ``lang`` (its first part) starts."""
    tokens = as_tokens(toks)
    key = (id(phrases), lang, True)
    memo = tokens.found()
    if key in memo:
        return list(memo[key])
    fam = _family(phrases, lang)
    out: set[int] = set()
    if _may_start(fam, tokens):
        words = tokens.words()
        for ph in fam.phrases:
            if not _possible(ph, words):
                continue
            seq = ph.pattern[0]
            out.update(i for i in _starts(seq[0], tokens) if _seq_at(seq, tokens, i) is not None)
    got = sorted(out)
    memo[key] = tuple(got)
    return got


def find_any(phrases: Phrases, lang: str, toks: Sequence[Token]) -> int | None:
    """The earliest token index where any phrase of ``lang`` matches."""
    tokens = as_tokens(toks)
    key = (id(phrases), lang, False)
    memo = tokens.found()
    if key in memo:
        return memo[key][0] if memo[key] else None
    fam = _family(phrases, lang)
    best: int | None = None
    if _may_start(fam, tokens):
        words = tokens.words()
        for ph in fam.phrases:
            if not _possible(ph, words):
                continue
            hit = _first_hit(ph.pattern, tokens)
            if hit is not None and (best is None or hit < best):
                best = hit
    memo[key] = () if best is None else (best,)
    return best
