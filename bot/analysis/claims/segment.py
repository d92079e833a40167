"""Clauses of a post: sentences, cut at contrastive conjunctions and at "and" before a verb."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.analysis.claims import lexicon as lx

_ABBREV = frozenset(
    {
        "м",
        "с",
        "смт",
        "обл",
        "сел",
        "н",
        "п",
        "р",
        "ст",
        "г",
        "пос",
        "вул",
        "ул",
        "св",
        "т",
        "д",
        "mr",
        "st",
        "vs",
        "no",
    }
)
_SENT_END = re.compile(r"[.!?…]+[\"»”']?\s+(?=[\"«“'(]?[A-ZА-ЯІЇЄҐ0-9])|\n+|;\s*")
_CLAUSE_SPLIT = re.compile(
    r",?\s+(?:але|проте|однак|тоді як|натомість|но|однако|тогда как|в то время как|"
    r"but|while|whereas|however)\s+|,\s+а\s+(?!також|также)|,\s+(?:where|де|где)\s+",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Clause:
    start: int
    end: int
    sentence: int


_AND = re.compile(r"\s(?:та|і|й|и|and)\s+(?=(\w+))", re.IGNORECASE)


def _and_splits(text: str, s: int, e: int) -> list[int]:
    """Offsets where "and" joins two clauses ("звільнили X та ведуть бої за Y"): the word
    after it is a verb."""
    lang = lx.detect_lang(text[s:e])
    return [m.start() for m in _AND.finditer(text, s, e) if lx.is_verb(m.group(1), lang)]


def segment(text: str) -> list[Clause]:
    """Sentences, then clauses at contrastive conjunctions and at "and" before a verb.
    Abbreviations do not end a sentence."""
    bounds: list[tuple[int, int]] = []
    pos = 0
    for m in _SENT_END.finditer(text):
        word = re.search(r"(\w+)\W*$", text[pos : m.start() + 1])
        if m.group().startswith(".") and word and word.group(1).lower() in _ABBREV:
            continue
        bounds.append((pos, m.start() + 1 if m.group()[0] in ".!?…" else m.start()))
        pos = m.end()
    bounds.append((pos, len(text)))
    out: list[Clause] = []
    for n, (s, e) in enumerate(bounds):
        cpos = s
        cuts = [(m.start(), m.end()) for m in _CLAUSE_SPLIT.finditer(text, s, e)]
        cuts += [(at, at + 1) for at in _and_splits(text, s, e)]
        for start, end in sorted(cuts):
            if start < cpos:
                continue
            if start > cpos:
                out.append(Clause(cpos, start, n))
            cpos = end
        if e > cpos and text[cpos:e].strip():
            out.append(Clause(cpos, e, n))
    return out
