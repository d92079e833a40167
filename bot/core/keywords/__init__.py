"""The /keyword expression language: parse once, match many posts cheaply, never a regex.

Syntax (precedence NOT > AND > OR; parentheses group)::

    kursk sudzha            two words, both required (adjacent terms are ANDed)
    "курська область"       a phrase: consecutive words, each in any inflected form
    kursk OR belgorod       either
    kursk -training         ``-word`` / ``-"phrase"`` / ``-( ... )`` excludes
    kursk AND NOT training  the same with words
    (a OR b) c              grouping

Decisions:

* Operators: ``AND OR NOT`` in any letter case (``and`` is an operator, so ``Kursk and
  Sudzha`` equals ``kursk AND sudzha``), and the Ukrainian ``І АБО НЕ`` in capitals only:
  lowercase "і" and "не" are ordinary words. To look for an operator word itself, quote it:
  ``"not"``.
* Double negation (``NOT NOT x``, ``--x``, ``NOT (-x)``) is rejected with a message saying to
  drop the NOTs: it is almost always a mistake, and the issue lists it as bad input.
* An expression that matches a post with no words at all (``-x``, ``a OR -b``,
  ``NOT (a b)``) is rejected: it would alert on nearly every post.
* Punctuation between words is ignored (``Kursk, Sudzha`` is ``kursk sudzha``); punctuation
  inside quotes is ignored too, as in the posts.
* Straight and typographic quotes are accepted (``" “ ” „ « »``), since phones substitute
  them. Any of them closes a phrase opened by any other.
* Matching uses ``bot.core.tokens``: case-, accent-, apostrophe-insensitive and
  inflection-aware for uk/ru (each phrase position independently).
* A hyphenated word matches its parts written apart and vice versa: ``Гуляй-Поле`` finds
  "Гуляй Поле" and "Гуляйполе"; ``"Гуляй Поле"`` finds "Гуляй-Поле".
* ``parse`` returns a normal form: AND/OR flattened, operands de-duplicated and sorted. So
  ``canonical()`` is a stable subscription key and ``parse(e.canonical()) == e``.

Limits: 300 characters (checked before any other work, so a 5,000-character argument costs
nothing), 30 words (phrase words included), 8 levels of brackets. ``canonical()`` can be
longer than the input (it spells out AND/NOT and folds ligatures): store it as TEXT.
"""

from bot.core.keywords.anchors import ALWAYS, anchor_terms
from bot.core.keywords.errors import describe, pointer
from bot.core.keywords.parser import parse
from bot.core.keywords.syntax import MAX_DEPTH, MAX_LENGTH, MAX_TERMS, MINUSES, QUOTES
from bot.core.keywords.tree import (
    And,
    Doc,
    Expr,
    Not,
    Or,
    Phrase,
    Term,
    Word,
    analyse_text,
    make_and,
    make_or,
    make_phrase,
)

__all__ = [
    "ALWAYS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_TERMS",
    "MINUSES",
    "QUOTES",
    "And",
    "Doc",
    "Expr",
    "Not",
    "Or",
    "Phrase",
    "Term",
    "Word",
    "analyse_text",
    "anchor_terms",
    "describe",
    "make_and",
    "make_or",
    "make_phrase",
    "parse",
    "pointer",
]
