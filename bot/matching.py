"""Which chats a stored post concerns: subscriptions evaluated against the post.

Three kinds of subscription:

* ``place`` (key: gazetteer id). The post's place mentions, each with all its ancestors, are
  looked up with one indexed query, so tracking an oblast covers its towns. An ambiguous
  mention (several homonyms, none chosen by context) matches only places that contain *every*
  candidate: "Олександрівка" alerts a chat tracking Ukraine, or Kharkiv Oblast if all the
  candidates are there, but never a chat tracking one particular Oleksandrivka — guessing
  would alert the wrong people.
* ``keyword`` (key: ``Expr.canonical()``, label: the expression as typed, which the alert
  quotes). Expressions are indexed by their terms (table ``keyword_terms``): the post is
  analysed once, its words' keys select the expressions it could satisfy, and only those
  are evaluated (each distinct expression parsed once and cached).
* ``text``: the foundation's plain words, kept working for rows made before places existed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from bot.analysis.places import Gazetteer, PlaceMention
from bot.core.keywords import ALWAYS, Doc, Expr, analyse_text, anchor_terms, parse
from bot.core.lru import LRU
from bot.core.post import Post
from bot.core.reasons import keyword_reason, place_reason
from bot.core.textmatch import find_term, fold
from bot.errors import ExpressionError
from bot.places import Places, shared_places
from storage.repos import subscriptions as sub_repo
from storage.repos.fanout import Unit

log = logging.getLogger(__name__)

TEXT = "text"
PLACE = "place"
KEYWORD = "keyword"
MAX_TERM = 512  # characters of keyword_terms.term


@dataclass(frozen=True, slots=True)
class ChatMatch:
    """One subscription of one chat that a post satisfies, with what matched."""

    chat_id: int
    thread_id: int
    subscription_id: int
    kind: str
    label: str
    spans: tuple[tuple[int, int], ...] = field(default=())


Mentions = Sequence[PlaceMention] | None  # a post's place mentions, when already read


class KindMatcher:
    """A matcher for one subscription kind (protocol-like base). ``mentions``: the post's
    place mentions as its caller read them (None: read them here if needed)."""

    async def match(
        self, session: AsyncSession, post: Post, mentions: Mentions = None
    ) -> list[ChatMatch]:
        raise NotImplementedError

    async def match_units(
        self, session: AsyncSession, post: Post, mentions: Mentions = None
    ) -> list[Unit]:
        """What ``match`` finds, once per (kind, key, label) instead of once per chat; the
        unit's label is the reason each matching subscription gets (``ChatMatch.label``)."""
        raise NotImplementedError


class TextMatcher(KindMatcher):
    async def match_units(
        self, session: AsyncSession, post: Post, mentions: Mentions = None
    ) -> list[Unit]:
        out: list[Unit] = []
        folded = fold(post.text)
        for key, label in await sub_repo.labels_by_keys(session, TEXT):
            spans = find_term(post.text, key, folded=folded)
            if spans:
                out.append(Unit(TEXT, key, label, label, tuple(spans)))
        return out

    async def match(
        self, session: AsyncSession, post: Post, mentions: Mentions = None
    ) -> list[ChatMatch]:
        out: list[ChatMatch] = []
        folded = fold(post.text)
        for sub in await sub_repo.of_kinds(session, [TEXT]):
            spans = find_term(post.text, sub.key, folded=folded)
            if spans:
                out.append(
                    ChatMatch(sub.chat_id, sub.thread_id, sub.id, sub.kind, sub.label, tuple(spans))
                )
        return out


@dataclass(slots=True)
class _Covered:
    """What the post says about one tracked id: the mentions it covers."""

    reasons: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)


def common_containers(gaz: Gazetteer, candidates: Sequence[str]) -> set[str]:
    """Ids that contain every candidate (each candidate counting as its own container)."""
    common: set[str] | None = None
    for cand in candidates:
        try:
            chain = {cand, *gaz.ancestors(cand)}
        except KeyError:
            continue
        common = chain if common is None else common & chain
    return common or set()


