"""The search index on SQLite and PostgreSQL: inflections, AND of ORs, pages, channels,
edits, deletions, and posts stored before the index existed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli.main import main
from bot.core.post import Post
from bot.core.tokens import search_query
from bot.ingest import IngestService
from bot.matching import SubscriptionMatcher
from bot.search_hook import SearchHook
from storage.engine import alembic_config, make_engine, make_sessionmaker, upgrade_schema
from storage.repos import posts as post_repo
from storage.repos.search import index_for
from tests.conftest import reset_database

T0 = datetime(2025, 4, 26, 8, 0, tzinfo=UTC)


def ingest_service(
    sessions: async_sessionmaker[AsyncSession], *, hook: bool = True
) -> IngestService:
    return IngestService(
        sessions, SubscriptionMatcher(kinds=()), hooks=[SearchHook()] if hook else []
    )


async def store(
    ingest: IngestService, *texts: str, channel: str = "kpszsu", start: int = 1
) -> None:
    await ingest.new_posts(
        [
            Post(channel=channel, id=start + i, date=T0 + timedelta(minutes=i), text=body)
            for i, body in enumerate(texts)
        ]
    )


async def found(
    sessions: async_sessionmaker[AsyncSession], query: str, **kw: object
) -> list[tuple[str, int]]:
    async with sessions() as session:
        index = index_for(session)
        ids = await index.search(session, search_query(query), limit=100, **kw)  # type: ignore[arg-type]
        out = []
        for post_id in ids:
            row = await session.get(post_repo.PostRow, post_id)
            assert row is not None
            out.append((row.channel.username, row.message_id))
        return out


async def test_inflected_forms_and_and_semantics(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ingest = ingest_service(sessions)
    await store(
        ingest,
        "Ворог обстріляв околиці Харкова вночі.",  # 1 uk genitive
        "ВСУ нанесли удар по Харькову.",  # 2 ru dative
        "У Харківській області тихо.",  # 3 adjective: a different word
        "Бої тривають біля Суджі та в Курській області.",  # 4
        "Kursk region fully liberated, says the ministry.",  # 5
        "Обстріл Сум: поранено двох людей.",  # 6
        "Гуляй-Поле під обстрілом, зруйновано будинок.",
    )  # 7
    assert {i for _, i in await found(sessions, "Харків")} == {1, 2}
    assert {i for _, i in await found(sessions, "Харькове")} >= {1, 2}
    assert {i for _, i in await found(sessions, "Суджа")} == {4}
    assert {i for _, i in await found(sessions, "курська область")} == {4}
    assert {i for _, i in await found(sessions, "kursk liberated")} == {5}
    assert await found(sessions, "kursk belgorod") == []  # AND: both words needed
    assert {i for _, i in await found(sessions, "обстріл")} >= {6, 7}
    assert {i for _, i in await found(sessions, "обстріл Суми")} == {6}
    assert {i for _, i in await found(sessions, "Гуляйполе")} == {7}
    # Newest first.
    assert [i for _, i in await found(sessions, "Харків")] == [2, 1]


async def test_terms_are_stored_verbatim(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Apostrophes, hyphens, digits, quotes and backslashes reach neither tokenizer."""
    ingest = ingest_service(sessions)
    await store(
        ingest,
        "П'ятихатки: Су-34 збито",
        "path C:\\temp\\x 'quoted' \"dq\" a&b|c!",
        "emoji 🇺🇦 only and ОR AND NOT",
    )
    assert [i for _, i in await found(sessions, "п’ятихатки")] == [1]
    assert [i for _, i in await found(sessions, "су-34")] == [1]
    assert [i for _, i in await found(sessions, "'quoted'")] == [2]
    assert [i for _, i in await found(sessions, "temp")] == [2]
    assert [i for _, i in await found(sessions, "NOT")] == [3]
    async with sessions() as session:
        index = index_for(session)
        odd = [frozenset({"a'b\\c", "x y", "&|!():*"})]
        assert await index.search(session, odd) == []
        assert await index.count(session, []) == 0


