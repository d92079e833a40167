"""Failure handling and ordering of the dispatcher, through PTB against the loopback Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.alert import AlertKind, Reasons, TextReason
from bot.deliver.pacing import Limits
from bot.ingest import post_payload
from storage.models import Chat, Delivery, Subscription
from storage.repos import outbox
from tests.botapi import BotApiServer, bad_request, retry_after, server_error
from tests.botapi import Limits as ServerLimits
from tests.delivery_kit import (
    delivering,
    ingest_service,
    ok_calls,
    post,
    seed,
    sent_per_chat,
)

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def srv() -> AsyncIterator[BotApiServer]:
    async with BotApiServer() as server:
        yield server


async def _rows(sessions: Sessions, chat_id: int | None = None) -> list[Delivery]:
    async with sessions() as session:
        stmt = select(Delivery).order_by(Delivery.id)
        if chat_id is not None:
            stmt = stmt.where(Delivery.chat_id == chat_id)
        return list(await session.scalars(stmt))


async def test_retry_after_holds_only_that_chat(sessions: Sessions, srv: BotApiServer) -> None:
    slow_chat, others = 1001, [1002, 1003, -2001, -2002]
    await seed(sessions, [slow_chat, *others])
    srv.fail_next("sendMessage", chat_id=slow_chat, kind=retry_after(2))
    async with delivering(sessions, srv) as dispatcher:
        await ingest_service(sessions, dispatcher).new_posts([post(1)])
        await srv.wait_for(lambda _: all(ok_calls(srv, c) for c in others), timeout=5)
        first_429 = next(c for c in srv.calls_of("sendMessage", slow_chat) if c.outcome == "failed")
        # Everyone else went out at once, without waiting for the refused chat.
        assert all(ok_calls(srv, c)[0].at - first_429.at < 1.0 for c in others)
        await srv.wait_for(lambda _: ok_calls(srv, slow_chat), timeout=6)
    retried = ok_calls(srv, slow_chat)[0]
    assert retried.at - first_429.at >= 2.0
    assert sent_per_chat(srv) == {c: 1 for c in [slow_chat, *others]}
    rows = await _rows(sessions, slow_chat)
    assert rows[0].status == outbox.SENT
    assert rows[0].attempts == 1  # a 429 is not a failed attempt


async def test_forbidden_deactivates_chat_and_drops_its_rows(
    sessions: Sessions, srv: BotApiServer
) -> None:
    gone, other = 1001, 1002
    await seed(sessions, [gone, other])
    srv.block(gone)
    ingest = ingest_service(sessions)
    await ingest.new_posts([post(1), post(2), post(3)])  # three rows for each chat
    async with delivering(sessions, srv):
        await srv.wait_for(lambda _: len(ok_calls(srv, other)) == 3, timeout=8)
    assert len(srv.calls_of("sendMessage", gone)) == 1  # the first refusal ends it
    async with sessions() as session:
        chat = await session.get(Chat, gone)
        assert chat is not None and not chat.active
    assert {r.status for r in await _rows(sessions, gone)} == {outbox.DROPPED}


async def test_migrated_group_moves_and_gets_the_alert(
    sessions: Sessions, srv: BotApiServer
) -> None:
    old, new = -3001, -1_000_000_003_001
    await seed(sessions, [old])
    srv.migrate_chat(old, new)
    async with delivering(sessions, srv) as dispatcher:
        await ingest_service(sessions, dispatcher).new_posts([post(1)])
        await srv.wait_for(lambda _: ok_calls(srv, new), timeout=5)
    assert sent_per_chat(srv) == {new: 1}
    async with sessions() as session:
        old_chat = await session.get(Chat, old)
        assert old_chat is not None and not old_chat.active and old_chat.migrated_to == new
        subs = list(await session.scalars(select(Subscription.chat_id)))
        assert subs == [new]
    (row,) = await _rows(sessions)
    assert (row.chat_id, row.status) == (new, outbox.SENT)


async def test_server_errors_back_off_exponentially_then_succeed(
    sessions: Sessions, srv: BotApiServer
) -> None:
    chat = 1001
    await seed(sessions, [chat])
    srv.fail_next("sendMessage", chat_id=chat, kind=server_error(502), times=2)
    async with delivering(sessions, srv, backoff_base=0.3) as dispatcher:
        await ingest_service(sessions, dispatcher).new_posts([post(1)])
        await srv.wait_for(lambda _: ok_calls(srv, chat), timeout=6)
    calls = srv.calls_of("sendMessage", chat)
    assert [c.status for c in calls] == [502, 502, 200]
    first_gap, second_gap = calls[1].at - calls[0].at, calls[2].at - calls[1].at
    assert first_gap >= 0.3
    assert second_gap >= 0.6  # doubled
    (row,) = await _rows(sessions)
    assert (row.status, row.attempts) == (outbox.SENT, 3)


async def test_bad_request_is_recorded_and_not_retried(
    sessions: Sessions, srv: BotApiServer
) -> None:
    chat = 1001
    await seed(sessions, [chat])
    srv.fail_next(
        "sendMessage", chat_id=chat, kind=bad_request("Bad Request: can't parse entities")
    )
    async with delivering(sessions, srv, backoff_base=0.05) as dispatcher:
        await ingest_service(sessions, dispatcher).new_posts([post(1)])
        await srv.wait_for(lambda _: srv.calls_of("sendMessage", chat), timeout=5)
        for _ in range(10):  # the dispatcher keeps polling; nothing more may go out
            dispatcher.wake()
            await srv.wait_for(lambda _: True)
        await asyncio.sleep(0.5)
    assert len(srv.calls_of("sendMessage", chat)) == 1
    (row,) = await _rows(sessions)
    assert row.status == outbox.FAILED
    assert row.last_error == "400: Can't parse entities"


async def test_backlog_goes_out_by_priority(sessions: Sessions, srv: BotApiServer) -> None:
    """Digests queued first, then matches, then contradictions: contradictions go first."""
    chats = list(range(1001, 1031))
    await seed(sessions, chats)
    payload = post_payload(post(1))
    async with sessions() as session, session.begin():
        for priority, group in ((2, chats[:10]), (1, chats[10:20]), (0, chats[20:])):
            alert, _ = await outbox.ensure_alert(
                session,
                kind=AlertKind.MATCH,
                dedupe_key=f"p{priority}",
                payload=payload,
                priority=priority,
            )
            for chat in group:
                reasons = Reasons(labels=(TextReason("Kursk"),))
                await outbox.enqueue(session, alert, chat, reasons=reasons)
    async with delivering(sessions, srv, Limits(global_per_s=10)):
        await srv.wait_for(lambda _: len(ok_calls(srv)) == 30, timeout=8)
    order = [int(c.chat_id) for c in ok_calls(srv)]
    priority_of = {c: 2 if c in chats[:10] else 1 if c in chats[10:20] else 0 for c in chats}
    assert [priority_of[c] for c in order] == sorted(priority_of[c] for c in order)


async def test_a_waiting_chat_does_not_hold_up_the_others(
    sessions: Sessions, srv: BotApiServer
) -> None:
    """Three alerts for one private chat (1/s) and one each for twenty others: the twenty
    go out at once while the busy chat's second and third wait their turn."""
    busy, others = 1001, list(range(2001, 2021))
    await seed(sessions, [busy])
    ingest = ingest_service(sessions)
    await ingest.new_posts([post(1), post(2)])
    await seed(sessions, others)
    await ingest.new_posts([post(3)])
    async with BotApiServer(limits=ServerLimits()) as limited:
        async with delivering(sessions, limited):
            await limited.wait_for(lambda _: len(ok_calls(limited)) == 23, timeout=8)
        busy_calls = ok_calls(limited, busy)
        other_last = max(ok_calls(limited, c)[0].at for c in others)
        assert other_last < busy_calls[1].at  # nobody waited behind the busy chat
        assert busy_calls[2].at - busy_calls[0].at >= 2.0
        assert limited.count_429 == 0
