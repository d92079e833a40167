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

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from bot.core.tokens import Token, query_keys, token_keys, tokenize
from bot.errors import ExpressionError, KeywordExpressionError

MAX_LENGTH = 300
MAX_TERMS = 30
MAX_DEPTH = 8

QUOTES = "\"“”„«»"
MINUSES = "-−–—"  # hyphen, minus sign, en and em dash (phones substitute them)
_ENGLISH_OPS = {"and": "AND", "or": "OR", "not": "NOT"}
_UKRAINIAN_OPS = {"І": "AND", "АБО": "OR", "НЕ": "NOT"}


# --- documents -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, slots=True)
class Doc:
    """A post's text analysed once: its words, their keys and an index key → positions."""

    text: str
    tokens: tuple[Token, ...]
    keys: tuple[frozenset[str], ...]
    index: dict[str, list[int]] = field(repr=False)


def analyse_text(text: str) -> Doc:
    tokens = tuple(tokenize(text))
    keys = tuple(token_keys(t.norm) for t in tokens)
    index: dict[str, list[int]] = {}
    for pos, ks in enumerate(keys):
        for key in ks:
            bucket = index.get(key)
            if bucket is None:
                index[key] = [pos]
            else:
                bucket.append(pos)
    return Doc(text, tokens, keys, index)


_EMPTY = analyse_text("")


def _sequence_hits(doc: Doc, wanted: tuple[frozenset[str], ...]) -> list[tuple[int, int]]:
    """Token ranges (first, last) where consecutive words carry the wanted keys in turn."""
    starts: set[int] = set()
    for key in wanted[0]:
        starts.update(doc.index.get(key, ()))
    hits = []
    n = len(wanted)
    for start in sorted(starts):
        if start + n > len(doc.keys):
            break
        if all(not wanted[i].isdisjoint(doc.keys[start + i]) for i in range(1, n)):
            hits.append((start, start + n - 1))
    return hits


# --- the expression tree -------------------------------------------------------------------


class Expr:
    """Base of the tree. Nodes are frozen dataclasses: ``==`` is structural."""

    def matches(self, doc: Doc) -> bool:
        raise NotImplementedError

    def canonical(self) -> str:
        raise NotImplementedError

    def _leaves(self, positive: bool) -> list[tuple[bool, Term]]:
        raise NotImplementedError

    def highlights(self, doc: Doc) -> list[tuple[int, int]]:
        """Character spans in ``doc.text`` of the matched terms that are not negated,
        sorted and merged, for bolding."""
        ranges: set[tuple[int, int]] = set()
        for positive, leaf in self._leaves(True):
            if positive:
                ranges.update(leaf.hits(doc))
        spans: list[tuple[int, int]] = []
        for first, last in sorted(ranges):
            start, end = doc.tokens[first].start, doc.tokens[last].end
            if spans and start <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            else:
                spans.append((start, end))
        return spans

    def terms(self) -> list[Term]:
        """Every word and phrase in the expression, negated or not."""
        return [leaf for _, leaf in self._leaves(True)]

    def __str__(self) -> str:
        return self.canonical()


class Term(Expr):
    def hits(self, doc: Doc) -> list[tuple[int, int]]:
        raise NotImplementedError

    def _leaves(self, positive: bool) -> list[tuple[bool, Term]]:
        return [(positive, self)]


@dataclass(frozen=True, slots=True)
class Word(Term):
    """One normalised word; a hyphenated one also matches its parts written apart."""

    text: str

    def _wanted(self) -> frozenset[str]:
        return query_keys(self.text)

    def matches(self, doc: Doc) -> bool:
        index = doc.index
        if any(key in index for key in self._wanted()):
            return True
        return "-" in self.text and bool(self._parts_hits(doc))

    def _parts_hits(self, doc: Doc) -> list[tuple[int, int]]:
        parts = tuple(query_keys(p) for p in self.text.split("-") if p)
        return _sequence_hits(doc, parts) if len(parts) > 1 else []

    def hits(self, doc: Doc) -> list[tuple[int, int]]:
        positions: set[int] = set()
        for key in self._wanted():
            positions.update(doc.index.get(key, ()))
        hits = [(p, p) for p in sorted(positions)]
        if "-" in self.text:
            hits += self._parts_hits(doc)
        return hits

    def canonical(self) -> str:
        return f'"{self.text}"' if self.text in _ENGLISH_OPS else self.text