class PlaceSubscriptions(KindMatcher):
    def __init__(self, places: Places) -> None:
        self.places = places

    @property
    def gaz(self) -> Gazetteer:
        return self.places.gazetteer

    def covered(self, text: str, mentions: Mentions = None) -> dict[str, _Covered]:
        """Tracked id → the mentions in ``text`` that a subscription to it would match."""
        out: dict[str, _Covered] = {}
        for m in self.places.find(text) if mentions is None else mentions:
            if m.place is not None:
                ids = {m.place.id, *self.gaz.ancestors(m.place.id)}
                mentioned: str | None = m.place.id
            else:
                ids = common_containers(self.gaz, m.candidates)
                mentioned = None
            for tracked in ids:
                entry = out.setdefault(tracked, _Covered())
                reason = place_reason(tracked, mentioned, m.surface)
                if reason not in entry.reasons:
                    entry.reasons.append(reason)
                entry.spans.append((m.start, m.end))
        return out

    @staticmethod
    def _reason(key: str, entry: _Covered) -> str:
        # A mention of the tracked place itself names the reason, else the first one
        # inside it; every covered mention is bolded.
        exact = place_reason(key, key)
        return exact if exact in entry.reasons else entry.reasons[0]

    async def match(
        self, session: AsyncSession, post: Post, mentions: Mentions = None
    ) -> list[ChatMatch]:
        if not post.text:
            return []
        covered = self.covered(post.text, mentions)
        if not covered:
            return []
        return [
            ChatMatch(
                sub.chat_id,
                sub.thread_id,
                sub.id,
                sub.kind,
                self._reason(sub.key, covered[sub.key]),
                tuple(sorted(set(covered[sub.key].spans))),
            )
            for sub in await sub_repo.by_keys(session, PLACE, covered)
        ]

    async def match_units(
        self, session: AsyncSession, post: Post, mentions: Mentions = None
    ) -> list[Unit]:
        covered = self.covered(post.text, mentions) if post.text else {}
        if not covered:
            return []
        # The reason depends on the place only, so every label of a key gets the same one.
        return [
            Unit(
                PLACE,
                key,
                label,
                self._reason(key, covered[key]),
                tuple(sorted(set(covered[key].spans))),
            )
            for key, label in await sub_repo.labels_by_keys(session, PLACE, covered)
        ]


def keyword_terms(key: str) -> frozenset[str]:
    """Index terms of a stored keyword key; a key that does not parse (or has a term too long
    to store) is evaluated for every post rather than lost."""
    try:
        terms = anchor_terms(parse(key))
    except ExpressionError:
        return frozenset({ALWAYS})
    if any(len(term) > MAX_TERM for term in terms):
        return frozenset({ALWAYS})
    return terms


async def subscribe(
    session: AsyncSession, chat_id: int, kind: str, key: str, label: str, thread_id: int = 0
) -> bool:
    """Store a subscription (True when new); a keyword is also indexed by its terms."""
    created = await sub_repo.add(session, chat_id, kind, key, label, thread_id)
    if kind == KEYWORD:
        await sub_repo.add_terms(session, key, keyword_terms(key))
    return created


async def index_keywords(session: AsyncSession) -> int:
    """Index keyword subscriptions stored before the index existed; returns how many."""
    keys = await sub_repo.unindexed_keywords(session)
    await sub_repo.add_terms_many(session, {key: keyword_terms(key) for key in keys})
    return len(keys)


class KeywordSubscriptions(KindMatcher):
    """Keyword expressions, found through their index: a post looks up its own words'
    keys and evaluates only the expressions under them, so its cost follows what it could
    match, not how many distinct expressions all chats track together."""

    CACHE_SIZE = 4096

    def __init__(self) -> None:
        self._parsed: LRU[str, Expr | None] = LRU(self.CACHE_SIZE)

    def expression(self, key: str) -> Expr | None:
        """The parsed expression of a stored key (None: a key that no longer parses)."""
        if key in self._parsed:
            return self._parsed.get(key)
        expr: Expr | None
        try:
            expr = parse(key)
        except ExpressionError:
            log.warning("keyword subscription %r does not parse; ignored", key)
            expr = None
        return self._parsed.put(key, expr)

    async def _verdicts(
        self, session: AsyncSession, post: Post
    ) -> dict[str, list[tuple[int, int]]]:
        """Each tracked expression the post satisfies, evaluated once, with its highlights."""
        if not post.text:
            return {}
        doc: Doc = analyse_text(post.text)
        candidates = await sub_repo.keys_for_terms(session, [*doc.index, ALWAYS])
        verdicts: dict[str, list[tuple[int, int]]] = {}
        for key in sorted(candidates):
            expr = self.expression(key)
            if expr is not None and expr.matches(doc):
                verdicts[key] = expr.highlights(doc)
        return verdicts

    async def match_units(
        self, session: AsyncSession, post: Post, mentions: Mentions = None
    ) -> list[Unit]:
        verdicts = await self._verdicts(session, post)
        return [
            Unit(KEYWORD, key, label, keyword_reason(label or key), tuple(verdicts[key]))
            for key, label in await sub_repo.labels_by_keys(session, KEYWORD, verdicts)
        ]

    async def match(
        self, session: AsyncSession, post: Post, mentions: Mentions = None
    ) -> list[ChatMatch]:
        verdicts = await self._verdicts(session, post)
        if not verdicts:
            return []
        return [
            ChatMatch(
                sub.chat_id,
                sub.thread_id,
                sub.id,
                sub.kind,
                keyword_reason(sub.label or sub.key),
                tuple(verdicts[sub.key]),
            )
            for sub in await sub_repo.by_keys(session, KEYWORD, verdicts)
        ]


