"""The match record: ingest writes one row per (post, tracked kind and key) for every stored
post, alerted or not, however many chats track the key; edits replace them; a chat reads its
own newest matches through its subscriptions, by index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.post import Post
from bot.ingest import IngestService
from bot.matching import SubscriptionMatcher
from storage.models import Delivery, PostMatch
from storage.repos import chats as chat_repo
from storage.repos import matches as match_repo
from storage.repos import subscriptions as sub_repo

T0 = datetime(2025, 4, 26, 9, 0, tzinfo=UTC)


async def setup(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as s, s.begin():
        for chat_id in (1, 2, 3):
            await chat_repo.ensure(s, chat_id, type_="private", language="uk")
        await sub_repo.add(s, 1, "place", "RU-KRS", "Курська область")
        await sub_repo.add(s, 1, "text", "суджа", "Суджа")
        await sub_repo.add(s, 2, "place", "RU-KRS", "Курська область")
        await sub_repo.add(s, 3, "place", "UA-63", "Харківська область")


def post(i: int, text: str, hours: int = 0) -> Post:
    return Post(channel="generalstaffzsu", id=i, date=T0 + timedelta(hours=hours), text=text)


async def test_every_matched_key_is_recorded_once_alerted_or_not_and_read_per_chat(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await setup(sessions)
    live = IngestService(sessions, SubscriptionMatcher())
    quiet = IngestService(sessions, SubscriptionMatcher(), max_alert_age=timedelta(0))
    await live.new_posts([post(1, "Бої біля міста Суджа, Курська область.")])
    await quiet.new_posts([post(2, "Обстріл Харкова.", hours=1)])  # archived without alerts
    async with sessions() as s:
        keys = [
            (r.kind, r.key)
            for r in await s.scalars(select(PostMatch).order_by(PostMatch.post_id, PostMatch.key))
        ]
        deliveries = await s.scalar(select(func.count()).select_from(Delivery))
    # Chats 1 and 2 both track the oblast: one row for it.
    assert keys == [("place", "RU-KRS"), ("text", "суджа"), ("place", "UA-63")]
    assert deliveries == 2  # the quiet post alerted nobody

    async with sessions() as s:
        mine = await match_repo.for_chat(s, 1)
        second = await match_repo.for_chat(s, 2)
        third = await match_repo.for_chat(s, 3)
    assert [row.message_id for row, _ in mine] == [1]
    assert len(mine[0][1]) == 2 and all(m.spans for m in mine[0][1])
    assert [(row.message_id, len(ms)) for row, ms in second] == [(1, 1)]
    assert [row.message_id for row, _ in third] == [2]


async def test_a_chat_reads_its_newest_matches_and_not_deleted_or_edited_away_ones(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await setup(sessions)
    ingest = IngestService(sessions, SubscriptionMatcher())
    await ingest.new_posts([post(i, f"Курська область, зведення {i}.", hours=i) for i in range(6)])
    async with sessions() as s:
        newest = await match_repo.for_chat(s, 2, limit=3)
    assert [row.message_id for row, _ in newest] == [5, 4, 3]

    await ingest.deleted("generalstaffzsu", [5], T0)
    await ingest.edited(post(4, "Про погоду.", hours=4))
    async with sessions() as s:
        newest = await match_repo.for_chat(s, 2, limit=3)
        window = await match_repo.for_chat(
            s, 2, since=T0 + timedelta(hours=1), until=T0 + timedelta(hours=3)
        )
    assert [row.message_id for row, _ in newest] == [3, 2, 1]
    assert [row.message_id for row, _ in window] == [2, 1]