@dataclass(frozen=True, slots=True)
class Phrase(Term):
    """Two or more normalised words that must appear consecutively."""

    words: tuple[str, ...]

    def matches(self, doc: Doc) -> bool:
        return bool(self.hits(doc))

    def hits(self, doc: Doc) -> list[tuple[int, int]]:
        hits = _sequence_hits(doc, tuple(query_keys(w) for w in self.words))
        # "Гуляй Поле" also finds the name written as one word: Гуляй-Поле, Гуляйполе.
        positions: set[int] = set()
        for key in query_keys("-".join(self.words)):
            positions.update(doc.index.get(key, ()))
        return hits + [(p, p) for p in sorted(positions)]

    def canonical(self) -> str:
        return '"' + " ".join(self.words) + '"'


@dataclass(frozen=True, slots=True)
class Not(Expr):
    operand: Expr

    def matches(self, doc: Doc) -> bool:
        return not self.operand.matches(doc)

    def canonical(self) -> str:
        inner = self.operand.canonical()
        return f"NOT ({inner})" if isinstance(self.operand, And | Or) else f"NOT {inner}"

    def _leaves(self, positive: bool) -> list[tuple[bool, Term]]:
        return self.operand._leaves(not positive)


@dataclass(frozen=True, slots=True)
class And(Expr):
    items: tuple[Expr, ...]

    def matches(self, doc: Doc) -> bool:
        return all(item.matches(doc) for item in self.items)

    def canonical(self) -> str:
        return " AND ".join(
            f"({i.canonical()})" if isinstance(i, Or) else i.canonical() for i in self.items
        )

    def _leaves(self, positive: bool) -> list[tuple[bool, Term]]:
        return [leaf for item in self.items for leaf in item._leaves(positive)]


@dataclass(frozen=True, slots=True)
class Or(Expr):
    items: tuple[Expr, ...]

    def matches(self, doc: Doc) -> bool:
        return any(item.matches(doc) for item in self.items)

    def canonical(self) -> str:
        return " OR ".join(
            f"({i.canonical()})" if isinstance(i, And) else i.canonical() for i in self.items
        )

    def _leaves(self, positive: bool) -> list[tuple[bool, Term]]:
        return [leaf for item in self.items for leaf in item._leaves(positive)]


def _sort_key(e: Expr) -> str:
    return e.canonical()


def make_and(items: list[Expr]) -> Expr:
    """An AND in normal form: nested ANDs flattened, duplicates dropped, operands sorted."""
    flat: dict[str, Expr] = {}
    for item in items:
        for sub in item.items if isinstance(item, And) else (item,):
            flat.setdefault(_sort_key(sub), sub)
    ordered = [flat[k] for k in sorted(flat)]
    return ordered[0] if len(ordered) == 1 else And(tuple(ordered))


def make_or(items: list[Expr]) -> Expr:
    flat: dict[str, Expr] = {}
    for item in items:
        for sub in item.items if isinstance(item, Or) else (item,):
            flat.setdefault(_sort_key(sub), sub)
    ordered = [flat[k] for k in sorted(flat)]
    return ordered[0] if len(ordered) == 1 else Or(tuple(ordered))


def make_phrase(words: list[str]) -> Term:
    return Word(words[0]) if len(words) == 1 else Phrase(tuple(words))


# --- errors ----------------------------------------------------------------------------------

