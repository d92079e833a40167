"""Lexer and recursive-descent parser: text in, a normal-form expression tree out."""

from __future__ import annotations

from typing import NamedTuple

from bot.core.keywords.errors import fail
from bot.core.keywords.syntax import (
    ENGLISH_OPS,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_TERMS,
    MINUSES,
    QUOTES,
    UKRAINIAN_OPS,
)
from bot.core.keywords.tree import (
    EMPTY_DOC,
    Expr,
    Not,
    Word,
    make_and,
    make_or,
    make_phrase,
)
from bot.core.tokens import tokenize

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
            raise fail("too_many_terms", pos, limit=MAX_TERMS)

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
                raise fail("unclosed_quote", i)
            words = tuple(t.norm for t in tokenize(expr[i + 1 : end]))
            if not words:
                raise fail("empty_phrase", i)
            count(len(words), i)
            out.append(_Tok("PHRASE", i, words))
            i = end + 1
        elif ch in MINUSES:
            nxt = expr[i + 1] if i + 1 < n else ""
            if not nxt or nxt.isspace() or nxt == ")" or nxt in MINUSES:
                if nxt and nxt in MINUSES:
                    raise fail("double_not", i + 1)
                raise fail("dangling_minus", i, op=ch)
            out.append(_Tok("MINUS", i, raw="-"))
            i += 1
        else:
            j = i
            while j < n and expr[j] not in _STOP and not expr[j].isspace():
                j += 1
            run = expr[i:j]
            op = ENGLISH_OPS.get(run.lower()) or UKRAINIAN_OPS.get(run)
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
            raise fail("missing_operand", op.pos, op=op.raw or op.kind)

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
                raise fail("double_not", nxt.pos)
            operand = self.parse_primary(depth)
            if isinstance(operand, Not):
                raise fail("double_not", tok.pos)
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
                raise fail("too_deep", tok.pos, limit=MAX_DEPTH)
            nxt = self.peek()
            if nxt is None:
                raise fail("unclosed_paren", tok.pos)
            if nxt.kind == "RPAREN":
                raise fail("empty_parens", tok.pos)
            inner = self.parse_or(depth + 1)
            close = self.peek()
            if close is None or close.kind != "RPAREN":
                raise fail("unclosed_paren", tok.pos)
            self.take()
            return inner
        if tok.kind == "RPAREN":
            raise fail("unmatched_close", tok.pos)
        # AND / OR where a term should start: nothing (usable) before it.
        raise fail("missing_left", tok.pos, op=tok.raw or tok.kind)


def parse(expr: str) -> Expr:
    """Parse a /keyword expression into its normal form.

    Raises ``KeywordExpressionError`` (an ``ExpressionError``) for anything that is not a
    valid, useful expression; ``describe(err, lang)`` words it for the user.
    """
    if len(expr) > MAX_LENGTH:
        raise fail("too_long", MAX_LENGTH, length=len(expr), limit=MAX_LENGTH)
    toks = _lex(expr)
    if not toks:
        raise fail("empty", None)
    parser = _Parser(toks)
    tree = parser.parse_or(0)
    rest = parser.peek()
    if rest is not None:
        # parse_and consumes every term-starting token, so only a stray ")" can remain.
        raise fail("unmatched_close", rest.pos)
    if tree.matches(EMPTY_DOC):
        raise fail("only_negative", 0)
    return tree
