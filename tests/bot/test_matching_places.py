"""The pipeline's matcher: place subscriptions with containment, ambiguous mentions, keyword
expressions, legacy text rows, and the "why" line the alert shows."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.analysis.places import get_gazetteer, get_matcher
from bot.core.alert import KeywordReason, PlaceReason, Reasons, TextReason
from bot.core.post import Post
from bot.core.reasons import why_lines
from bot.deliver.render import render_alert
from bot.ingest import post_payload
from bot.matching import (
    KeywordSubscriptions,
    SubscriptionMatcher,
    common_containers,
    subscribe,
)
from storage.repos import chats as chat_repo

SUDZHA = "RU-KRS-sudzha"


def post(text: str) -> Post:
    return Post(channel="mod_russia", id=1, date=datetime(2025, 4, 26, tzinfo=UTC), text=text)


async def _subscribe(
    sessions: async_sessionmaker[AsyncSession], rows: list[tuple[int, str, str]]
) -> None:
    async with sessions() as session, session.begin():
        for chat_id, kind, key in rows:
            await chat_repo.ensure(session, chat_id, type_="private")
            await subscribe(session, chat_id, kind, key, key)


async def test_places_keywords_and_text(sessions: async_sessionmaker[AsyncSession]) -> None:
    gaz = get_gazetteer()
    one_oleksandrivka = next(
        iter(m.candidates for m in get_matcher().find("Олександрівка") if m.candidates)
    )[0]
    await _subscribe(
        sessions,
        [
            (1, "place", SUDZHA),
            (2, "place", "RU-KRS"),
            (3, "place", "RU"),
            (4, "place", "UA"),
            (5, "place", one_oleksandrivka),
            (6, "place", "UA-63"),
            (7, "keyword", "sudzha OR суджа"),
            (8, "keyword", "training"),
            (9, "text", "судж"),
            (10, "keyword", "NOT NOT broken"),
        ],
    )
    matcher = SubscriptionMatcher()
    async with sessions() as session:
        found = await matcher.match(
            session, post("Бої біля Суджі. Олександрівка знову під обстрілом.")
        )
    by_chat = {m.chat_id: m for m in found}
    # Containment: the town, its oblast, its country. The ambiguous village: only the
    # country all its candidates share, never one particular Oleksandrivka.
    assert set(by_chat) == {1, 2, 3, 4, 7, 9}
    assert by_chat[1].label == PlaceReason(SUDZHA, SUDZHA).label()
    assert by_chat[2].label == PlaceReason("RU-KRS", SUDZHA).label()
    assert by_chat[4].label.startswith("place:~Олександрівка@UA")
    assert by_chat[7].label == "keyword:sudzha OR суджа"
    text = "Бої біля Суджі. Олександрівка знову під обстрілом."
    assert [text[s:e] for s, e in by_chat[2].spans] == ["Суджі"]
    assert [text[s:e] for s, e in by_chat[7].spans] == ["Суджі"]
    assert gaz.contains("UA", one_oleksandrivka)


def test_common_containers() -> None:
    gaz = get_gazetteer()
    assert common_containers(gaz, [SUDZHA]) == {SUDZHA, *gaz.ancestors(SUDZHA)}
    assert common_containers(gaz, [SUDZHA, "RU-KRS-kursk"]) == {"RU-KRS", "RU"}
    assert common_containers(gaz, ["nowhere"]) == set()


def test_keyword_cache_parses_once() -> None:
    kw = KeywordSubscriptions()
    first = kw.expression("kursk AND sudzha")
    assert first is not None and kw.expression("kursk AND sudzha") is first
    assert kw.expression("NOT NOT x") is None


def test_why_lines_in_both_languages() -> None:
    gaz = get_gazetteer()
    labels = [
        PlaceReason("RU-KRS", SUDZHA),
        PlaceReason(SUDZHA, SUDZHA),
        KeywordReason("kursk AND sudzha"),
        TextReason("Курськ"),
        PlaceReason("UA", None, "Олександрівка"),
        PlaceReason("gone", "gone"),
    ]
    en = why_lines(labels, gaz, "en", "tracked", "keyword").split("\n")
    assert en[0] == "📍 Sudzha (Kursk Oblast) — tracked"
    assert en[1].startswith("📍 Sudzha (Sudzhansky") and en[1].endswith("— tracked")
    assert en[2] == "🔎 keyword: kursk AND sudzha"
    assert en[3] == "📍 Курськ — tracked"
    assert en[4] == "📍 Олександрівка (Ukraine) — tracked"
    assert en[5] == "📍 place:gone@gone — tracked"
    uk = why_lines(labels[:1], gaz, "uk", "відстежується", "слова")
    assert uk == "📍 Суджа (Курська область) — відстежується"
    assert "&lt;b&gt;" in why_lines([KeywordReason("<b>")], gaz, "en", "tracked", "keyword")


def test_alert_says_why_in_the_chat_language() -> None:
    payload = post_payload(post("Бої біля Суджі тривають."))
    reasons = Reasons(labels=(PlaceReason("RU-KRS", SUDZHA),), spans=((9, 14),))
    msg = render_alert(payload, reasons, lang="en", tz="Europe/Kyiv", gaz=get_gazetteer())
    assert "<b>Суджі</b>" in msg.text
    assert "📍 Sudzha (Kursk Oblast) — tracked" in msg.text


async def test_edit_realerts_only_chats_whose_match_changed(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    from sqlalchemy import select

    from bot.ingest import IngestService
    from storage.models import Delivery

    await _subscribe(sessions, [(1, "place", SUDZHA), (2, "place", "RU-KRS")])
    ingest = IngestService(sessions, SubscriptionMatcher())
    await ingest.new_posts([post("Бої біля Суджі тривають.")])
    await ingest.edited(post("Бої біля Суджі та Курська тривають."))
    async with sessions() as session:
        sent = [
            (d.chat_id, d.alert_id)
            for d in await session.scalars(select(Delivery).order_by(Delivery.id))
        ]
    first = sent[0][1]
    # Both got the post; only the oblast's chat has a new mention (Kursk) to hear about.
    assert sorted(c for c, a in sent if a == first) == [1, 2]
    assert [c for c, a in sent if a != first] == [2]