_MESSAGES: dict[str, dict[str, str]] = {
    "empty": {
        "en": "The expression is empty: give at least one word to look for, e.g. Kursk.",
        "uk": "Вираз порожній: вкажіть хоча б одне слово, наприклад Курськ.",
    },
    "too_long": {
        "en": "The expression is too long: {length} characters, at most {limit}.",
        "uk": "Вираз задовгий: {length} символів, а можна щонайбільше {limit}.",
    },
    "too_many_terms": {
        "en": "Too many words: at most {limit}; the one at character {col} is over the limit.",
        "uk": "Забагато слів: щонайбільше {limit}; слово на позиції {col} — зайве.",
    },
    "too_deep": {
        "en": "Brackets are nested too deeply at character {col}: at most {limit} levels.",
        "uk": "Задовга вкладеність дужок на позиції {col}: щонайбільше {limit} рівнів.",
    },
    "unclosed_quote": {
        "en": "The quote at character {col} is never closed: add the closing quote.",
        "uk": "Лапки на позиції {col} не закрито: додайте закривні лапки.",
    },
    "empty_phrase": {
        "en": "The quotes at character {col} hold no words: put words inside or remove them.",
        "uk": "У лапках на позиції {col} немає слів: додайте слова або приберіть лапки.",
    },
    "unclosed_paren": {
        "en": "The bracket “(” at character {col} is never closed: add “)”.",
        "uk": "Дужку «(» на позиції {col} не закрито: додайте «)».",
    },
    "unmatched_close": {
        "en": "The bracket “)” at character {col} has no matching “(”.",
        "uk": "Дужка «)» на позиції {col} не має пари «(».",
    },
    "empty_parens": {
        "en": "The brackets at character {col} are empty.",
        "uk": "Дужки на позиції {col} порожні.",
    },
    "missing_operand": {
        "en": "“{op}” at character {col} must be followed by a word, a phrase or brackets.",
        "uk": "Після «{op}» на позиції {col} має бути слово, фраза в лапках або дужки.",
    },
    "missing_left": {
        "en": "“{op}” at character {col} needs a word before it as well as after it.",
        "uk": "Перед «{op}» на позиції {col} теж має бути слово.",
    },
    "double_not": {
        "en": "Double negation at character {col}: “NOT NOT x” is just “x”; "
              "write it without the NOTs.",
        "uk": "Подвійне заперечення на позиції {col}: «НЕ НЕ x» — це просто «x»; "
              "напишіть без заперечень.",
    },
    "dangling_minus": {
        "en": "“{op}” at character {col} must be attached to what it excludes, "
              "e.g. -training.",
        "uk": "«{op}» на позиції {col} треба писати впритул до слова, яке виключаєте: "
              "-навчання.",
    },
    "only_negative": {
        "en": "The expression only says what to leave out, so it would match almost every "
              "post. Add a word to look for, e.g. Kursk -training.",
        "uk": "Вираз лише виключає слова, тож підійде майже кожен допис. Додайте слово, "
              "яке шукати, наприклад: Курськ -навчання.",
    },
}


def _fail(code: str, position: int | None, **params: object) -> KeywordExpressionError:
    if position is not None:
        params.setdefault("col", position + 1)
    message = _MESSAGES[code]["en"].format(**params)
    return KeywordExpressionError(message, position, code, params)


def describe(err: ExpressionError, lang: str) -> str:
    """The error in ``lang`` ("uk" or "en"; anything else gets English)."""
    if isinstance(err, KeywordExpressionError) and err.code in _MESSAGES:
        templates = _MESSAGES[err.code]
        return templates.get(lang, templates["en"]).format(**err.params)
    return str(err)


