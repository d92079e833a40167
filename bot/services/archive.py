"""The archive as the bot's users see it: search, the latest posts about a place or a
chat's subscriptions, the watched channels, and the claim board.

Data in, data out: the handlers (``handlers/archive.py``) render it in the chat's language.
Every argument is checked before any database work, so bad input changes nothing.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.analysis.claims.model import StoredClaimRef
from bot.analysis.places import Gazetteer, Place
from bot.core.keywords import Expr, analyse_text
from bot.core.post import normalise_channel
from bot.core.tokens import search_query
from bot.errors import ArchiveQueryError
from bot.matching import PlaceSubscriptions
from bot.places import Places, shared_places
from bot.services.places import PlaceResolver
from bot.services.sources import Source, SourceService
from bot.watch.check import ChannelStatus
from storage.models import Post as PostRow
from storage.repos import claims as claim_repo
from storage.repos import matches as match_repo
from storage.repos import posts as post_repo
from storage.repos import subscriptions as sub_repo
from storage.repos.search import COUNT_CAP, index_for

# A public username as Telegram allows it (case-insensitive; we store lower case).
TELEGRAM_USERNAME = re.compile(r"[a-z](?!\w*__)[a-z0-9_]{3,30}[a-z0-9]")
MAX_QUERY = 200  # characters of a /search, /latest or /claims argument
MAX_WORDS = 12  # words of a search: each is one AND group of the index query
PAGE_SIZE = 5
LATEST_COUNT = 5
LATEST_SCAN = 500  # /latest reads this many newest posts, no more
_SIDE_RE = re.compile(r"^[A-Za-z]{2,8}$")
_CHANNEL_ARG = re.compile(r"^@([A-Za-z0-9_]{1,64})$")


@dataclass(frozen=True, slots=True)
class Hit:
    """A stored post to show: where, when, its text and the words to bold."""

    channel: str
    title: str | None
    message_id: int
    date: datetime
    text: str
    spans: tuple[tuple[int, int], ...]
    edited: bool = False

    @property
    def link(self) -> str:
        return f"https://t.me/{self.channel}/{self.message_id}"


@dataclass(frozen=True, slots=True)
class SearchPage:
    query: str  # as it is shown and re-read from the message on a page button
    hits: tuple[Hit, ...]
    total: int
    page: int  # 0-based
    page_size: int
    more: bool = False  # ``total`` is where counting stopped: there are more

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True, slots=True)
class Latest:
    """The newest posts matching a place (``place`` set) or a chat's subscriptions."""

    hits: tuple[Hit, ...]
    place: Place | None
    scanned: int
    tracks_nothing: bool = False


@dataclass(frozen=True, slots=True)
class ClaimBoard:
    place: Place
    places: tuple[Place, ...]  # the place and what contains it, innermost first
    latest: tuple[StoredClaimRef, ...]  # the latest claim of each side, newest first


@dataclass(frozen=True, slots=True)
class ParsedSearch:
    text: str  # the words, whitespace collapsed
    channel: str | None
    groups: tuple[frozenset[str], ...]

    @property
    def shown(self) -> str:
        return f"@{self.channel} {self.text}" if self.channel else self.text


def parse_search(raw: str) -> ParsedSearch:
    """``[@channel] words…`` → the index query. Raises ArchiveQueryError (code: empty,
    too_long, no_words, too_many_words)."""
    if len(raw) > MAX_QUERY:  # before any other work: a 5,000-character argument is cheap
        raise ArchiveQueryError("query too long", "too_long", {"max": MAX_QUERY})
    words = raw.split()
    channel = None
    if words and (m := _CHANNEL_ARG.match(words[0])):
        channel = normalise_channel(m.group(1))
        words = words[1:]
    if not words:
        raise ArchiveQueryError("empty query", "empty")
    text = " ".join(words)
    groups = tuple(search_query(text))
    if not groups:
        raise ArchiveQueryError("no words in the query", "no_words")
    if len(groups) > MAX_WORDS:
        raise ArchiveQueryError("too many words", "too_many_words", {"max": MAX_WORDS})
    return ParsedSearch(text, channel, groups)


def match_spans(text: str, groups: Sequence[Collection[str]]) -> tuple[tuple[int, int], ...]:
    """Where the words of a search occur in ``text`` (to bold them in the excerpt)."""
    wanted = set().union(*groups) if groups else set()
    doc = analyse_text(text)
    return tuple(
        (tok.start, tok.end)
        for tok, keys in zip(doc.tokens, doc.keys, strict=True)
        if keys & wanted
    )


