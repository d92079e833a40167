"""The red team's lower-severity findings, replayed against the running bot: /list that does
not fit one message, a rate limit dodged by posting as several channels, forged button data,
edited commands, and /sources_add with names Telegram cannot have."""

from __future__ import annotations

import random
import string
import time
from collections.abc import AsyncIterator

import pytest

from bot.core.excerpt import TEXT_LIMIT, tg_len
from bot.services.archive import ArchiveService
from bot.services.ratelimit import RateLimiter
from tests.bot_kit import ADMIN, GROUP, USER, Talk, bot
from tests.botapi import objects

__all__ = ["bot"]


def _long_keyword(rng: random.Random) -> str:
    words = ["".join(rng.choices(string.ascii_lowercase, k=10)) for _ in range(20)]
    return " OR ".join(words)  # 276 characters, 20 terms: accepted by /keyword


async def test_list_with_twenty_long_keywords_fits_telegrams_limit(bot: Talk) -> None:
    rng = random.Random(3)
    for _ in range(20):
        reply = await bot.say(USER, "/keyword " + _long_keyword(rng))
        assert "Now tracking" in reply["text"] or "track" in reply["text"].lower()
    before = len(bot.api.calls_of("sendMessage", USER))
    bot.api.inject_message(USER, "/list", user_id=USER)
    await bot.api.wait_for(
        lambda _: any(
            "Daily digest" in str(c.params.get("text")) or "digest" in str(c.params.get("text"))
            for c in bot.api.calls_of("sendMessage", USER)[before:]
        )
    )
    sent = bot.api.calls_of("sendMessage", USER)[before:]
    assert len(sent) >= 2  # split, not refused
    assert all(c.outcome == "ok" for c in sent)
    assert all(tg_len(str(c.params["text"])) <= TEXT_LIMIT for c in sent)
    assert not any("Something went wrong" in str(c.params["text"]) for c in sent)
    assert sum(str(c.params["text"]).count("🔎") for c in sent) == 20


async def test_rate_limit_counts_people_not_the_channels_they_post_as(bot: Talk) -> None:
    bot.running.app.bot_data.limiter = RateLimiter(per_minute=5)
    channels = [{"id": -1001000 - i, "type": "channel", "title": f"Mine {i}"} for i in range(5)]
    for round_ in range(4):
        for channel in channels:
            bot.api.inject_message(
                GROUP, f"/help {round_}", chat_type="supergroup", sender_chat=channel
            )
    # A marker from a real person in another chat: by then the flood has been handled.
    await bot.say(USER, "/help")
    await bot.api.wait_for(lambda _: len(bot.api.calls_of("sendMessage", GROUP)) >= 6)
    await bot.say(USER, "/help")
    texts = [str(c.params.get("text")) for c in bot.api.calls_of("sendMessage", GROUP)]
    # (In Ukrainian: a channel has no language of its own.)
    assert sum("/track" in t for t in texts) == 5  # 20 commands, one budget
    assert len(texts) == 6  # and one "too many commands"


@pytest.mark.parametrize("data", ["ut:²", "ut:" + "9" * 30, "ut:-1", "ut:", "ut:١٢"])
async def test_forged_untrack_buttons_are_refused_quietly(bot: Talk, data: str) -> None:
    await bot.say(USER, "/keyword kursk")
    before = await bot.snapshot()
    answered = len(bot.api.calls_of("answerCallbackQuery"))
    bot.api.inject_callback(USER, USER, data)
    await bot.api.wait_for(lambda _: len(bot.api.calls_of("answerCallbackQuery")) > answered)
    answer = bot.api.calls_of("answerCallbackQuery")[-1].params
    assert not answer.get("text") and not answer.get("show_alert")
    await bot.say(USER, "/help")  # handled after the button: nothing else was said
    texts = [str(c.params.get("text")) for c in bot.api.calls_of("sendMessage", USER)]
    assert not any("Something went wrong" in t for t in texts)
    assert await bot.snapshot() == before


async def test_an_edited_command_is_not_run_again(bot: Talk) -> None:
    await bot.say(USER, "/keyword kursk")
    sent = len(bot.api.calls_of("sendMessage", USER))
    chat = bot.api.store.chat(USER)
    for text in ("/keyword sudzha", "/keyword kursk", "/untrack kursk"):
        msg = objects.message(
            1, chat, objects.user(USER, "en"), text=text, entities=objects.command_entities(text)
        )
        msg["edit_date"] = int(time.time())
        bot.api.inject_update({"edited_message": msg})
    await bot.say(USER, "/help")
    assert len(bot.api.calls_of("sendMessage", USER)) == sent + 1  # only /help answered
    assert await bot.subs(USER) == [("keyword", "kursk", 0)]


@pytest.fixture
async def admin_bot(bot: Talk) -> AsyncIterator[Talk]:
    bot.running.app.bot_data.archive = ArchiveService(
        bot.core.sessions, admin_ids=[ADMIN], places=bot.core.places
    )
    yield bot


@pytest.mark.parametrize(
    "name", ["abcd", "a" * 33, "1channel", "chan__nel", "channel_", "_channel", "ab-cd", "x"]
)
async def test_sources_add_refuses_names_telegram_cannot_have(admin_bot: Talk, name: str) -> None:
    reply = await admin_bot.say(ADMIN, f"/sources_add {name}")
    assert "not a channel" in reply["text"]


async def test_sources_add_accepts_real_names(admin_bot: Talk) -> None:
    reply = await admin_bot.say(ADMIN, "/sources_add @Mod_Russia_en")
    assert "@mod_russia_en" in reply["text"]
