"""/search (with page buttons), /latest, /sources (+ admin-only changes) and /claims, end to
end through the loopback Bot API's getUpdates flow, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.core.post import Post
from bot.media import MediaStore
from bot.ops.metrics import Metrics
from bot.ops.sources import SourceHealthTracker
from bot.search_hook import SearchHook
from bot.services.archive import ArchiveService
from bot.watch.sample import sample_posts
from storage.models import Channel, Claim
from storage.models import Post as PostRow
from tests.bot_kit import ADMIN, USER, Talk, bot, buttons

__all__ = ["bot"]
T0 = datetime(2025, 4, 20, 6, 0, tzinfo=UTC)
LINK = re.compile(r'href="https://t\.me/(\w+)/(\d+)"')


@pytest.fixture
async def archive_bot(bot: Talk) -> AsyncIterator[Talk]:
    """The bot with the archive wired as bot/app.py should wire it: the search hook on
    ingest and the service (with an admin) in bot_data."""
    if not any(isinstance(h, SearchHook) for h in bot.core.ingest.hooks):
        bot.core.ingest.hooks.append(SearchHook())
    bot.running.app.bot_data.archive = ArchiveService(
        bot.core.sessions, admin_ids=[ADMIN], places=bot.core.places
    )
    yield bot


async def store(talk: Talk, channel: str, texts: list[str], start: int = 100) -> None:
    await talk.core.ingest.new_posts(
        [
            Post(channel=channel, id=start + i, date=T0 + timedelta(hours=i), text=body)
            for i, body in enumerate(texts)
        ]
    )


def links(params: dict[str, Any]) -> list[tuple[str, int]]:
    return [(c, int(i)) for c, i in LINK.findall(params["text"])]


def valid_html(params: dict[str, Any]) -> str:
    HTMLParser().feed(params["text"])
    return str(params["text"])


async def archive_state(talk: Talk) -> tuple[Any, ...]:
    async with talk.core.sessions() as session:
        channels = [
            (c.username, c.side, c.active)
            for c in await session.scalars(select(Channel).order_by(Channel.id))
        ]
        posts = await session.scalar(select(func.count()).select_from(PostRow))
    return (*await talk.snapshot(), channels, posts)


async def test_search_is_inflection_aware_and_pages_with_buttons(archive_bot: Talk) -> None:
    forms = [
        "Харкова",
        "Харкові",
        "Харків",
        "Харькову",
        "Харьков",
        "Харковом",
        "Харкова",
        "Харкові",
    ]
    await store(
        archive_bot,
        "kpszsu",
        [f"Зведення {n}: тривога у {form}, працює ППО." for n, form in enumerate(forms)]
        + ["Тихо в Одесі.", "Харківська область: без змін."],
    )
    reply = await archive_bot.say(USER, "/search Харків")
    text = valid_html(reply)
    assert text.startswith("🔎 Харків\n8 found · page 1 of 2")
    assert [i for _, i in links(reply)] == [107, 106, 105, 104, 103]  # newest first
    assert "<b>Харкові</b>" in text and "<b>Харьков</b>" in text
    assert buttons(reply) == [("▶", "s:1")]

    page2 = await archive_bot.press(USER, USER, "s:1")
    assert "page 2 of 2" in valid_html(page2)
    assert [i for _, i in links(page2)] == [102, 101, 100]
    assert buttons(page2) == [("◀", "s:0")]
    back = await archive_bot.press(USER, USER, "s:0")
    assert links(back)[0] == ("kpszsu", 107)

    # Ukrainian, AND of words, a channel filter, deleted posts left out.
    reply = await archive_bot.say(USER, "/search тривога Харків ППО", lang="uk")
    assert "Знайдено: 8 · сторінка 1 з 2" in reply["text"]
    assert (
        "Нічого не знайдено"
        in (await archive_bot.say(USER, "/search Харків Одеса", lang="uk"))["text"]
    )
    await store(archive_bot, "mod_russia", ["Удар по Харькову."], start=900)
    reply = await archive_bot.say(USER, "/search @mod_russia Харків")
    assert links(reply) == [("mod_russia", 900)] and reply["text"].startswith(
        "🔎 @mod_russia Харків\n1 found"
    )
    await archive_bot.core.ingest.deleted("kpszsu", [107], T0)
    reply = await archive_bot.say(USER, "/search Харків")
    assert "8 found" in reply["text"] and ("kpszsu", 107) not in links(reply)


async def test_search_bad_input_gets_a_clear_reply_and_changes_nothing(archive_bot: Talk) -> None:
    await store(archive_bot, "kpszsu", ["Суджа: бої тривають."])
    before = await archive_state(archive_bot)
    assert "What should I look for" in (await archive_bot.say(USER, "/search"))["text"]
    assert "Що шукати" in (await archive_bot.say(USER, "/search   ", lang="uk"))["text"]
    assert "Too long" in (await archive_bot.say(USER, "/search " + "Суджа " * 1000))["text"]
    assert "no words" in (await archive_bot.say(USER, "/search ?!… —"))["text"]
    assert (
        "Too many words"
        in (await archive_bot.say(USER, "/search " + " ".join(f"w{i}" for i in range(20))))["text"]
    )
    assert "Nothing found" in (await archive_bot.say(USER, "/search <b>Суджа&</b>"))["text"]
    long = "Суджа " * 1000
    assert "Too long" in (await archive_bot.say(USER, "/latest " + long))["text"]
    assert "Too long" in (await archive_bot.say(USER, "/claims " + long))["text"]
    assert "Usage" in (await archive_bot.say(ADMIN, "/sources_add " + long))["text"]
    assert "Usage" in (await archive_bot.say(ADMIN, "/sources_remove " + long))["text"]
    # A page button on a message that is not a search: a clear alert, nothing else.
    await archive_bot.say(USER, "/sources")
    answer = await archive_bot.press(USER, USER, "s:3")
    assert "expired" in answer["text"]
    assert await archive_state(archive_bot) == before


async def test_latest_about_a_place_and_about_what_the_chat_tracks(archive_bot: Talk) -> None:
    reply = await archive_bot.say(USER, "/latest")
    assert "tracks nothing yet" in reply["text"]
    await archive_bot.say(USER, "/track Sumy")
    await archive_bot.press(USER, USER, "tp:UA-59")  # Sumy Oblast: covers the city
    await archive_bot.say(USER, "/keyword погода")
    reply = await archive_bot.say(USER, "/latest")
    assert "Nothing this chat tracks has been posted" in reply["text"]
    sent = len(archive_bot.api.calls_of("sendMessage", USER))
    await store(
        archive_bot,
        "generalstaffzsu",
        [
            "Бої тривають біля Суджі.",
            "Удар по Сумах.",
            "У Курській області спокійно.",
            "Погода в Житомирі.",
        ],
    )
    # The chat is alerted of the two posts it tracks (Sumy, the keyword); the replies below
    # come after those.
    await archive_bot.api.wait_for(
        lambda _: len(archive_bot.api.calls_of("sendMessage", USER)) >= sent + 2
    )
    reply = await archive_bot.say(USER, "/latest Kursk Oblast")
    assert "Latest posts about Kursk Oblast" in valid_html(reply)
    assert [i for _, i in links(reply)] == [102, 100]  # Sudzha is inside Kursk Oblast
    reply = await archive_bot.say(USER, "/latest Суджа", lang="uk")
    # The chat's language was settled (en) by its first commands, above.
    assert "Latest posts about Sudzha" in reply["text"] and len(links(reply)) == 1
    reply = await archive_bot.say(USER, "/latest Kyrsk")
    assert "I don't know a place" in reply["text"] and "Kursk" in reply["text"]

    # Read from the match record the ingest path wrote for the chat's subscriptions.
    reply = await archive_bot.say(USER, "/latest")
    assert "what this chat tracks" in valid_html(reply)
    assert [i for _, i in links(reply)] == [103, 101]
    assert "<b>Погода</b>" in reply["text"]


async def test_sources_admin_only_changes(archive_bot: Talk) -> None:
    await store(archive_bot, "kpszsu", ["Тривога."])
    reply = await archive_bot.say(USER, "/sources")
    assert "@kpszsu" in reply["text"]

    before = await archive_state(archive_bot)
    assert (
        "Only the bot's administrators"
        in (await archive_bot.say(USER, "/sources_add @new_channel RU"))["text"]
    )
    assert (
        "Only the bot's administrators"
        in (await archive_bot.say(USER, "/sources_remove kpszsu"))["text"]
    )
    assert "Usage" in (await archive_bot.say(ADMIN, "/sources_add"))["text"]
    assert "Usage" in (await archive_bot.say(ADMIN, "/sources_add a b c"))["text"]
    assert "not a channel" in (await archive_bot.say(ADMIN, "/sources_add канал"))["text"]
    assert "A side is" in (await archive_bot.say(ADMIN, "/sources_add new_channel 1"))["text"]
    assert "Usage" in (await archive_bot.say(ADMIN, "/sources_remove"))["text"]
    assert "I was not watching" in (await archive_bot.say(ADMIN, "/sources_remove nobody"))["text"]
    assert await archive_state(archive_bot) == before

    reply = await archive_bot.say(ADMIN, "/sources_add https://t.me/New_Channel ru", lang="uk")
    assert "Стежу за @new_channel (RU)" in reply["text"]
    reply = await archive_bot.say(ADMIN, "/sources_remove @kpszsu")
    assert "Stopped watching @kpszsu" in reply["text"]
    reply = await archive_bot.say(USER, "/sources")
    assert "@new_channel — 🇷🇺 RU" in reply["text"]
    assert "@kpszsu — 🇺🇦 UA (stopped; archive kept)" in reply["text"]
    assert reply["text"].index("new_channel") < reply["text"].index("kpszsu")


async def test_claims_board_from_stored_claims(archive_bot: Talk, tmp_path: Path) -> None:
    posts = sorted(sample_posts(MediaStore(tmp_path / "media")), key=lambda p: p.date)
    for post in posts:
        await archive_bot.core.ingest.new_posts([post])
    async with archive_bot.core.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Claim))

    reply = await archive_bot.say(USER, "/claims Kursk Oblast")
    text = valid_html(reply)
    assert text.startswith("⚖️ Claims about Kursk Oblast")
    assert "🇷🇺 <b>Russia's MoD</b>" in text and "🇺🇦" in text
    assert len(links(reply)) >= 2
    reply = await archive_bot.say(USER, "/claims Суджа", lang="uk")
    text = valid_html(reply)
    assert "Заяви: Суджа" in text or "заяв ще немає" in text
    assert "Курська область" in text

    assert "Which place" in (await archive_bot.say(USER, "/claims"))["text"]
    reply = await archive_bot.say(USER, "/claims Kyrsk")
    assert (
        "I don't know a place called “Kyrsk”" in reply["text"] and "Did you mean" in reply["text"]
    )
    reply = await archive_bot.say(USER, "/claims Житомир")
    assert "No claims about Zhytomyr" in reply["text"]


async def test_sources_with_many_failing_channels_fit_and_hide_errors_from_users(
    archive_bot: Talk,
) -> None:
    """Hundreds of failing sources: /sources answers in several messages the (real) Bot API
    accepts, and only an ADMIN_IDS user in a private chat sees the errors' internal URLs."""
    tracker = SourceHealthTracker(
        archive_bot.core.sessions, Metrics(), degraded_after=1, dead_after=2
    )
    error = OSError("GET http://10.0.0.7:8080/s/x?before=999999 failed: connection refused")
    channels = [f"failing_{n:03}" for n in range(150)]
    for channel in channels:
        await tracker.polled(channel, error)

    async def all_of(chat: int) -> list[str]:
        def done(_: object) -> bool:
            sent = archive_bot.api.calls_of("sendMessage", chat)
            return bool(sent) and channels[-1] in str(sent[-1].params["text"])

        await archive_bot.api.wait_for(done)
        return [str(c.params["text"]) for c in archive_bot.api.calls_of("sendMessage", chat)]

    await archive_bot.say(USER, "/sources")
    seen = await all_of(USER)
    assert len(seen) > 1 and all(len(text) <= 4096 for text in seen)
    assert all(f"@{c}" in "".join(seen) for c in channels)
    assert "10.0.0.7" not in "".join(seen)
    await archive_bot.say(ADMIN, "/sources")
    assert "10.0.0.7" in "".join(await all_of(ADMIN))
