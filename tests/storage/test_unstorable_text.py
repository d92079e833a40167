"""Characters PostgreSQL cannot store (U+0000) or UTF-8 cannot encode (lone surrogates) are
cleaned where a Post is made and where a user's command is read: a NUL in a t.me page never
poisons a channel, and `/keyword a<NUL>b` is tracked, not "Something went wrong"."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import select

from bot.cli.importer import import_file
from bot.core.post import Post, storable
from bot.ingest import IngestService
from bot.matching import SubscriptionMatcher
from bot.media import MediaStore
from bot.watch.web import WebSource
from storage.engine import make_engine, make_sessionmaker, upgrade_schema
from storage.models import Post as PostRow
from tests.bot_kit import USER, Talk, bot
from tests.tme import FakeTme

__all__ = ["bot"]


def test_storable_drops_nul_and_replaces_lone_surrogates() -> None:
    assert storable("a\x00b") == "ab"
    assert storable("a\ud800b\udfff") == "a\ufffdb\ufffd"
    assert storable("Суджа 👍") == "Суджа 👍"
    post = Post(
        channel="c",
        id=1,
        date=datetime(2025, 1, 1, tzinfo=UTC),
        text="x\x00y\ud83d",
        channel_title="t\x00",
        extra=(("author", "a\x00"),),
    )
    assert (post.text, post.channel_title, post.extra) == ("xy\ufffd", "t", (("author", "a"),))


async def _texts(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            return list(await session.scalars(select(PostRow.text).order_by(PostRow.message_id)))
    finally:
        await engine.dispose()


async def test_a_nul_in_a_web_preview_page_does_not_poison_the_channel(
    db_url: str, tmp_path: Path
) -> None:
    from tests.conftest import reset_database

    await reset_database(db_url)
    engine = make_engine(db_url)
    await upgrade_schema(engine)
    try:
        service = IngestService(make_sessionmaker(engine), SubscriptionMatcher())
        store = MediaStore(tmp_path / "media")
        async with FakeTme() as tme, aiohttp.ClientSession() as http:
            tme.publish("chan", "before \x00 after, the end")
            tme.publish("chan", "ordinary")
            src = WebSource(tme.base_url, ["chan"], service, store, http, 0.05, page_delay=0)
            assert await src.poll_once("chan") == 2
            tme.publish("chan", "the next post")
            assert await src.poll_once("chan") == 1
    finally:
        await engine.dispose()
    texts = await _texts(db_url)
    assert texts[1:] == ["ordinary", "the next post"]
    assert "\x00" not in texts[0] and texts[0].startswith("before") and texts[0].endswith("end")


async def test_import_of_unstorable_text_stores_it_cleaned(
    settings_factory: Any, db_url: str, tmp_path: Path
) -> None:
    from tests.conftest import reset_database

    await reset_database(db_url)
    lines = [
        {"channel": "c", "id": 1, "date": "2025-01-01T10:00:00+00:00", "text": "a\u0000b"},
        {"channel": "c", "id": 2, "date": "2025-01-01T10:01:00+00:00", "text": "c\ud800d"},
    ]
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", "utf-8")
    read, stored = await import_file(settings_factory(database_url=db_url), path, None)
    assert (read, stored) == (2, 2)
    assert await _texts(db_url) == ["ab", "c\ufffdd"]


async def test_keyword_with_a_nul_is_tracked_cleaned(bot: Talk) -> None:
    reply = await bot.say(USER, "/keyword a\x00bc")
    assert "Something went wrong" not in reply["text"]
    assert ("keyword", "abc", 0) in await bot.subs(USER)
