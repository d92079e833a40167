"""Cues a clause gives about how to read its claim words: questions, "no news of", quotes
of someone else's word, pronouns pointing at the post's place, claim nouns, relative
clauses; and the phrase families every claim starts from."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.analysis.claims import lexicon as lx
from bot.analysis.claims.segment import Clause

QUESTION = re.compile(r"\bчи ні\b|\bили нет\b|\bor not\b", re.IGNORECASE)
NO_NEWS = re.compile(
    r"не\s+(?:надходил\w*|надходить|зафіксован\w*|підтвердж\w*|поступал\w*|зафиксирован\w*|"
    r"подтвержд\w*)|\bno (?:data|information|confirmation)\b",
    re.IGNORECASE,
)


def scare_quoted(text: str, at: int) -> bool:
    """A control word in quotes of its own: «звільнення», "liberated" (someone's word)."""
    return at > 0 and text[at - 1] in "«\"“„'‘"


THERE = re.compile(
    r"\b(?:там|тут|в ньому|у ньому|навколо нього|в нем|в нём|вокруг него|there|in it|around it)\b",
    re.IGNORECASE,
)

# Words that name what is denied as someone's claims ("Заяви ворога — брехня").
CLAIM_WORDS = re.compile(
    r"заяв(?:а|и|і|у|ою|ам|ами|ах)\b|заявлени\w*|повідомленн\w*|сообщени\w*|\bclaims?\b|statements?",
    re.IGNORECASE,
)

RELATIVE = frozenset({"which", "that", "що", "який", "яка", "яке", "які", "который", "которая"})

NO_ANSWERS = frozenset({"ні", "нет", "no", "неправда"})


# The phrase families a claim of any kind starts from (see ``_PostReader._clause``).
CLAIM_FAMILIES = (
    lx.CONTROL,
    lx.COMPLETED,
    lx.DENIAL,
    lx.WITHDRAWAL,
    lx.ATTEMPT,
    lx.ATTACKS,
    *lx.FIGHTING.values(),
)


@dataclass(frozen=True, slots=True)
class Parsed:
    clause: Clause
    text: str
    lang: str
    toks: list[lx.Token]
    denial: int | None


def may_claim(p: Parsed) -> bool:
    return p.denial is not None or lx.may_match_any(CLAIM_FAMILIES, p.lang, p.toks)