def pointer(expression: str, position: int | None, width: int = 40) -> str:
    """Two lines for a monospace block: a window of ``expression`` and a caret under the
    mistake. Empty when there is no position."""
    if position is None or not expression:
        return ""
    position = max(0, min(position, len(expression)))
    start = max(0, position - width // 2)
    window = expression[start : start + width]
    prefix = "…" if start else ""
    suffix = "…" if start + width < len(expression) else ""
    line = prefix + window.replace("\n", " ") + suffix
    return line + "\n" + " " * (len(prefix) + position - start) + "^"


# --- lexer -----------------------------------------------------------------------------------


class _Tok(NamedTuple):
    kind: str  # WORD PHRASE LPAREN RPAREN AND OR NOT MINUS
    pos: int
    words: tuple[str, ...] = ()
    raw: str = ""


_STOP = set(" \t\r\n\u00a0()") | set(QUOTES)


def _lex(expr: str) -> list[_Tok]:
    out: list[_Tok] = []
    terms = 0
    i, n = 0, len(expr)

    def count(words: int, pos: int) -> None:
        nonlocal terms
        terms += words
        if terms > MAX_TERMS:
            raise _fail("too_many_terms", pos, limit=MAX_TERMS)

    while i < n:
        ch = expr[i]
        if ch.isspace():
            i += 1
        elif ch == "(":
            out.append(_Tok("LPAREN", i))
            i += 1
        elif ch == ")":
            out.append(_Tok("RPAREN", i))
            i += 1
        elif ch in QUOTES:
            end = next((j for j in range(i + 1, n) if expr[j] in QUOTES), -1)
            if end == -1:
                raise _fail("unclosed_quote", i)
            words = tuple(t.norm for t in tokenize(expr[i + 1 : end]))
            if not words:
                raise _fail("empty_phrase", i)
            count(len(words), i)
            out.append(_Tok("PHRASE", i, words))
            i = end + 1
        elif ch in MINUSES:
            nxt = expr[i + 1] if i + 1 < n else ""
            if not nxt or nxt.isspace() or nxt == ")" or nxt in MINUSES:
                if nxt and nxt in MINUSES:
                    raise _fail("double_not", i + 1)
                raise _fail("dangling_minus", i, op=ch)
            out.append(_Tok("MINUS", i, raw="-"))
            i += 1
        else:
            j = i
            while j < n and expr[j] not in _STOP and not expr[j].isspace():
                j += 1
            run = expr[i:j]
            op = _ENGLISH_OPS.get(run.lower()) or _UKRAINIAN_OPS.get(run)
            if op:
                out.append(_Tok(op, i, raw=run))
            else:
                for t in tokenize(run):
                    count(1, i + t.start)
                    out.append(_Tok("WORD", i + t.start, (t.norm,)))
            i = j
    return out


# --- parser ----------------------------------------------------------------------------------

_BINARY = ("AND", "OR")
_NEGATIONS = ("NOT", "MINUS")
_STARTS_TERM = ("WORD", "PHRASE", "LPAREN", "NOT", "MINUS")


class _Parser:
    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def need_operand(self, op: _Tok) -> None:
        nxt = self.peek()
        if nxt is None or nxt.kind not in _STARTS_TERM:
            raise _fail("missing_operand", op.pos, op=op.raw or op.kind)

    def parse_or(self, depth: int) -> Expr:
        items = [self.parse_and(depth)]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.take()
            self.need_operand(tok)
            items.append(self.parse_and(depth))
        return make_or(items)

    def parse_and(self, depth: int) -> Expr:
        items = [self.parse_unary(depth)]
        while (tok := self.peek()) is not None and tok.kind in ("AND", *_STARTS_TERM):
            if tok.kind == "AND":
                self.take()
                self.need_operand(tok)
            items.append(self.parse_unary(depth))
        return make_and(items)

    def parse_unary(self, depth: int) -> Expr:
        tok = self.peek()
        if tok is not None and tok.kind in _NEGATIONS:
            self.take()
            self.need_operand(tok)
            nxt = self.peek()
            if nxt is not None and nxt.kind in _NEGATIONS:
                raise _fail("double_not", nxt.pos)
            operand = self.parse_primary(depth)
            if isinstance(operand, Not):
                raise _fail("double_not", tok.pos)
            return Not(operand)
        return self.parse_primary(depth)

    def parse_primary(self, depth: int) -> Expr:
        tok = self.take()
        if tok.kind == "WORD":
            return Word(tok.words[0])
        if tok.kind == "PHRASE":
            return make_phrase(list(tok.words))
        if tok.kind == "LPAREN":
            if depth >= MAX_DEPTH:
                raise _fail("too_deep", tok.pos, limit=MAX_DEPTH)
            nxt = self.peek()
            if nxt is None:
                raise _fail("unclosed_paren", tok.pos)
            if nxt.kind == "RPAREN":
                raise _fail("empty_parens", tok.pos)
            inner = self.parse_or(depth + 1)
            close = self.peek()
            if close is None or close.kind != "RPAREN":
                raise _fail("unclosed_paren", tok.pos)
            self.take()
            return inner
        if tok.kind == "RPAREN":
            raise _fail("unmatched_close", tok.pos)
        # AND / OR where a term should start: nothing (usable) before it.
        raise _fail("missing_left", tok.pos, op=tok.raw or tok.kind)


def parse(expr: str) -> Expr:
    """Parse a /keyword expression into its normal form.

    Raises ``KeywordExpressionError`` (an ``ExpressionError``) for anything that is not a
    valid, useful expression; ``describe(err, lang)`` words it for the user.
    """
    if len(expr) > MAX_LENGTH:
        raise _fail("too_long", MAX_LENGTH, length=len(expr), limit=MAX_LENGTH)
    toks = _lex(expr)
    if not toks:
        raise _fail("empty", None)
    parser = _Parser(toks)
    tree = parser.parse_or(0)
    rest = parser.peek()
    if rest is not None:
        # parse_and consumes every term-starting token, so only a stray ")" can remain.
        raise _fail("unmatched_close", rest.pos)
    if tree.matches(_EMPTY):
        raise _fail("only_negative", 0)
    return tree

