"""Tracking and untracking, with the input checks and limits users are told about.

Every check that can refuse runs before the database is touched, so bad input never leaves
a trace (not even a chat row).
"""

from __future__ import annotations

import builtins
import html
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.analysis.places import Gazetteer, Place
from bot.core.keywords import describe, parse, pointer
from bot.errors import ExpressionError, LimitExceededError, UserInputError
from bot.matching import KEYWORD, PLACE, TEXT, subscribe
from bot.places import Places, shared_places
from bot.services.places import PlaceResolver
from storage.repos import chats as chat_repo
from storage.repos import subscriptions as sub_repo

MAX_QUERY = 200
MAX_SUBSCRIPTIONS = 50
MAX_KEYWORDS = 20  # keywords cost work on every post, places do not
MAX_KEY = 512  # the key column's size; a canonical expression can outgrow its input
MAX_CHOICES = 8


@dataclass(frozen=True, slots=True)
class ChatRef:
    """What a handler knows about where a command came from."""

    id: int
    type: str
    title: str | None = None
    language: str = "uk"
    is_forum: bool = False
    thread_id: int = 0


@dataclass(frozen=True, slots=True)
class TrackResult:
    label: str
    created: bool
    place_id: str | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    """A place offered as a button."""

    place_id: str
    label: str


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a /track name means. Exactly one of: ``place``, ``choices`` (homonyms),
    ``suggestions`` (unknown name; may be empty)."""

    query: str
    place: Choice | None = None
    choices: tuple[Choice, ...] = ()
    total: int = 0
    suggestions: tuple[Choice, ...] = field(default=())
    offset: int = 0  # of ``choices`` among all ``total`` homonyms


@dataclass(frozen=True, slots=True)
class Tracked:
    id: int
    kind: str
    key: str
    label: str
    thread_id: int


def clean_query(text: str, lang: str, usage: str = "track_usage") -> str:
    value = " ".join(text.split())
    if not value:
        raise UserInputError.coded(usage)
    if len(value) > MAX_QUERY:
        raise LimitExceededError.coded("too_long", limit=MAX_QUERY)
    return value


def describe_tracked(kind: str, key: str, label: str, lang: str, gaz: Gazetteer) -> str:
    """Plain text naming a subscription in ``lang`` (places by their current name)."""
    if kind == PLACE:
        try:
            return "📍 " + gaz.label(key, lang)
        except KeyError:
            return "📍 " + label
    if kind == KEYWORD:
        return "🔎 " + (label or key)
    return "🔤 " + label


class SubscriptionService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        places: Places | None = None,
        *,
        max_subscriptions: int = MAX_SUBSCRIPTIONS,
        max_keywords: int = MAX_KEYWORDS,
    ) -> None:
        self.sessions = sessions
        # The composition root passes its places; tools and tests may leave them out.
        self._place_data = places or shared_places()
        self._resolver: PlaceResolver | None = None
        self.max_subscriptions = max_subscriptions
        self.max_keywords = max_keywords

    @property
    def gaz(self) -> Gazetteer:
        return self._place_data.gazetteer

    # --- chats ------------------------------------------------------------------------------

    async def register_chat(self, chat: ChatRef) -> None:
        async with self.sessions() as session, session.begin():
            await self._ensure_chat(session, chat)

    async def _ensure_chat(self, session: AsyncSession, chat: ChatRef) -> None:
        existing = await chat_repo.get(session, chat.id)
        language = existing.language if existing else chat.language
        await chat_repo.ensure(
            session,
            chat.id,
            type_=chat.type,
            title=chat.title,
            language=language,
            is_forum=chat.is_forum,
        )

    # --- resolving ----------------------------------------------------------------------------

    @property
    def places(self) -> PlaceResolver:
        if self._resolver is None or self._resolver.gaz is not self.gaz:
            self._resolver = PlaceResolver(self.gaz)
        return self._resolver

    def _choice(self, p: Place, lang: str, among: Sequence[Place] = ()) -> Choice:
        return Choice(p.id, self.places.button_text(p, lang, among))

    def resolve(self, text: str, lang: str, offset: int = 0) -> Resolution:
        """No database work: what the name means, for the handler to act on or offer.
        Homonyms come a page (MAX_CHOICES) at a time from ``offset``."""
        query = clean_query(text, lang)
        places = self.places.resolve(query)
        if len(places) == 1:
            return Resolution(query, place=Choice(places[0].id, self.gaz.label(places[0].id, lang)))
        if places:
            offset = max(0, min(offset, len(places) - 1))
            page = places[offset : offset + MAX_CHOICES]
            return Resolution(
                query,
                choices=tuple(self._choice(p, lang, page) for p in page),
                total=len(places),
                offset=offset,
            )
        found = self.gaz.suggest(query, limit=5)
        return Resolution(query, suggestions=tuple(self._choice(p, lang, found) for p in found))

    def region_of(self, place_id: str) -> Choice | None:
        """The oblast a city gives its name to (Kursk → Kursk Oblast): people often mean it."""
        try:
            p = self.gaz.get(place_id)
            region = self.gaz.get(p.region)
        except KeyError:
            return None
        if p.kind != "city" or region.id == p.id or region.kind != "region":
            return None
        if not region.name_en.lower().startswith(p.name_en.lower() + " "):
            return None
        return Choice(region.id, region.name_en)

    # --- tracking -----------------------------------------------------------------------------

    async def _check_room(self, session: AsyncSession, chat: ChatRef, kind: str) -> None:
        subs = await sub_repo.for_chat(session, chat.id)
        if len(subs) >= self.max_subscriptions:
            raise LimitExceededError.coded("too_many", limit=self.max_subscriptions)
        if kind == KEYWORD and sum(s.kind == KEYWORD for s in subs) >= self.max_keywords:
            raise LimitExceededError.coded("too_many_keywords", limit=self.max_keywords)

    async def _add(self, chat: ChatRef, kind: str, key: str, label: str) -> bool:
        async with self.sessions() as session, session.begin():
            existing = await chat_repo.get(session, chat.id)
            if existing is not None:
                await self._check_room(session, chat, kind)
            await self._ensure_chat(session, chat)
            return await subscribe(session, chat.id, kind, key, label[:MAX_KEY], chat.thread_id)

    async def track_place(self, chat: ChatRef, place_id: str) -> TrackResult:
        try:
            self.gaz.get(place_id)
        except KeyError:
            raise UserInputError.coded("place_gone") from None
        label = self.gaz.label(place_id, chat.language)
        created = await self._add(chat, PLACE, place_id, label)
        return TrackResult(label, created, place_id)

    def parse_keyword(self, text: str, lang: str) -> str:
        """The canonical key of a /keyword expression, or a UserInputError in HTML that
        quotes the expression with a caret under the mistake."""
        value = text.strip()
        if not value:
            raise UserInputError.coded("keyword_usage")
        try:
            expr = parse(value)
        except ExpressionError as err:
            message = html.escape(describe(err, lang))
            if len(value) <= 300:
                where = pointer(value, err.position)
                if where:
                    message += f"\n<pre>{html.escape(where)}</pre>"
            raise UserInputError(message) from None
        key = expr.canonical()
        if len(key) > MAX_KEY:
            raise LimitExceededError.coded("keyword_too_complex")
        return key

    async def track_text(self, chat: ChatRef, text: str) -> TrackResult:
        """A legacy plain-word subscription (kind "text"); /track no longer makes these, but
        tools and older tests do, and the matcher still serves them."""
        label = clean_query(text, chat.language)
        created = await self._add(chat, TEXT, label.casefold(), label)
        return TrackResult(label, created)

    async def track_keyword(self, chat: ChatRef, text: str) -> TrackResult:
        key = self.parse_keyword(text, chat.language)
        # Shown as typed; matched (and de-duplicated) by the canonical form.
        label = " ".join(text.split())
        created = await self._add(chat, KEYWORD, key, label)
        return TrackResult(label, created)

    # --- reading and removing -----------------------------------------------------------------

    async def tracked(self, chat_id: int) -> builtins.list[Tracked]:
        async with self.sessions() as session:
            subs = await sub_repo.for_chat(session, chat_id)
        return [Tracked(s.id, s.kind, s.key, s.label, s.thread_id) for s in subs]

    def describe(self, item: Tracked, lang: str) -> str:
        return describe_tracked(item.kind, item.key, item.label, lang, self.gaz)

    async def untrack_id(self, chat_id: int, sub_id: int, lang: str) -> str | None:
        async with self.sessions() as session, session.begin():
            sub = await sub_repo.remove(session, chat_id, sub_id)
        return describe_tracked(sub.kind, sub.key, sub.label, lang, self.gaz) if sub else None

    async def untrack_place(self, chat: ChatRef, place_id: str) -> builtins.list[str]:
        """Removes the chat's subscriptions to ``place_id`` (an alert's ✖ button), in every
        topic: the button is pressed under an alert, wherever it was delivered."""
        removed: builtins.list[str] = []
        async with self.sessions() as session, session.begin():
            for sub in await sub_repo.for_chat(session, chat.id):
                if sub.kind == PLACE and sub.key == place_id:
                    await sub_repo.remove(session, chat.id, sub.id)
                    removed.append(
                        describe_tracked(sub.kind, sub.key, sub.label, chat.language, self.gaz)
                    )
        return removed

    async def untrack_label(self, chat: ChatRef, text: str) -> builtins.list[str]:
        """Removes what ``text`` names: a place (any spelling), a keyword or a label."""
        query = clean_query(text, chat.language, "untrack_usage")
        wanted = query.casefold()
        place_ids = {p.id for p in self.places.resolve(query)}
        try:
            keyword: str | None = parse(query).canonical()
        except ExpressionError:
            keyword = None
        removed: builtins.list[str] = []
        async with self.sessions() as session, session.begin():
            for sub in await sub_repo.for_chat(session, chat.id):
                if sub.thread_id != chat.thread_id:  # another forum topic's subscription
                    continue
                if (
                    (sub.kind == PLACE and sub.key in place_ids)
                    or (sub.kind == KEYWORD and sub.key == keyword)
                    or sub.label.casefold() == wanted
                    or sub.key == wanted
                ):
                    await sub_repo.remove(session, chat.id, sub.id)
                    removed.append(
                        describe_tracked(sub.kind, sub.key, sub.label, chat.language, self.gaz)
                    )
        return removed
