"""/digest, /timezone, /mute, /lang, /help end to end, and their parsers."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.services.prefs import parse_duration, parse_time, resolve_timezone
from tests.bot_kit import USER, Talk, bot

__all__ = ["bot"]


async def test_settings_are_stored_and_used(bot: Talk) -> None:
    reply = await bot.say(USER, "/timezone Київ", lang="uk")
    assert "Europe/Kyiv" in reply["text"]
    reply = await bot.say(USER, "/timezone america/new_york", lang="uk")
    assert "America/New_York" in reply["text"]
    reply = await bot.say(USER, "/digest 9:05", lang="uk")
    assert "09:05" in reply["text"] and "America/New_York" in reply["text"]
    chat = await bot.chat(USER)
    assert chat is not None and chat.digest_time == time(9, 5) and chat.language == "uk"

    reply = await bot.say(USER, "/mute 2h", lang="uk")
    assert "Тиша до" in reply["text"]
    chat = await bot.chat(USER)
    assert chat is not None and chat.muted_until is not None
    left = chat.muted_until - datetime.now(UTC)
    assert timedelta(hours=1, minutes=59) < left <= timedelta(hours=2)

    # A muted chat gets no alert.
    await bot.say(USER, "/track Sudzha", lang="uk")
    await bot.post("Суджа: заява.")
    await bot.running.dispatcher.run_once()
    assert not [
        c for c in bot.api.calls_of("sendMessage", USER) if "t.me/" in str(c.params.get("text"))
    ]
    reply = await bot.say(USER, "/mute off", lang="uk")
    assert "знову" in reply["text"]
    chat = await bot.chat(USER)
    assert chat is not None and chat.muted_until is None

    # /lang switches the chat, whatever the user's own language.
    reply = await bot.say(USER, "/lang en", lang="uk")
    assert "English" in reply["text"]
    reply = await bot.say(USER, "/help", lang="uk")
    assert "What to track" in reply["text"] and "/keyword" in reply["text"]
    reply = await bot.say(USER, "/digest off", lang="uk")
    assert "off" in reply["text"]
    chat = await bot.chat(USER)
    assert chat is not None and chat.digest_time is None and chat.language == "en"


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("30m", 30),
        ("2h", 120),
        ("1d", 1440),
        ("1h30m", 90),
        ("2 год", 120),
        ("1 тиждень", 10080),
    ],
)
def test_durations(text: str, minutes: int) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["", "forever", "0m", "31d", "-1h", "2x", "h", "1h foo", "9" * 50])
def test_bad_durations(text: str) -> None:
    assert parse_duration(text) is None


def test_times_and_zones() -> None:
    assert parse_time("09:30") == time(9, 30)
    assert parse_time("7.05") == time(7, 5)
    assert parse_time("24:00") is None and parse_time("9") is None
    assert resolve_timezone("Kiev") == "Europe/Kyiv"
    assert resolve_timezone("europe/warsaw") == "Europe/Warsaw"
    assert resolve_timezone("New York") == "America/New_York"
    assert resolve_timezone("tokyo") == "Asia/Tokyo"
    assert resolve_timezone("Atlantis") is None
    assert resolve_timezone("../../etc/passwd") is None
