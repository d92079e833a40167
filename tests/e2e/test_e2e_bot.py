"""The whole path against the loopback Bot API server, through PTB's real getUpdates flow:
a user tracks a place, a Desktop export is imported, and the alert arrives with its photo."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot.app import Core, start_core
from bot.cli.importer import import_file
from bot.compose.processes import Running, start_bot, stop_bot
from tests.botapi.server import BotApiServer

USER = 5001
GROUP = -100777


def write_export(folder: Path) -> Path:
    """A small single-channel Desktop export with a map photo, as Telegram Desktop writes it."""
    (folder / "photos").mkdir(parents=True)
    img = Image.new("RGB", (320, 200), "white")
    img.paste((200, 30, 30), (100, 60, 220, 140))
    img.save(folder / "photos" / "photo_1@26-04-2025_09-00-00.jpg", format="JPEG")
    unix = int(datetime(2025, 4, 26, 9, 0, tzinfo=UTC).timestamp())
    export = {
        "name": "Минобороны России",
        "type": "public_channel",
        "id": 1000000001,
        "messages": [
            {
                "id": 51000,
                "type": "message",
                "date": "2025-04-26T12:00:00",
                "date_unixtime": str(unix),
                "from": "Минобороны России",
                "from_id": "channel1000000001",
                "photo": "photos/photo_1@26-04-2025_09-00-00.jpg",
                "width": 320,
                "height": 200,
                "text": [
                    {"type": "bold", "text": "Kursk region"},
                    " has been fully liberated, the Ministry says.",
                ],
                "text_entities": [
                    {"type": "bold", "text": "Kursk region"},
                    {"type": "plain", "text": " has been fully liberated, the Ministry says."},
                ],
            },
            {
                "id": 51001,
                "type": "message",
                "date": "2025-04-26T12:05:00",
                "date_unixtime": str(unix + 300),
                "from": "Минобороны России",
                "from_id": "channel1000000001",
                "text": "Nothing about that region here.",
                "text_entities": [{"type": "plain", "text": "Nothing about that region here."}],
            },
        ],
    }
    path = folder / "result.json"
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
async def botapi() -> AsyncIterator[BotApiServer]:
    async with BotApiServer() as server:
        yield server


@pytest.fixture
async def live(botapi: BotApiServer, settings_factory: Any, db_url: str) -> AsyncIterator[Running]:
    from tests.conftest import reset_database

    await reset_database(db_url)
    settings = settings_factory(
        database_url=db_url,
        telegram_api_url=f"{botapi.url}/bot",
        telegram_file_url=f"{botapi.url}/file/bot",
    )
    core: Core = await start_core(settings)
    running = await start_bot(core, poll_timeout=1)
    assert running is not None
    yield running
    await stop_bot(running)
    await core.close()


def texts_to(botapi: BotApiServer, chat_id: int) -> list[str]:
    return [
        str(c.params.get("text") or c.params.get("caption") or "")
        for c in botapi.calls
        if c.chat_id == chat_id and c.method.startswith("send")
    ]


def edits_to(botapi: BotApiServer, chat_id: int) -> list[str]:
    return [str(c.params.get("text") or "") for c in botapi.calls_of("editMessageText", chat_id)]


async def test_track_import_alert_with_photo(
    botapi: BotApiServer, live: Running, tmp_path: Path
) -> None:
    botapi.inject_message(USER, "/start", user_id=USER, language_code="en")
    await botapi.wait_for(lambda calls: any("Dozor" in t for t in texts_to(botapi, USER)))

    # "Kursk" names the city and the oblast: the bot offers both, the user picks the oblast.
    botapi.inject_message(USER, "/track Kursk", user_id=USER, language_code="en")
    await botapi.wait_for(lambda calls: "tp:RU-KRS" in str(botapi.calls_of("sendMessage")[-1:]))
    botapi.inject_callback(USER, USER, "tp:RU-KRS")
    await botapi.wait_for(
        lambda calls: any("Tracking: Kursk Oblast" in t for t in edits_to(botapi, USER))
    )

    export = write_export(tmp_path / "export")
    read, stored = await import_file(live.core.settings, export, "mod_russia")
    assert (read, stored) == (2, 2)

    await botapi.wait_for(lambda calls: bool(botapi.calls_of("sendPhoto")), timeout=10)
    (photo_call,) = botapi.calls_of("sendPhoto")
    assert photo_call.chat_id == USER
    caption = str(photo_call.params["caption"])
    assert "<b>Kursk region</b>" in caption
    assert "📍 Kursk Oblast — tracked" in caption
    assert "https://t.me/mod_russia/51000" in caption
    assert photo_call.params.get("parse_mode") == "HTML"
    uploaded = next(iter(photo_call.files.values()))
    assert Image.open(io.BytesIO(uploaded)).size == (320, 200)

    # Importing again changes nothing and sends nothing more.
    assert await import_file(live.core.settings, export, "mod_russia") == (2, 0)
    await live.dispatcher.run_once()
    assert len(botapi.calls_of("sendPhoto")) == 1


async def test_group_non_admin_is_refused_and_nothing_changes(
    botapi: BotApiServer, live: Running
) -> None:
    botapi.inject_message(
        GROUP, "/track Kursk", user_id=USER, chat_type="supergroup", language_code="en"
    )
    await botapi.wait_for(lambda calls: any("admins" in t for t in texts_to(botapi, GROUP)))
    botapi.inject_message(GROUP, "/list", user_id=USER, chat_type="supergroup", language_code="en")
    await botapi.wait_for(lambda calls: any("nothing yet" in t for t in texts_to(botapi, GROUP)))


async def test_untrack_with_a_button(botapi: BotApiServer, live: Running) -> None:
    botapi.inject_message(USER, "/track Sudzha", user_id=USER, language_code="uk")
    await botapi.wait_for(lambda calls: any("Відстежую" in t for t in texts_to(botapi, USER)))
    botapi.inject_message(USER, "/untrack", user_id=USER, language_code="uk")
    await botapi.wait_for(
        lambda calls: (
            bool(botapi.calls_of("sendMessage"))
            and "reply_markup" in botapi.calls_of("sendMessage")[-1].params
        )
    )
    markup = botapi.calls_of("sendMessage")[-1].params["reply_markup"]
    button = markup["inline_keyboard"][0][0]
    botapi.inject_callback(USER, USER, button["callback_data"])  # presses the bot's last message
    await botapi.wait_for(lambda calls: bool(botapi.calls_of("editMessageText")))
    assert "Суджа" in str(botapi.calls_of("editMessageText")[-1].params["text"])


async def test_empty_and_oversized_track_get_clear_replies(
    botapi: BotApiServer, live: Running
) -> None:
    botapi.inject_message(USER, "/track", user_id=USER, language_code="en")
    await botapi.wait_for(lambda calls: any("Tell me what" in t for t in texts_to(botapi, USER)))
    botapi.inject_message(USER, "/track " + "x" * 5000, user_id=USER, language_code="en")
    await botapi.wait_for(lambda calls: any("Too long" in t for t in texts_to(botapi, USER)))
    botapi.inject_message(USER, "/list", user_id=USER, language_code="en")
    await botapi.wait_for(lambda calls: any("nothing yet" in t for t in texts_to(botapi, USER)))
