"""The archive's search index: one interface, an implementation per database.

Neither SQLite nor PostgreSQL stems Ukrainian, so we never let the database analyse text.
``bot.core.tokens.index_terms`` turns a post into its terms (lemmas and stems of every
word) and the database only stores them and answers "which posts hold a term from every
group" (``bot.core.tokens.search_query``: an AND of ORs).

Why a full-text index per database rather than a portable ``post_terms(term, post_id)``
table: a post has a few hundred terms, so a terms table grows by hundreds of rows per post,
and AND/OR over it is a GROUP BY the planner cannot bound. Each engine's own inverted index
keeps one row per post and evaluates the boolean query itself:

* **SQLite**: a *contentless* FTS5 table ``post_search(terms)`` (``content=''``,
  ``detail=none``): only the inverted index is kept, not the terms' text nor their positions
  (none of which a query of terms needs), about a third of the hex-encoded table of migration
  0002. The ``ascii`` tokenizer keeps every non-ASCII character as part of a token and folds
  nothing but A-Z, so Cyrillic terms are written as they are; ASCII punctuation inside a term
  ("гуляй-поле", "~харк") is shifted into the private-use area so it does not split it.
  SQLite before 3.43 cannot delete a row of a contentless table, so each indexed version of
  a post is a new FTS row (``doc_id``) and ``post_search_docs(doc_id, post_id)`` names the
  live one per post; an edit's earlier row stays in the index, unreachable, until
  ``dozor reindex --all`` rebuilds it.
* **PostgreSQL**: ``post_search(post_id, terms tsvector)`` with a GIN index, built with
  ``array_to_tsvector`` and queried with a ``tsquery`` literal, both of which take lexemes
  verbatim (no parser, no dictionary, not even the ``simple`` one).

Deleted posts stay indexed and are filtered out by the query; an edit re-indexes the post.

Why a page costs what it returns, not the archive: ordering *all* hits by date to keep five
grew 21x from 100k to 1M posts for a common word. A page is looked for in the newest day,
then the newest 8 and 64 days (``WINDOW_DAYS``), and only then in the whole archive: each
window bounds the index's own key (FTS rowid, GIN ``post_id``) from below by the smallest key
of a post of the window, so the engine seeks past the older hits instead of reading them, and
a window holding a full page *is* the newest page (every post outside it is older). A word
with few hits falls through to the unbounded query, whose cost is those few hits. ``count``
stops at ``COUNT_CAP``: "1000+" is what a reader needs of a common word.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import timedelta
from typing import Any, ClassVar

from sqlalchemy import Connection, TextClause, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.types import Text

from bot.core.tokens import index_terms
from storage.models import Post as PostRow
from storage.types import UTCDateTime

QueryGroups = Sequence[Collection[str]]
Terms = Mapping[int, Collection[str]] | None  # post id -> its terms, worked out beforehand
REINDEX_BATCH = 500
WINDOW_DAYS = (1, 8, 64)  # then the whole archive
COUNT_CAP = 1000


class SearchIndex(ABC):
    """Stores each post's terms and finds posts by an AND of OR-groups of terms, newest first.

    ``index`` runs inside the caller's transaction (the ingest hook's unit of work).
    """

    dialect: ClassVar[str]
    _key: ClassVar[str]  # the column of post_search holding the post id

    # --- what each database spells differently ---------------------------------------------

    @abstractmethod
    def _upsert(self) -> TextClause:
        """INSERT-or-replace of one post's terms; parameters ``id`` and ``terms``."""

    @abstractmethod
    def _terms_param(self, terms: Collection[str]) -> Any:
        """The ``terms`` parameter as the upsert statement takes it."""

    @abstractmethod
    def _match(self) -> str:
        """A WHERE condition true for posts matching the ``:q`` parameter."""

    @abstractmethod
    def query_param(self, groups: QueryGroups) -> str:
        """The ``:q`` parameter for ``groups`` (AND of ORs)."""

    async def _prepare(self, session: AsyncSession) -> None:
        """Per-database settings for the read queries of the current transaction."""
        return None

    # --- shared ------------------------------------------------------------------------------

    def _rows(self, items: Sequence[tuple[int, str]], known: Terms = None) -> list[dict[str, Any]]:
        known = known or {}
        return [
            {"id": post_id, "terms": self._terms_param(_terms(known.get(post_id), body))}
            for post_id, body in items
        ]

    async def index(
        self,
        session: AsyncSession,
        post_id: int,
        text_: str,
        *,
        terms: Collection[str] | None = None,
    ) -> None:
        """(Re-)index one post: its terms replace any it had. ``terms``: ``index_terms(text_)``
        worked out beforehand (outside the write transaction), when the caller has them."""
        known = {post_id: terms} if terms is not None else None
        await session.execute(self._upsert(), self._rows([(post_id, text_)], known))

    def _write_sync(
        self, conn: Connection, items: Sequence[tuple[int, str]], known: Terms = None
    ) -> None:
        """(Re-)index several posts on a sync connection."""
        if items:
            conn.execute(self._upsert(), self._rows(items, known))

    def _missing(self) -> str:
        """The condition on ``posts`` for posts with no terms yet."""
        return (
            f"AND NOT EXISTS (SELECT 1 FROM post_search WHERE post_search.{self._key} = posts.id)"
        )

    def _clear_sync(self, conn: Connection) -> None:
        """Forget every post's terms (a full reindex starts from an empty index)."""
        conn.execute(text("DELETE FROM post_search"))

    async def clear(self, session: AsyncSession) -> None:
        def run(sync: Session) -> None:
            self._clear_sync(sync.connection())

        await session.run_sync(run)

    @abstractmethod
    def _select(
        self, what: str, channel: str | None, tail: str = "", *, windowed: bool = False
    ) -> TextClause:
        """Matching, not deleted posts (``p``); ``windowed``: only index keys from ``:floor``
        and posts from ``:since`` on."""

    @abstractmethod
    def _floor(self) -> TextClause:
        """The smallest index key of a post dated from ``:since`` on (None: no such post)."""

    def _params(self, groups: QueryGroups, channel: str | None, **more: Any) -> dict[str, Any]:
        params: dict[str, Any] = {"q": self.query_param(groups), **more}
        if channel:
            params["channel"] = channel
        return params

    async def search(
        self,
        session: AsyncSession,
        groups: QueryGroups,
        *,
        channel: str | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> list[int]:
        """Ids of matching, not deleted posts, newest first."""
        if not groups or any(not g for g in groups):
            return []
        await self._prepare(session)
        order = "ORDER BY p.date DESC, p.id DESC LIMIT :limit"
        params = self._params(groups, channel, limit=limit + offset)
        newest = await session.scalar(select(func.max(PostRow.date)))
        for days in WINDOW_DAYS if newest is not None else ():
            assert newest is not None
            since = newest - timedelta(days=days)
            floor = await session.scalar(_with_since(self._floor()), {"since": since})
            if floor is None:
                continue
            stmt = _with_since(self._select("p.id", channel, order, windowed=True))
            window = {**params, "since": since, "floor": int(floor)}
            ids = [int(row[0]) for row in await session.execute(stmt, window)]
            if len(ids) >= limit + offset:
                return ids[offset:]
        stmt = self._select("p.id", channel, order)
        return [int(row[0]) for row in await session.execute(stmt, params)][offset:]

    async def count(
        self,
        session: AsyncSession,
        groups: QueryGroups,
        *,
        channel: str | None = None,
        cap: int = COUNT_CAP,
    ) -> int:
        """How many posts match, counted up to ``cap`` (a result of ``cap`` means "or more")."""
        if not groups or any(not g for g in groups):
            return 0
        await self._prepare(session)
        stmt = text(f"SELECT count(*) FROM ({self._select('1', channel, 'LIMIT :cap').text}) h")
        return int(await session.scalar(stmt, self._params(groups, channel, cap=cap)) or 0)

    def reindex_sync(
        self,
        conn: Connection,
        *,
        only_missing: bool = False,
        batch: int = REINDEX_BATCH,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Index every stored post (``only_missing``: those with no terms yet), in batches of
        ``batch`` posts by id. Sync, so migration 0002 can backfill with it; returns the count.
        """
        missing = self._missing() if only_missing else ""
        if not only_missing:
            self._clear_sync(conn)
        select_batch = text(
            f"SELECT id, text FROM posts WHERE id > :after {missing} ORDER BY id LIMIT :batch"
        )
        after, done = 0, 0
        while True:
            rows = conn.execute(select_batch, {"after": after, "batch": batch}).all()
            if not rows:
                return done
            self._write_sync(conn, [(int(r[0]), r[1] or "") for r in rows])
            after = int(rows[-1][0])
            done += len(rows)
            if progress is not None:
                progress(done)

    async def reindex(
        self, session: AsyncSession, *, only_missing: bool = False, batch: int = REINDEX_BATCH
    ) -> int:
        def run(sync: Session) -> int:
            return self.reindex_sync(sync.connection(), only_missing=only_missing, batch=batch)

        return await session.run_sync(run)


class SqliteSearchIndex(SearchIndex):
    dialect = "sqlite"
    _key = "rowid"

    def _upsert(self) -> TextClause:
        # Called with a fresh doc id (see ``index``); the docs row makes it the live one.
        return text("INSERT INTO post_search (rowid, terms) VALUES (:id, :terms)")

    def _terms_param(self, terms: Collection[str]) -> Any:
        return " ".join(sorted(_fts_token(t) for t in terms if t))

    def _match(self) -> str:
        return "post_search MATCH :q"

    def query_param(self, groups: QueryGroups) -> str:
        return " AND ".join(
            "(" + " OR ".join(f'"{_fts_token(t)}"' for t in sorted(g) if t) + ")" for g in groups
        )

    def _select(
        self, what: str, channel: str | None, tail: str = "", *, windowed: bool = False
    ) -> TextClause:
        window = "AND post_search.rowid >= :floor AND p.date >= :since" if windowed else ""
        return text(
            f"SELECT {what} FROM post_search "
            "JOIN post_search_docs d ON d.doc_id = post_search.rowid "
            f"JOIN posts p ON p.id = d.post_id {_channel_join(channel)} "
            f"WHERE {self._match()} AND NOT p.deleted {window} {tail}"
        )

    def _floor(self) -> TextClause:
        return text(
            "SELECT min(d.doc_id) FROM posts p JOIN post_search_docs d ON d.post_id = p.id "
            "WHERE p.date >= :since"
        )

    def _write_sync(
        self, conn: Connection, items: Sequence[tuple[int, str]], known: Terms = None
    ) -> None:
        if not items:
            return
        ids = [post_id for post_id, _ in items]
        conn.execute(
            text("DELETE FROM post_search_docs WHERE post_id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": ids},
        )
        # AUTOINCREMENT: a doc id is never reused, so an unreachable FTS row stays so.
        conn.execute(
            text("INSERT INTO post_search_docs (post_id) VALUES (:post_id)"),
            [{"post_id": i} for i in ids],
        )
        found = conn.execute(
            text("SELECT post_id, doc_id FROM post_search_docs WHERE post_id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": ids},
        )
        docs: dict[int, int] = {int(p): int(d) for p, d in found}
        rows = self._rows(items, known)
        for row in rows:
            row["id"] = docs[row["id"]]
        conn.execute(self._upsert(), rows)

    async def index(
        self,
        session: AsyncSession,
        post_id: int,
        text_: str,
        *,
        terms: Collection[str] | None = None,
    ) -> None:
        known = {post_id: terms} if terms is not None else None

        def run(sync: Session) -> None:
            self._write_sync(sync.connection(), [(post_id, text_)], known)

        await session.run_sync(run)

    def _missing(self) -> str:
        return "AND NOT EXISTS (SELECT 1 FROM post_search_docs d WHERE d.post_id = posts.id)"

    def _clear_sync(self, conn: Connection) -> None:
        conn.execute(text("DELETE FROM post_search_docs"))
        conn.execute(text("INSERT INTO post_search (post_search) VALUES ('delete-all')"))


class PostgresSearchIndex(SearchIndex):
    dialect = "postgresql"
    _key = "post_id"

    def _upsert(self) -> TextClause:
        return text(
            "INSERT INTO post_search (post_id, terms) VALUES (:id, array_to_tsvector(:terms)) "
            "ON CONFLICT (post_id) DO UPDATE SET terms = EXCLUDED.terms"
        ).bindparams(bindparam("terms", type_=ARRAY(Text())))

    def _terms_param(self, terms: Collection[str]) -> Any:
        return sorted(t for t in terms if t)

    async def _prepare(self, session: AsyncSession) -> None:
        # The tsvectors live in TOAST, so the planner prices a sequential scan of post_search
        # by its tiny main table and prefers it for common words: measured 25-30 ms on 5k
        # posts, against ~1 ms through the GIN index. Only this transaction is affected.
        await session.execute(text("SET LOCAL enable_seqscan = off"))

    def _match(self) -> str:
        return "post_search.terms @@ CAST(:q AS tsquery)"

    def _select(
        self, what: str, channel: str | None, tail: str = "", *, windowed: bool = False
    ) -> TextClause:
        # The hits first, through the GIN index (ANDed with the primary key's range when
        # windowed), then their posts: otherwise the planner may walk ix_posts_date newest
        # first testing every post's terms, which for a term with few or no hits reads the
        # whole archive (584 ms at 200k posts).
        key = "AND post_id >= :floor" if windowed else ""
        since = "AND p.date >= :since" if windowed else ""
        return text(
            "WITH hits AS MATERIALIZED (SELECT post_id FROM post_search WHERE "
            f"{self._match()} {key}) SELECT {what} FROM hits JOIN posts p ON p.id = hits.post_id "
            f"{_channel_join(channel)} WHERE NOT p.deleted {since} {tail}"
        )

    def _floor(self) -> TextClause:
        # OFFSET 0 keeps the date range inside: min(id) alone may walk the primary key from
        # the oldest post up.
        return text("SELECT min(id) FROM (SELECT id FROM posts WHERE date >= :since OFFSET 0) w")

    def query_param(self, groups: QueryGroups) -> str:
        return " & ".join("(" + " | ".join(_ts_lexeme(t) for t in sorted(g)) + ")" for g in groups)


def _channel_join(channel: str | None) -> str:
    return "JOIN channels c ON c.id = p.channel_id AND c.username = :channel" if channel else ""


def _with_since(stmt: TextClause) -> TextClause:
    """``:since`` bound as the posts' date column binds it (SQLite stores naive UTC)."""
    if ":since" not in stmt.text:
        return stmt
    return stmt.bindparams(bindparam("since", type_=UTCDateTime()))


def _fts_token(term: str) -> str:
    """``term`` as one token of FTS5's ascii tokenizer: ASCII punctuation moved to U+E0xx."""
    return term.translate(_PRIVATE)


_PRIVATE = {c: 0xE000 + c for c in range(128) if not chr(c).isalnum()}


def _ts_lexeme(term: str) -> str:
    """A quoted tsquery lexeme: quotes doubled and backslashes escaped, taken verbatim."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


_INDEXES: dict[str, SearchIndex] = {
    "sqlite": SqliteSearchIndex(),
    "postgresql": PostgresSearchIndex(),
}


def _terms(known: Collection[str] | None, body: str) -> Collection[str]:
    return index_terms(body) if known is None else known


def index_for_dialect(name: str) -> SearchIndex:
    try:
        return _INDEXES[name]
    except KeyError:
        raise NotImplementedError(f"no search index for the {name!r} database") from None


def index_for(session: AsyncSession) -> SearchIndex:
    """The implementation for the database behind ``session``."""
    return index_for_dialect(session.get_bind().dialect.name)
