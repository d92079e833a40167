"""Per-chat limits on subscriptions and keywords: refused with a clear message, no trace."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.errors import LimitExceededError, UserInputError
from bot.services.subscriptions import ChatRef, SubscriptionService
from handlers.errors import user_text
from storage.models import Chat, Subscription

CHAT = ChatRef(id=42, type="private", language="en")


async def rows(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    async with sessions() as s:
        chats = await s.scalar(select(func.count()).select_from(Chat))
        subs = await s.scalar(select(func.count()).select_from(Subscription))
    return int(chats or 0), int(subs or 0)


async def test_limits(sessions: async_sessionmaker[AsyncSession]) -> None:
    svc = SubscriptionService(sessions, max_subscriptions=3, max_keywords=1)
    assert (await svc.track_keyword(CHAT, "kursk sudzha")).created
    # A code and its values; the handler words it in the chat's language (handlers/errors).
    with pytest.raises(LimitExceededError) as refused:
        await svc.track_keyword(CHAT, "belgorod")
    assert (refused.value.code, refused.value.params) == ("too_many_keywords", {"limit": 1})
    assert user_text(refused.value, "en") == "Too many keyword expressions: at most 1 per chat."
    assert (await svc.track_place(CHAT, "RU-KRS")).created
    assert not (await svc.track_place(CHAT, "RU-KRS")).created  # again: no new row
    assert (await svc.track_place(CHAT, "RU-KRS-sudzha")).created
    before = await rows(sessions)
    with pytest.raises(LimitExceededError) as refused:
        await svc.track_place(CHAT, "RU-KRS-kursk")
    assert user_text(refused.value, "uk") == "Забагато підписок: не більше 3 на чат."
    with pytest.raises(UserInputError):
        await svc.track_place(CHAT, "no-such-place")
    assert await rows(sessions) == before == (1, 3)


def test_resolution_offers() -> None:
    svc = SubscriptionService(async_sessionmaker())  # resolving never touches the database
    for name in ("Курщина", "Sudzha", "Купянск", "Kupiansk", "Pokrovsk"):
        res = svc.resolve(name, "en")
        assert res.place is not None or res.choices, name
    res = svc.resolve("Олександрівка", "uk")
    assert res.place is None and len(res.choices) == 8 and res.total > 8
    # Buttons lead with what tells the places apart, short enough to read on a phone.
    assert all(len(c.label) <= 48 for c in res.choices)
    assert len({c.label for c in res.choices}) == len(res.choices)
    assert all("обл." in c.label or "р-н" in c.label for c in res.choices)
    res = svc.resolve("Kyrsk", "en")
    assert res.place is None and not res.choices
    assert "RU-KRS" in {c.place_id for c in res.suggestions}
    with pytest.raises(UserInputError):
        svc.resolve("   ", "en")
