"""/sources_add asks the t.me web preview (the loopback one) whether the channel exists and is
public before saying yes: a missing channel is refused, not "watched" and failed forever."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.bot_kit import ADMIN, Talk, talking
from tests.tme.server import FakeTme


@pytest.fixture
async def tme() -> AsyncIterator[FakeTme]:
    async with FakeTme() as server:
        server.add_channel("real_channel", "A real channel")
        server.publish("real_channel", "Перший допис.")
        yield server


@pytest.fixture
async def admin_bot(settings_factory: Any, db_url: str, tme: FakeTme) -> AsyncIterator[Talk]:
    async with talking(
        settings_factory, db_url, telegram_web_url=tme.base_url, admin_ids=[ADMIN]
    ) as talk:
        yield talk


async def _sources(talk: Talk) -> str:
    return str((await talk.say(ADMIN, "/sources"))["text"])


async def test_missing_channel_is_refused(admin_bot: Talk, tme: FakeTme) -> None:
    reply = await admin_bot.say(ADMIN, "/sources_add @no_such_channel")
    assert "There is no public channel @no_such_channel" in reply["text"]
    assert tme.page_requests["no_such_channel"] == 1
    assert "no_such_channel" not in await _sources(admin_bot)
    reply = await admin_bot.say(ADMIN, "/sources_add no_such_channel", lang="uk")
    assert "Каналу @no_such_channel немає серед публічних" in reply["text"]


async def test_public_channel_is_added(admin_bot: Talk) -> None:
    reply = await admin_bot.say(ADMIN, "/sources_add @Real_Channel UA")
    assert "Watching @real_channel (UA)" in reply["text"]
    assert "@real_channel" in await _sources(admin_bot)


async def test_unreachable_tme_is_said_not_guessed(admin_bot: Talk, tme: FakeTme) -> None:
    tme.fail_next(502, count=1)
    reply = await admin_bot.say(ADMIN, "/sources_add real_channel")
    assert "Could not check @real_channel on t.me" in reply["text"]
    assert "real_channel" not in await _sources(admin_bot)
