"""Alerts as a chat receives them through the loopback Bot API: a contradiction inside its
post's alert (headline first, both sides linked), never a message before it; buttons under
alerts that work; a long photo caption that keeps the post's start with the whole text
following; an edit that shows what changed."""

from __future__ import annotations

import io
import os
from dataclasses import replace
from datetime import UTC, datetime

from PIL import Image
from sqlalchemy import func, select

from bot.core.excerpt import tg_len
from bot.core.post import Post
from bot.watch.sample import sample_posts
from storage.models import Delivery
from tests.bot_kit import USER, Talk, bot, eventually
from tests.botapi.state import Call

__all__ = ["bot"]


def _show(label: str, call: Call) -> None:
    if os.environ.get("DOZOR_SHOW"):
        params = call.params
        text = params.get("text") or params.get("caption")
        print(f"--- {label} ({call.method}) ---\n{text}")
        for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
            print(
                "  "
                + "  ".join(
                    f"[{b['text']}] → {b.get('callback_data') or b.get('url')}" for b in row
                )
            )


def _sent(bot: Talk) -> list[Call]:
    return [
        c
        for c in bot.api.calls
        if str(c.chat_id) == str(USER)
        and c.outcome == "ok"
        and c.method in ("sendMessage", "sendPhoto", "sendMediaGroup")
    ]


def _about(calls: list[Call], link: str) -> list[int]:
    return [
        i
        for i, c in enumerate(calls)
        if link in str(c.params.get("text") or c.params.get("caption") or "")
    ]


async def _kursk(bot: Talk, lang: str) -> list[Call]:
    await bot.say(USER, "/track Курщина", lang=lang)
    posts = sorted(sample_posts(bot.core.media), key=lambda p: p.date)
    for post in posts:
        await bot.core.ingest.new_posts([replace(post, date=datetime.now(UTC))])

    # Every queued alert has gone out (a lone contradiction waits a moment behind its post).
    async def drained() -> bool:
        async with bot.core.sessions() as session:
            left = await session.scalar(
                select(func.count())
                .select_from(Delivery)
                .where(Delivery.status.in_(("pending", "leased")))
            )
        return left == 0

    await eventually(drained, timeout=30)
    return _sent(bot)


async def test_contradiction_arrives_inside_the_posts_alert_with_buttons(bot: Talk) -> None:
    calls = await _kursk(bot, "uk")
    denial = "https://t.me/generalstaffzsu/22786"
    claim = "https://t.me/mod_russia/51803"
    about = _about(calls, denial)
    heads = [
        i
        for i, c in enumerate(calls)
        if "Суперечність" in str(c.params.get("text") or c.params.get("caption"))
    ]
    assert heads, "no contradiction was delivered"
    first = min(about)
    # No contradiction message before the post it is about; it is inside the post's alert.
    assert min(heads) >= first
    alert = calls[first]
    _show("alert with contradiction (uk)", alert)
    text = str(alert.params.get("text") or alert.params.get("caption"))
    assert text.startswith("⚠️ <b>Суперечність</b> · Курська область\nЗа заявою Міноборони РФ")
    assert text.index("Суперечність") < text.index("🔔")  # headline first
    assert claim in text and denial in text  # both sides linked
    labels = [label for row in alert.params["reply_markup"]["inline_keyboard"] for label in row]
    data = {b.get("callback_data") for b in labels} - {None}
    assert {"up:RU-KRS", "mu:1h"} <= data and any(d.startswith("cb:") for d in data)
    share = next(b["url"] for b in labels if "url" in b)
    assert (
        share.startswith("https://t.me/share/url?url=https://t.me/") and "start%3Dtrack_" in share
    )

    # The buttons work: the claim board, then untrack, as new messages under the alert.
    board = await bot.press(USER, USER, next(d for d in data if d.startswith("cb:")), lang="uk")
    assert "Заяви" in board["text"]
    gone = await bot.press(USER, USER, "up:RU-KRS", lang="uk")
    assert "Більше не відстежую: 📍 Курська область" in gone["text"]
    assert await bot.subs(USER) == []
    muted = await bot.press(USER, USER, "mu:1h", lang="uk")
    assert "Тиша до" in muted["text"]


async def test_alert_in_english_for_the_report(bot: Talk) -> None:
    calls = await _kursk(bot, "en")
    first = min(_about(calls, "https://t.me/generalstaffzsu/22786"))
    _show("alert with contradiction (en)", calls[first])
    text = str(calls[first].params.get("text") or calls[first].params.get("caption"))
    assert text.startswith("⚠️ <b>Contradiction</b> · Kursk Oblast\n")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


async def test_long_caption_keeps_the_start_then_the_whole_text(bot: Talk) -> None:
    await bot.say(USER, "/track Харківщина", lang="uk")
    photo = bot.core.media.put_bytes(_png(), "image/png")
    headline = "Увага! Загроза застосування балістичного озброєння з північного сходу."
    text = headline + " " + ("Харківщина: рух групи БпЛА у напрямку міста. " * 40)
    post = Post(channel="kpszsu", id=90001, date=datetime.now(UTC), text=text, media=(photo,))
    await bot.core.ingest.new_posts([post])

    def both(_: object) -> list[Call]:
        got = [
            c
            for c in _sent(bot)
            if "kpszsu/90001" in str(c.params.get("text") or c.params.get("caption"))
        ]
        return got if len(got) >= 2 else []

    photo_call, follow = await bot.api.wait_for(both, timeout=10)
    assert photo_call.method == "sendPhoto" and follow.method == "sendMessage"
    _show("long photo caption (uk)", photo_call)
    caption = str(photo_call.params["caption"])
    assert headline in caption  # the start, not a window around the match
    assert tg_len(caption) <= 1024
    full = str(follow.params["text"])
    assert headline in full and "<b>Харківщина</b>" in full
    assert full.count("рух групи БпЛА у напрямку міста.") == 40  # the whole text
    assert "reply_markup" in follow.params  # the buttons ride on the last message


async def test_edit_alert_marks_the_changed_words(bot: Talk) -> None:
    await bot.say(USER, "/track Курщина", lang="en")
    now = datetime.now(UTC)
    post = Post(channel="kpszsu", id=90002, date=now, text="Над Курщиною збито 12 БпЛА.")
    await bot.core.ingest.new_posts([post])
    await bot.alerts_to(USER, 1)
    await bot.core.ingest.edited(replace(post, text="Над Курщиною збито 21 БпЛА.", edit_date=now))
    (_, edit) = await bot.alerts_to(USER, 2)
    _show("edit alert (en)", edit)
    assert "Над Курщиною збито <s>12</s> <u>21</u> БпЛА." in edit.params["text"]