async def test_pages_channels_and_deleted(sessions: async_sessionmaker[AsyncSession]) -> None:
    ingest = ingest_service(sessions)
    await store(ingest, *[f"Зведення №{n}: бої біля Покровська" for n in range(1, 24)])
    await store(ingest, "Покровськ: ситуація складна", channel="mod_russia", start=500)
    groups = search_query("Покровськ")
    async with sessions() as session:
        index = index_for(session)
        assert await index.count(session, groups) == 24
        first = await index.search(session, groups, limit=10)
        second = await index.search(session, groups, limit=10, offset=10)
        last = await index.search(session, groups, limit=10, offset=20)
        assert len(first) == len(second) == 10 and len(last) == 4
        assert not set(first) & set(second)
        assert await index.count(session, groups, channel="mod_russia") == 1
        assert await index.count(session, groups, channel="nobody") == 0
    assert await found(sessions, "Покровськ", channel="mod_russia") == [("mod_russia", 500)]
    newest = await found(sessions, "Покровськ", channel="kpszsu")
    assert [i for _, i in newest][:3] == [23, 22, 21]

    await ingest.deleted("kpszsu", [23, 5], T0)
    async with sessions() as session:
        assert await index_for(session).count(session, groups) == 22
    assert ("kpszsu", 23) not in await found(sessions, "Покровськ")


async def test_an_edit_is_reindexed(sessions: async_sessionmaker[AsyncSession]) -> None:
    ingest = ingest_service(sessions)
    await store(ingest, "Бої біля Куп'янська тривають.")
    edited = Post(
        channel="kpszsu",
        id=1,
        date=T0,
        edit_date=T0 + timedelta(hours=1),
        text="Уточнення: бої біля Лимана.",
    )
    # The edit path as bot.ingest._maybe_edit would run it with an edit hook.
    async with sessions() as session, session.begin():
        row = await post_repo.get_by_ref(session, "kpszsu", 1)
        assert row is not None
        await post_repo.record_edit(session, row, edited)
        await SearchHook()(session, row, edited)
    assert await found(sessions, "Лиман") == [("kpszsu", 1)]
    assert await found(sessions, "Куп'янськ") == []
    # The ingest edit path itself, whichever hooks it runs: the post is still found once.
    await ingest.edited(Post(channel="kpszsu", id=1, date=T0, text="Бої біля Лимана і Сіверська."))
    assert len(await found(sessions, "бої")) == 1


async def test_posts_stored_before_the_index_are_backfilled(db_url: str) -> None:
    await reset_database(db_url)
    engine = make_engine(db_url)
    try:
        await upgrade_schema(engine, "0001")
        sessions = make_sessionmaker(engine)
        await store(
            ingest_service(sessions, hook=False),
            "Звільнено Харків",
            "Освобождена Суджа",
            "Nothing here",
        )
        await upgrade_schema(engine)  # 0002 creates the index and fills it
        assert [i for _, i in await found(sessions, "Харкова")] == [1]
        assert [i for _, i in await found(sessions, "Суджі")] == [2]

        # Lost rows come back with reindex(only_missing); a full reindex is idempotent.
        async with sessions() as session, session.begin():
            await index_for(session).clear(session)
        async with sessions() as session, session.begin():
            assert await index_for(session).reindex(session, only_missing=True, batch=2) == 3
        async with sessions() as session, session.begin():
            assert await index_for(session).reindex(session, only_missing=True) == 0
            assert await index_for(session).reindex(session) == 3
        assert [i for _, i in await found(sessions, "Суджа")] == [2]
        async with sessions() as session:
            live = (
                "post_search_docs" if session.get_bind().dialect.name == "sqlite" else "post_search"
            )
            assert await session.scalar(text(f"SELECT count(*) FROM {live}")) == 3
    finally:
        await engine.dispose()


