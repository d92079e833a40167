"""The daily digest as a chat receives it through the loopback Bot API: in the chat's
current language, with correct plurals, one line per contradiction episode, "…and N more",
and its chart."""

from __future__ import annotations

import io
import os
from datetime import date, time, timedelta

from PIL import Image
from sqlalchemy import select

from bot.app import digest_service
from bot.watch.sample import sample_posts
from storage.models import Chat, Contradiction
from storage.models import Claim as ClaimRow
from storage.repos import claims as claim_repo
from tests.bot_kit import USER, Talk, bot
from tests.botapi.state import Call

__all__ = ["bot"]

DAY = date(2025, 4, 27)  # covers 26.04 08:00 -> 27.04 08:00 Kyiv: Gornal and the Kursk denial


async def _dispute(bot: Talk) -> int:
    """Every UA claim about Kursk Oblast on 26.04 against every RU one: several post pairs,
    one story."""
    async with bot.core.sessions() as session, session.begin():
        rows = list(
            await session.scalars(
                select(ClaimRow).where(ClaimRow.place_id == "RU-KRS").order_by(ClaimRow.id)
            )
        )
        ua = [r for r in rows if r.side == "UA" and r.asserted_at.day == 26]
        ru = [r for r in rows if r.side == "RU" and r.asserted_at.day == 26]
        pairs = [(u, r) for u in ua for r in ru if u.asserted_at > r.asserted_at]
        existing = set(
            await session.execute(select(Contradiction.claim_id, Contradiction.earlier_claim_id))
        )
        for u, r in pairs:
            if (u.id, r.id) not in existing:
                await claim_repo.add_contradiction(
                    session,
                    claim_id=u.id,
                    earlier_claim_id=r.id,
                    place_id="RU-KRS",
                    why="UA denies that RU completed the operation",
                    why_uk="Генштаб ЗСУ заперечує, що Росія завершила операцію",
                    episode_id=None,
                )
    assert len(pairs) >= 2
    return len(pairs)


async def _digest(bot: Talk, lang: str) -> tuple[str, bytes]:
    await bot.say(USER, "/track Курщина", lang="uk")  # tracked in Ukrainian…
    await bot.say(USER, "/keyword Курськ", lang="uk")
    await bot.say(USER, f"/lang {lang}", lang="uk")  # …read in the chat's current language
    # Tracked before the posts arrive: the digest reads the matches recorded at ingest. The
    # posts are of 2025, so a live source archives them without alerts (as set here).
    bot.core.ingest.max_alert_age = timedelta(hours=48)
    await bot.core.ingest.new_posts(list(sample_posts(bot.core.media)))
    await _dispute(bot)
    async with bot.core.sessions() as session, session.begin():
        chat = await session.get(Chat, USER)
        assert chat is not None
        chat.digest_time, chat.timezone = time(8, 0), "Europe/Kyiv"
    before = len(bot.api.calls)
    assert await digest_service(bot.core).run(USER, DAY) == "queued"

    def delivered(_: object) -> list[Call]:
        calls = [
            c
            for c in bot.api.calls[before:]
            if str(c.chat_id) == str(USER)
            and c.outcome == "ok"
            and (
                (c.method == "sendPhoto" and "📊" in str(c.params.get("caption")))
                or "Digest" in str(c.params.get("text"))
                or "Дайджест" in str(c.params.get("text"))
            )
        ]
        return calls if len(calls) >= 2 else []

    sent = await bot.api.wait_for(delivered, timeout=15)
    text = next(c for c in sent if c.method == "sendMessage").params["text"]
    photo = next(c for c in sent if c.method == "sendPhoto")
    if os.environ.get("DOZOR_SHOW"):
        print(f"--- digest ({lang}) ---\n{text}\n--- chart caption ---\n{photo.params['caption']}")
    return text, photo.files["photo"]


async def test_digest_in_english_after_tracking_in_ukrainian(bot: Talk) -> None:
    text, png = await _digest(bot, "en")
    assert "Digest · 27.04.2025" in text
    assert "📍 <b>Kursk Oblast</b> — " in text and "Курська область" not in text
    assert " posts\n" in text and "дописів" not in text
    with Image.open(io.BytesIO(png)) as img:
        assert img.format == "PNG"
    assert text.count("UA denies that RU completed the operation") == 1  # one episode line
    assert "pairs of posts" in text
    # "posts: 4" followed by 3 entries no more: the rest are counted, with where to see them.
    assert "…and 1 more: <code>/latest Kursk Oblast</code>" in text


async def test_digest_in_ukrainian_with_plural_forms(bot: Talk) -> None:
    text, _png = await _digest(bot, "uk")
    assert "Дайджест · 27.04.2025" in text
    assert "📍 <b>Курська область</b> — 4 дописи" in text
    assert "📍 <b>Курськ</b> — 5 дописів" in text
    assert "пар дописів" in text and "Суперечності" in text
    assert "Kursk" not in text and "posts" not in text and "denies" not in text
    assert text.count("Генштаб ЗСУ заперечує, що Росія завершила операцію") == 1
    assert "…і ще 1 допис: <code>/latest Курська область</code>" in text