def _hit(row: PostRow, spans: Sequence[tuple[int, int]]) -> Hit:
    return Hit(
        row.channel.username,
        row.channel.title,
        row.message_id,
        row.date,
        row.text,
        tuple(spans),
        row.edit_date is not None,
    )


class _Wanted:
    """What /latest looks for in a post: places (with what they contain) and expressions."""

    def __init__(
        self, places: PlaceSubscriptions, place_ids: Collection[str], expressions: Sequence[Expr]
    ) -> None:
        self.places = places
        self.place_ids = set(place_ids)
        self.expressions = expressions

    def spans(self, text: str) -> list[tuple[int, int]] | None:
        if not text:
            return None
        found: list[tuple[int, int]] = []
        matched = False
        if self.place_ids:
            covered = self.places.covered(text)
            for place_id in self.place_ids & covered.keys():
                matched = True
                found.extend(covered[place_id].spans)
        if self.expressions:
            doc = analyse_text(text)
            for expr in self.expressions:
                if expr.matches(doc):
                    matched = True
                    found.extend(expr.highlights(doc))
        return sorted(set(found)) if matched else None


class ArchiveService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        admin_ids: Collection[int] = (),
        places: Places | None = None,
        page_size: int = PAGE_SIZE,
        channel_check: Callable[[str], Awaitable[ChannelStatus]] | None = None,
    ) -> None:
        self.sessions = sessions
        self.admin_ids = frozenset(admin_ids)
        # Asks t.me whether a channel is public before it is added (None: no check).
        self.channel_check = channel_check
        self.sources = SourceService(sessions)
        self.page_size = page_size
        # The composition root passes its places; tools and tests may leave them out.
        self.places = PlaceSubscriptions(places or shared_places())

    @property
    def gaz(self) -> Gazetteer:
        return self.places.gaz

    # --- /search -------------------------------------------------------------------------------

    async def search(self, raw: str, page: int = 0) -> SearchPage:
        query = parse_search(raw)
        page = max(0, page)
        async with self.sessions() as session:
            index = index_for(session)
            total = await index.count(session, query.groups, channel=query.channel)
            last_page = max(0, -(-total // self.page_size) - 1)
            page = min(page, last_page)  # a stale button past the end shows the last page
            ids = await index.search(
                session,
                query.groups,
                channel=query.channel,
                limit=self.page_size,
                offset=page * self.page_size,
            )
            rows = await post_repo.by_ids(session, ids)
        hits = tuple(_hit(r, match_spans(r.text, query.groups)) for r in rows)
        return SearchPage(query.shown, hits, total, page, self.page_size, more=total >= COUNT_CAP)

    # --- /latest ---------------------------------------------------------------------------------

    def places_for(self, raw: str) -> list[Place]:
        """Every place a user's name may mean, best first (several: ask which). Raises
        ArchiveQueryError: empty, too_long, or unknown_place with suggestions (place ids)
        in ``params``."""
        name = " ".join(raw.split())
        if len(raw) > MAX_QUERY:
            raise ArchiveQueryError("name too long", "too_long", {"max": MAX_QUERY})
        if not name:
            raise ArchiveQueryError("no place given", "empty")
        places = PlaceResolver(self.gaz).resolve(name)
        if not places:
            raise ArchiveQueryError(
                f"unknown place {name!r}",
                "unknown_place",
                {"query": name, "suggestions": [p.id for p in self.gaz.suggest(name)]},
            )
        return places

    def resolve_place(self, raw: str) -> Place:
        """The best of the places ``raw`` may mean (callers that cannot ask)."""
        return self.places_for(raw)[0]

    def place_by_id(self, place_id: str) -> Place:
        try:
            return self.gaz.get(place_id)
        except KeyError:
            raise ArchiveQueryError(
                f"unknown place id {place_id!r}", "unknown_place", {"query": place_id}
            ) from None

    async def latest(
        self,
        *,
        place: str | None = None,
        chat_id: int | None = None,
        limit: int = LATEST_COUNT,
        scan: int = LATEST_SCAN,
        place_id: str | None = None,
    ) -> Latest:
        """The newest posts about ``place`` (a name, or ``place_id``) and what it contains,
        among the ``scan`` newest stored posts; without either, the newest posts matching what
        ``chat_id`` tracks."""
        target: Place | None = None
        if place_id is not None:
            target = self.place_by_id(place_id)
        elif place is not None:
            # Off the event loop: an unknown name costs a fuzzy search over the gazetteer.
            target = await asyncio.to_thread(self.resolve_place, place)
        if target is None:
            return await self._latest_tracked(chat_id, limit)
        wanted = _Wanted(self.places, {target.id}, ())
        async with self.sessions() as session:
            rows = await post_repo.recent(session, limit=scan, newest_first=True)
        # Matching up to 500 posts is CPU work: in a thread, so other chats are answered.
        hits = await asyncio.to_thread(_latest_hits, rows, wanted, limit)
        return Latest(tuple(hits), target, len(rows))

    async def _latest_tracked(self, chat_id: int | None, limit: int) -> Latest:
        """The chat's newest matches, read from the match record written at ingest (one
        index range, however large the archive): what the chat was or would be alerted of."""
        if chat_id is None:
            return Latest((), None, 0, tracks_nothing=True)
        async with self.sessions() as session:
            if not await sub_repo.for_chat(session, chat_id):
                return Latest((), None, 0, tracks_nothing=True)
            matched = await match_repo.for_chat(session, chat_id, limit=limit)
        hits = tuple(
            _hit(row, sorted({span for m in ms for span in m.spans})) for row, ms in matched
        )
        return Latest(hits, None, len(matched))

    # --- /sources --------------------------------------------------------------------------------

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admin_ids

    async def list_sources(self) -> list[Source]:
        return await self.sources.all()

    async def add_source(self, raw: str) -> Source:
        """``<channel> [side]``. Raises ArchiveQueryError (usage, bad_channel, bad_side)."""
        parts = raw.split()
        if not parts or len(parts) > 2 or len(raw) > MAX_QUERY:
            raise ArchiveQueryError("usage: /sources_add <channel> [side]", "usage")
        name, side = parts[0], parts[1] if len(parts) == 2 else None
        if side is not None and not _SIDE_RE.match(side):
            raise ArchiveQueryError(f"not a side: {side!r}", "bad_side", {"side": side})
        channel = _channel_name(name)
        if not TELEGRAM_USERNAME.fullmatch(channel):
            # Only names a public channel can have: 5-32 characters, a letter first, letters,
            # digits and single underscores, not ending in one.
            raise ArchiveQueryError(
                f"not a channel username: {name!r}", "bad_channel", {"channel": name[:64]}
            )
        await self.ensure_public(channel)
        return await self.sources.add(channel, side.upper() if side else None)

    async def ensure_public(self, channel: str) -> None:
        """Raises ArchiveQueryError (channel_missing, channel_unchecked) unless t.me shows
        ``channel`` as a public channel; a channel already watched needs no asking."""
        if self.channel_check is None:
            return
        if any(s.channel == channel for s in await self.sources.all()):
            return
        status = await self.channel_check(channel)
        if status is ChannelStatus.MISSING:
            raise ArchiveQueryError(
                f"no public channel @{channel}", "channel_missing", {"channel": channel}
            )
        if status is ChannelStatus.UNREACHABLE:
            raise ArchiveQueryError(
                f"could not ask t.me about @{channel}", "channel_unchecked", {"channel": channel}
            )

    async def remove_source(self, raw: str) -> tuple[str, bool]:
        """(channel, whether it was watched until now)."""
        parts = raw.split()
        if len(parts) != 1 or len(raw) > MAX_QUERY:
            raise ArchiveQueryError("usage: /sources_remove <channel>", "usage")
        channel = _channel_name(parts[0])
        known = {s.channel: s.active for s in await self.sources.all()}
        if not known.get(channel):
            return channel, False
        return channel, await self.sources.remove(channel)

    # --- /claims ---------------------------------------------------------------------------------

    async def claim_board(self, raw: str = "", *, place_id: str | None = None) -> ClaimBoard:
        if place_id is not None:
            place = self.place_by_id(place_id)
        else:
            # Off the event loop: an unknown name costs a fuzzy search over the gazetteer.
            place = await asyncio.to_thread(self.resolve_place, raw)
        chain = (place, *(self.gaz.get(a) for a in self.gaz.ancestors(place.id)))
        async with self.sessions() as session:
            board = await claim_repo.claim_board(session, [p.id for p in chain])
        latest = sorted(board.values(), key=lambda r: r.claim.asserted_at, reverse=True)
        return ClaimBoard(place, chain, tuple(latest))


def _latest_hits(rows: Sequence[PostRow], wanted: _Wanted, limit: int) -> list[Hit]:
    hits: list[Hit] = []
    for row in rows:
        if row.deleted:
            continue
        spans = wanted.spans(row.text)
        if spans is not None:
            hits.append(_hit(row, spans))
            if len(hits) >= limit:
                break
    return hits


def _channel_name(name: str) -> str:
    channel = normalise_channel(name)
    if (
        not channel
        or len(channel) > 64
        or not channel.replace("_", "").isalnum()
        or not channel.isascii()
    ):
        raise ArchiveQueryError(
            f"not a channel username: {name!r}", "bad_channel", {"channel": name[:64]}
        )
    return channel
