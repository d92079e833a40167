"""An upgrade with a full outbox: rows written by earlier versions (their JSON payloads and
encoded reason labels, as they sit in the database) decode, render and go out, and the typed
codec writes exactly that JSON back."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.alert import (
    AlertKind,
    KeywordReason,
    PlaceReason,
    TextReason,
    from_json,
    reason_from_label,
    reasons_from_json,
    reasons_to_json,
    to_json,
)
from storage.models import Alert, Delivery
from storage.repos import chats as chat_repo
from storage.repos import outbox
from storage.types import utcnow
from tests.botapi import BotApiServer
from tests.delivery_kit import delivering, ok_calls

Sessions = async_sessionmaker[AsyncSession]
SUDZHA = "RU-KRS-sudzha"

POST = {
    "channel": "generalstaffzsu",
    "id": 21404,
    "title": "Генштаб ЗСУ",
    "date": "2025-04-26T10:15:00+00:00",
    "text": "Бої біля Суджі тривають. Над Курщиною збито 21 БпЛА.",
    "media": [],
    "forward": None,
}
NOTE = {
    "kind": "contradiction",
    "episode_id": 7,
    "place_id": "RU-KRS",
    "place": {"en": "Kursk Oblast", "uk": "Курська область"},
    "why": {"en": "Russia says it holds it; Ukraine says fighting goes on.", "uk": "Росія…"},
    "new": {
        "channel": "generalstaffzsu",
        "id": 21404,
        "date": "2025-04-26T10:15:00+00:00",
        "side": "ua",
        "quote": "Бої біля Суджі тривають.",
    },
    "earlier": {
        "channel": "mod_russia",
        "id": 51803,
        "date": "2025-04-26T06:00:00+00:00",
        "side": "ru",
        "quote": "Курская область полностью освобождена.",
    },
}
EDIT = POST | {"text": "Над Курщиною збито 21 БпЛА.", "old_text": "Над Курщиною збито 12 БпЛА."}
CONTRADICTION = POST | {"contradiction": NOTE}
# What ingest wrote for a match: sorted labels, subscription kinds, spans of the text.
MATCH_REASONS = {
    "labels": [f"place:{SUDZHA}@RU-KRS"],
    "kinds": ["place"],
    "spans": [[9, 14]],
}
# The claims hook appended the contradiction to a match that was still pending.
MATCH_WITH_CONTRADICTION = MATCH_REASONS | {"contradictions": [NOTE]}
LEGACY_REASONS = {"labels": ["Курськ"], "kinds": ["text"], "spans": [[9, 14]]}
MIXED_REASONS = {
    "labels": ["keyword:суджа AND бої", "place:~Олександрівка@UA", "place:gone@gone"],
    "kinds": ["keyword", "place"],
    "spans": [],
}
CONTRADICTION_REASONS = {"labels": ["place:RU-KRS@RU-KRS"], "kinds": ["contradiction"], "spans": []}


def test_stored_payloads_decode_and_encode_to_the_same_json() -> None:
    for kind, payload in (
        (AlertKind.MATCH, POST),
        (AlertKind.EDIT, EDIT),
        (AlertKind.CONTRADICTION, CONTRADICTION),
    ):
        assert to_json(from_json(kind, copy.deepcopy(payload))) == payload
    for reasons in (
        MATCH_REASONS,
        MATCH_WITH_CONTRADICTION,
        LEGACY_REASONS,
        MIXED_REASONS,
        CONTRADICTION_REASONS,
    ):
        assert reasons_to_json(reasons_from_json(copy.deepcopy(reasons))) == reasons


def test_encoded_labels_of_every_version_decode_to_structured_reasons() -> None:
    assert reason_from_label(f"place:{SUDZHA}@RU-KRS") == PlaceReason("RU-KRS", SUDZHA)
    assert reason_from_label("place:~Олександрівка@UA") == PlaceReason("UA", None, "Олександрівка")
    assert reason_from_label("keyword:a AND b") == KeywordReason("a AND b")
    assert reason_from_label("Курськ") == TextReason("Курськ")
    # Not a place reason after all (no tracked id): kept as the words it is.
    assert reason_from_label("place:Kursk") == TextReason("place:Kursk")
    for label in ("place:a@b@c", "place:~@UA", "place:@UA", "keyword:", "x"):
        assert reason_from_label(label).label() == label


def test_reasons_of_rows_that_hold_less_decode_empty() -> None:
    """Rows queued without reasons (digests, admin notices, rows shown elsewhere) hold {}."""
    empty = reasons_from_json({})
    assert empty.labels == () and empty.spans == () and empty.contradictions == ()
    partial = reasons_from_json({"labels": ["Kursk"]})
    assert partial.labels == (TextReason("Kursk"),) and partial.spans == ()


@pytest.fixture
async def srv() -> AsyncIterator[BotApiServer]:
    async with BotApiServer() as server:
        yield server


ROWS: list[tuple[int, AlertKind, dict[str, Any], dict[str, Any]]] = [
    (1, AlertKind.MATCH, POST, MATCH_REASONS),
    (2, AlertKind.MATCH, POST, MATCH_WITH_CONTRADICTION),
    (3, AlertKind.MATCH, POST, LEGACY_REASONS),
    (4, AlertKind.MATCH, POST, MIXED_REASONS),
    (5, AlertKind.EDIT, EDIT, LEGACY_REASONS),
    (6, AlertKind.CONTRADICTION, CONTRADICTION, CONTRADICTION_REASONS),
    (7, AlertKind.MATCH, POST, {}),
]


async def _old_outbox(sessions: Sessions) -> None:
    """The rows as an earlier version left them: plain JSON written straight to the tables."""
    now = utcnow()
    async with sessions() as session, session.begin():
        for chat, kind, payload, reasons in ROWS:
            await chat_repo.ensure(session, chat, type_="private", language="en")
            alert_id = await session.scalar(
                insert(Alert)
                .values(
                    kind=kind.value,
                    dedupe_key=f"old:{chat}",
                    payload=payload,
                    priority=1,
                    created_at=now,
                )
                .returning(Alert.id)
            )
            await session.execute(
                insert(Delivery).values(
                    alert_id=alert_id,
                    chat_id=chat,
                    thread_id=0,
                    priority=1,
                    status=outbox.PENDING,
                    attempts=0,
                    not_before=now,
                    reasons=reasons,
                    created_at=now,
                )
            )


def _buttons(params: dict[str, Any]) -> list[str]:
    rows = (params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [str(b.get("callback_data") or b.get("url")) for row in rows for b in row]


async def test_a_full_outbox_of_old_rows_goes_out_after_an_upgrade(
    sessions: Sessions, srv: BotApiServer
) -> None:
    await _old_outbox(sessions)
    async with delivering(sessions, srv):
        await srv.wait_for(lambda _: len(ok_calls(srv)) == len(ROWS), timeout=15)
    text = {int(c.chat_id): str(c.params["text"]) for c in srv.calls_of("sendMessage")}
    params = {int(c.chat_id): c.params for c in srv.calls_of("sendMessage")}
    assert all(c.outcome == "ok" for c in srv.calls_of("sendMessage"))

    # A place label: the place named in the reader's language, its buttons, the match bold.
    assert "📍 Sudzha (Kursk Oblast) — tracked" in text[1]
    assert "<b>Суджі</b>" in text[1]
    assert "up:RU-KRS" in _buttons(params[1]) and f"cb:{SUDZHA}" in _buttons(params[1])
    assert 'href="https://t.me/generalstaffzsu/21404"' in text[1]
    # A contradiction folded into a match: headline first, both sides linked after the post.
    assert text[2].startswith("⚠️ <b>Contradiction</b> · Kursk Oblast")
    assert "https://t.me/mod_russia/51803" in text[2]
    assert text[2].index("Суджі") < text[2].index("mod_russia/51803")
    # A free-text label of the first versions is shown as it is, without place buttons.
    assert "📍 Курськ — tracked" in text[3] and _buttons(params[3]) == []
    # Keyword, ambiguous mention and a place the gazetteer no longer knows.
    assert "🔎 keyword: суджа AND бої" in text[4]
    assert "📍 Олександрівка (Ukraine) — tracked" in text[4]
    assert "📍 place:gone@gone — tracked" in text[4]
    # An edit shows what changed.
    assert "<s>12</s> <u>21</u>" in text[5]
    # A contradiction alert of its own: both sides quoted and linked, why it reached the chat.
    assert "Contradiction" in text[6] and "<b>Russia's MoD</b>" in text[6]
    assert "https://t.me/mod_russia/51803" in text[6]
    assert "https://t.me/generalstaffzsu/21404" in text[6]
    assert "📍 Kursk Oblast — tracked" in text[6]
    # No reasons at all: the post still goes out, with no "why" line.
    assert "Бої біля Суджі тривають." in text[7] and "tracked" not in text[7]
