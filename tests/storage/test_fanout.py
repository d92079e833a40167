"""The database-side fan-out (``storage.repos.fanout``) writes, for a new post, exactly the
deliveries the per-chat path writes from ``SubscriptionMatcher.match`` (same chats, topics and
reasons, inactive chats left out, each pair queued once), and its match record reads back per
chat as those matches."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.alert import Reasons, TextReason
from bot.core.post import Post
from bot.ingest import IngestService
from bot.matching import ChatMatch, SubscriptionMatcher, group_by_chat, subscribe
from storage.models import Alert, Delivery
from storage.repos import chats as chat_repo
from storage.repos import fanout, outbox
from storage.repos import matches as match_repo

T0 = datetime(2025, 4, 26, 9, 0, tzinfo=UTC)
TEXT = "Бої біля міста Суджа, Курська область. Курськ під обстрілом, є руйнування."


def expected_reasons(ms: list[ChatMatch]) -> dict[str, Any]:
    return {
        "labels": sorted({m.label for m in ms}),
        "kinds": sorted({m.kind for m in ms}),
        "spans": sorted([list(s) for s in {span for m in ms for span in m.spans}]),
    }


async def setup(sessions: async_sessionmaker[AsyncSession], extra_chats: int = 0) -> None:
    async with sessions() as s, s.begin():
        for chat_id in range(1, 8 + extra_chats):
            await chat_repo.ensure(s, chat_id, type_="private", language="uk")
        # Chat 1: a place, a town in it and a keyword, its place made first in a topic.
        await subscribe(s, 1, "place", "RU-KRS", "Курська область", thread_id=5)
        await subscribe(s, 1, "keyword", "руйнування", "руйнування")
        await subscribe(s, 2, "place", "RU-KRS", "Kursk Oblast")  # another label, same key
        await subscribe(s, 3, "keyword", "руйнування", "Руйнування")  # typed differently
        await subscribe(s, 4, "text", "суджа", "Суджа")
        await subscribe(s, 5, "place", "UA-63", "Харківська область")  # not in the post
        await subscribe(s, 6, "place", "RU-KRS", "Курська область")
        await subscribe(s, 7, "keyword", "руйнування", "руйнування")
        # Many chats, each with its own label of one keyword: more units than one word holds.
        for chat_id in range(8, 8 + extra_chats):
            await subscribe(s, chat_id, "keyword", "обстріл", f"обстріл {chat_id}")
            if chat_id % 3 == 0:
                await subscribe(s, chat_id, "keyword", "руйнування", "руйнування")
    async with sessions() as s, s.begin():
        await chat_repo.deactivate(s, 6)


async def per_chat(
    sessions: async_sessionmaker[AsyncSession], post: Post
) -> dict[int, tuple[int, dict[str, Any]]]:
    async with sessions() as s:
        matches = await SubscriptionMatcher().match(s, post)
    return {
        chat_id: (thread_id, expected_reasons(ms))
        for (chat_id, thread_id), ms in group_by_chat(matches).items()
    }


async def stored(sessions: async_sessionmaker[AsyncSession]) -> dict[int, tuple[int, Any]]:
    async with sessions() as s:
        rows = await s.scalars(select(Delivery))
        return {d.chat_id: (d.thread_id, d.reasons) for d in rows}


async def test_fan_out_writes_what_the_per_chat_path_would(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await setup(sessions)
    post = Post(channel="generalstaffzsu", id=1, date=T0, text=TEXT)
    want = await per_chat(sessions, post)
    assert set(want) == {1, 2, 3, 4, 7}  # chat 5 tracks nothing the post says; 6 is inactive
    await IngestService(sessions, SubscriptionMatcher()).new_posts([post])
    got = await stored(sessions)
    assert got == want
    assert got[1][0] == 5  # the topic of the chat's oldest matching subscription
    async with sessions() as s:
        matches = await SubscriptionMatcher().match(s, post)
        recorded = {
            chat_id: [(m.subscription_id, m.spans) for m in ms]
            for chat_id in range(1, 8)
            for _row, ms in await match_repo.for_chat(s, chat_id)
        }
    # Read back per chat, the record has what the per-chat matcher found (chat 6 is inactive
    # now, but the record is of the post, not of who was alerted).
    want_record: dict[int, list[tuple[int, Any]]] = {}
    for m in sorted(matches, key=lambda m: m.subscription_id):
        want_record.setdefault(m.chat_id, []).append((m.subscription_id, m.spans))
    assert {c: v for c, v in recorded.items() if c != 6} == want_record


async def test_more_units_than_a_signature_word_still_group_exactly(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await setup(sessions, extra_chats=140)
    post = Post(channel="generalstaffzsu", id=1, date=T0, text=TEXT)
    want = await per_chat(sessions, post)
    assert len(want) == 145
    await IngestService(sessions, SubscriptionMatcher()).new_posts([post])
    assert await stored(sessions) == want


async def test_a_pair_already_queued_is_left_as_it_is(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await setup(sessions)
    post = Post(channel="generalstaffzsu", id=1, date=T0, text=TEXT)
    async with sessions() as s:
        units = await SubscriptionMatcher().match_units(s, post)
    assert len({(u.kind, u.key) for u in units}) < len(units)  # labels make their own units
    async with sessions() as s, s.begin():
        alert, _ = await outbox.ensure_alert(s, kind="match", dedupe_key="k", payload={})
        await outbox.enqueue(s, alert, 2, reasons=Reasons(labels=(TextReason("kept"),)))
        first = await fanout.fan_out(s, alert, units, lambda us: {"n": len(us)})
        again = await fanout.fan_out(s, alert, units, lambda us: {"n": len(us)})
    assert (first, again) == (4, 0)
    async with sessions() as s:
        rows = {d.chat_id: d.reasons for d in await s.scalars(select(Delivery))}
        assert len(list(await s.scalars(select(Alert)))) == 1
    assert rows == {
        1: {"n": 2},
        2: {"labels": ["kept"], "kinds": [], "spans": []},
        3: {"n": 1},
        4: {"n": 1},
        7: {"n": 1},
    }
