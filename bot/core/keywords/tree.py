"""Documents (a post analysed once) and the expression tree evaluated against them."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.keywords.syntax import ENGLISH_OPS
from bot.core.tokens import Token, query_keys, token_keys, tokenize

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


EMPTY_DOC = analyse_text("")


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

    def positive_terms(self) -> list[Term]:
        """The words and phrases under an even number of NOTs: those a match must contain."""
        return [leaf for positive, leaf in self._leaves(True) if positive]

    def __str__(self) -> str:
        return self.canonical()


class Term(Expr):
    def hits(self, doc: Doc) -> list[tuple[int, int]]:
        raise NotImplementedError

    def anchors(self) -> frozenset[str]:
        """Keys of which a document must have at least one in ``Doc.index`` for this term to
        match it (kept next to ``matches``: the keyword index relies on it)."""
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

    def anchors(self) -> frozenset[str]:
        keys = set(self._wanted())
        parts = [p for p in self.text.split("-") if p]
        if "-" in self.text and len(parts) > 1:  # the parts written apart start with parts[0]
            keys |= query_keys(parts[0])
        return frozenset(keys)

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
        return f'"{self.text}"' if self.text in ENGLISH_OPS else self.text


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

    def anchors(self) -> frozenset[str]:
        return query_keys(self.words[0]) | query_keys("-".join(self.words))

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
