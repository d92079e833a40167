"""Every private message gets an answer, and no command reply is lost to Telegram's flood
limits: the loopback server enforces them (1 message/s per private chat, 30/s overall)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.bot_kit import USER, Talk, bot, talking
from tests.botapi.limits import Limits

__all__ = ["bot"]


@pytest.fixture
async def limited_bot(settings_factory: Any, db_url: str) -> AsyncIterator[Talk]:
    async with talking(settings_factory, db_url, limits=Limits()) as talk:
        yield talk


async def test_eight_commands_at_once_all_get_their_reply(limited_bot: Talk) -> None:
    api = limited_bot.api
    commands = ["/help", "/list", "/track Суджа", "/sources", "/help", "/list", "/lang en"]
    commands += ["/track Курщина", "/keyword Суджа", "/help"]
    for text in commands:
        api.inject_message(USER, text, user_id=USER, language_code="en")

    def answered(_: object) -> list[Any]:
        ok = [c for c in api.calls_of("sendMessage", USER) if c.outcome == "ok"]
        return ok if len(ok) >= len(commands) else []

    replies = await api.wait_for(answered, timeout=40)
    assert len(replies) == len(commands)
    # Paced before sending, so the server rarely had to refuse; anything refused was resent.
    refused = [c for c in api.calls_of("sendMessage", USER) if c.outcome == "rate_limited"]
    assert len(refused) <= 2
    texts = [str(c.params["text"]) for c in replies]
    assert sum("What to track" in t for t in texts) == 3
    assert any("Суджа" in t for t in texts)


async def test_plain_text_is_offered_as_a_place_to_track_or_search(bot: Talk) -> None:
    reply = await bot.say(USER, "Суджа", lang="uk")
    assert "Суджа" in reply["text"]
    labels = [b["text"] for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    data = [b["callback_data"] for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert any(d.startswith("tp:") for d in data)  # track the place
    assert any(d.startswith("ls:") for d in data)  # its latest posts
    assert await bot.subs(USER) == []  # nothing tracked until a button is pressed
    assert labels


async def test_plain_words_are_offered_as_a_keyword_or_search(bot: Talk) -> None:
    reply = await bot.say(USER, "дрони шахед", lang="en")
    data = [b["callback_data"] for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert any(d.startswith("tk:") for d in data)
    assert any(d.startswith("sq:") for d in data)
    pressed = await bot.press(USER, USER, next(d for d in data if d.startswith("sq:")))
    assert "дрони шахед" in pressed["text"]


async def test_unknown_command_gets_help(bot: Talk) -> None:
    reply = await bot.say(USER, "/frobnicate now", lang="en")
    assert "don't know the command /frobnicate" in reply["text"]
    assert "What to track" in reply["text"]
    reply = await bot.say(USER, "/щось", lang="uk")
    assert "Не знаю команди /щось" in reply["text"]