class AllKeywordsLoop(KindMatcher):
    """The matcher before the index: every tracked expression evaluated for every post.
    Kept as the reference the index must agree with (tests) and the benchmark's baseline."""

    def __init__(self) -> None:
        self._index = KeywordSubscriptions()

    async def match(
        self, session: AsyncSession, post: Post, mentions: Mentions = None
    ) -> list[ChatMatch]:
        if not post.text:
            return []
        subs = await sub_repo.of_kinds(session, [KEYWORD])
        if not subs:
            return []
        doc: Doc = analyse_text(post.text)
        out: list[ChatMatch] = []
        verdicts: dict[str, list[tuple[int, int]] | None] = {}
        for sub in subs:
            if sub.key not in verdicts:
                expr = self._index.expression(sub.key)
                verdicts[sub.key] = expr.highlights(doc) if expr and expr.matches(doc) else None
            spans = verdicts[sub.key]
            if spans is not None:
                out.append(
                    ChatMatch(
                        sub.chat_id,
                        sub.thread_id,
                        sub.id,
                        sub.kind,
                        keyword_reason(sub.label or sub.key),
                        tuple(spans),
                    )
                )
        return out


def default_matchers(places: Places) -> tuple[KindMatcher, ...]:
    return (TextMatcher(), PlaceSubscriptions(places), KeywordSubscriptions())


class SubscriptionMatcher:
    """Finds the subscriptions a post matches.

    Without ``kinds`` it evaluates every kind, places read with ``places`` (the composition
    root passes its own; tools and tests that build their own pieces may leave it out).
    ``extra`` matchers plug in after those without the ingest path knowing about them.
    """

    def __init__(
        self,
        extra: Sequence[KindMatcher] = (),
        kinds: Sequence[KindMatcher] | None = None,
        *,
        places: Places | None = None,
    ) -> None:
        self.places = places or shared_places()
        self.kinds = tuple(kinds) if kinds is not None else default_matchers(self.places)
        self.extra = tuple(extra)

    async def match(
        self, session: AsyncSession, post: Post, mentions: Mentions = None
    ) -> list[ChatMatch]:
        matches: list[ChatMatch] = []
        for matcher in (*self.kinds, *self.extra):
            matches.extend(await matcher.match(session, post, mentions))
        return matches

    async def match_units(
        self, session: AsyncSession, post: Post, mentions: Mentions = None
    ) -> list[Unit]:
        """What the post matches, once per distinct subscription: the ingest path's input,
        expanded to chats by the database (``storage.repos.fanout``)."""
        units: list[Unit] = []
        for matcher in (*self.kinds, *self.extra):
            units.extend(await matcher.match_units(session, post, mentions))
        return units


def group_by_chat(matches: Sequence[ChatMatch]) -> dict[tuple[int, int], list[ChatMatch]]:
    """One delivery per chat: the topic of the first (oldest) subscription wins."""
    by_chat: dict[int, list[ChatMatch]] = {}
    for m in sorted(matches, key=lambda m: m.subscription_id):
        by_chat.setdefault(m.chat_id, []).append(m)
    return {(chat_id, ms[0].thread_id): ms for chat_id, ms in by_chat.items()}