def test_reindex_command_and_downgrade(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`dozor reindex` refills an emptied index; 0002 downgrades cleanly and upgrades again."""

    async def prepare() -> None:
        await reset_database(db_url)
        engine = make_engine(db_url)
        try:
            await upgrade_schema(engine)
            sessions = make_sessionmaker(engine)
            await store(ingest_service(sessions), "Бої біля Торецька", "Звільнено Торецьк")
            async with sessions() as session, session.begin():
                await index_for(session).clear(session)
        finally:
            await engine.dispose()

    async def search_after(migrate: bool) -> list[tuple[str, int]]:
        engine = make_engine(db_url)
        try:
            if migrate:
                async with engine.begin() as conn:
                    await conn.run_sync(_downgrade_to_0001)
                await upgrade_schema(engine)
            return await found(make_sessionmaker(engine), "Торецьк")
        finally:
            await engine.dispose()

    asyncio.run(prepare())
    assert asyncio.run(search_after(False)) == []
    assert main(["reindex", "--db", db_url]) == 0
    assert "indexed 2 posts" in capsys.readouterr().out
    assert main(["reindex", "--db", db_url]) == 0
    assert "indexed 0 posts" in capsys.readouterr().out
    assert main(["reindex", "--all", "--db", db_url]) == 0
    assert "indexed 2 posts" in capsys.readouterr().out
    assert {i for _, i in asyncio.run(search_after(False))} == {1, 2}
    assert {i for _, i in asyncio.run(search_after(True))} == {1, 2}


def _downgrade_to_0001(connection: Connection) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.downgrade(cfg, "0001")


async def test_an_edit_through_ingest_is_reindexed(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """``IngestService(edit_hooks=[SearchHook()])``: the change asked of bot/ingest.py."""
    hook = SearchHook()
    ingest = IngestService(sessions, SubscriptionMatcher(kinds=()), hooks=[hook], edit_hooks=[hook])
    await store(ingest, "Бої біля Куп'янська тривають.")
    await ingest.edited(Post(channel="kpszsu", id=1, date=T0, text="Бої біля Лимана."))
    assert await found(sessions, "Лиман") == [("kpszsu", 1)]
    assert await found(sessions, "Куп'янськ") == []


async def test_sqlite_index_keeps_no_copy_of_the_terms(tmp_path: Path) -> None:
    """Contentless FTS5 (SQLite only; PostgreSQL keeps a tsvector column): only the inverted
    index is stored, and an edit's old row is left unreachable rather than found."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'search.sqlite3'}")
    try:
        await upgrade_schema(engine)
        sessions = make_sessionmaker(engine)
        hook = SearchHook()
        ingest = IngestService(
            sessions, SubscriptionMatcher(kinds=()), hooks=[hook], edit_hooks=[hook]
        )
        await store(ingest, "Обстріл Херсона.")
        await ingest.edited(Post(channel="kpszsu", id=1, date=T0, text="Обстріл Миколаєва."))
        async with sessions() as session:
            tables = set(await session.scalars(text("SELECT name FROM sqlite_master")))
            assert "post_search_content" not in tables and "post_search_docsize" not in tables
            assert await session.scalar(text("SELECT count(*) FROM post_search_docs")) == 1
        assert await found(sessions, "Херсон") == []
        assert await found(sessions, "Миколаїв") == [("kpszsu", 1)]
    finally:
        await engine.dispose()


async def test_pages_are_newest_first_across_windows_and_backfill(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A page is the newest matching posts whatever window it is found in: posts a day, a
    month and a year old, and an old post stored last (a backfill, so a later index key)."""
    ingest = ingest_service(sessions)
    ages = [0, 0.5, 3, 30, 200, 400]  # days before the newest post
    now = T0 + timedelta(days=400)
    await ingest.new_posts(
        [
            Post(channel="kpszsu", id=i + 1, date=now - timedelta(days=age), text="Обстріл Харкова")
            for i, age in enumerate(ages)
        ]
        + [Post(channel="kpszsu", id=99, date=now, text="Тиша в Одесі")]
    )
    await ingest.new_posts(
        [Post(channel="kpszsu", id=50, date=now - timedelta(days=100), text="Харків знову")]
    )
    newest_first = [1, 2, 3, 4, 50, 5, 6]
    assert [i for _, i in await found(sessions, "Харків")] == newest_first
    async with sessions() as session:
        index = index_for(session)
        for limit, offset in [(1, 0), (2, 1), (3, 3), (5, 4), (2, 6)]:
            ids = await index.search(session, search_query("Харків"), limit=limit, offset=offset)
            got = [(await session.get(post_repo.PostRow, i)).message_id for i in ids]  # type: ignore[union-attr]
            assert got == newest_first[offset : offset + limit]
        assert await index.search(session, search_query("Львів"), limit=5) == []
        assert await index.count(session, search_query("Харків")) == 7
        assert await index.count(session, search_query("Харків"), cap=3) == 3
