"""Faults met by the dispatcher, injected by the loopback Bot API: a group burst, a chat that
is gone, chats that hang, and a long catch-up with refusals in the middle. Each counts from
the server's log what was lost and what was sent twice."""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.deliver.pacing import Limits
from storage.models import Chat, Delivery
from storage.repos import outbox
from tests.botapi import BotApiServer, bad_request, hang, retry_after, server_error
from tests.botapi import Limits as ServerLimits
from tests.delivery_kit import delivering, ingest_service, ok_calls, post, seed, sent_per_chat

Sessions = async_sessionmaker[AsyncSession]
FAST = Limits(1000, 1000, 1000, 1000)


@pytest.fixture
async def srv() -> AsyncIterator[BotApiServer]:
    async with BotApiServer() as server:
        yield server


def _report_numbers(srv: BotApiServer, chat_id: int) -> list[int]:
    return [
        int(m.group(1))
        for c in ok_calls(srv, chat_id)
        if (m := re.search(r"Report (\d+):", str(c.params["text"])))
    ]


async def test_ten_posts_at_once_reach_a_group_a_second_apart(sessions: Sessions) -> None:
    group = -2001
    await seed(sessions, [group])
    async with BotApiServer(limits=ServerLimits()) as limited:
        async with delivering(sessions, limited) as dispatcher:
            await ingest_service(sessions, dispatcher).new_posts([post(n) for n in range(1, 11)])
            await limited.wait_for(lambda _: len(ok_calls(limited, group)) == 10, timeout=20)
        stamps = [c.at for c in limited.calls_of("sendMessage", group)]
        assert limited.count_429 == 0
        assert len(stamps) == 10  # none lost, none twice, none refused
        assert min(b - a for a, b in itertools.pairwise(stamps)) >= 0.95
    assert _report_numbers(limited, group) == list(range(1, 11))


async def test_chat_not_found_deactivates_like_a_block(
    sessions: Sessions, srv: BotApiServer
) -> None:
    gone, other = 1001, 1002
    await seed(sessions, [gone, other])
    srv.fail_next("sendMessage", chat_id=gone, kind=bad_request("Bad Request: chat not found"))
    await ingest_service(sessions).new_posts([post(1), post(2), post(3)])
    async with delivering(sessions, srv, FAST):
        await srv.wait_for(lambda _: len(ok_calls(srv, other)) == 3, timeout=8)
    assert len(srv.calls_of("sendMessage", gone)) == 1
    async with sessions() as session:
        chat = await session.get(Chat, gone)
        assert chat is not None and not chat.active
        statuses = set(
            await session.scalars(select(Delivery.status).where(Delivery.chat_id == gone))
        )
    assert statuses == {outbox.DROPPED}


async def test_hung_chats_hold_only_their_narrow_lane(
    sessions: Sessions, srv: BotApiServer
) -> None:
    """Ten chats never answer. After each has hung once, at most the narrow lane's two of
    their requests are in flight at any moment, so the others keep all eight slots; every
    other chat gets each alert once, and no hung send counts as a failed attempt."""
    hung = list(range(5001, 5011))
    healthy = list(range(6001, 6041))
    await seed(sessions, [*hung, *healthy])
    for chat in hung:
        srv.fail_next("sendMessage", chat_id=chat, kind=hang(), times=1000)
    timeout = 1.0
    # Queued before delivery starts: the first ingest loads the dictionaries, which would
    # stall the event loop under sends in flight and make healthy chats look hung.
    await ingest_service(sessions).new_posts([post(n) for n in range(1, 6)])
    async with delivering(sessions, srv, FAST, send_timeout=timeout):
        await srv.wait_for(lambda _: len(ok_calls(srv)) == 5 * len(healthy), timeout=60)
    assert sent_per_chat(srv) == {c: 5 for c in healthy}
    assert all(_report_numbers(srv, c) == [1, 2, 3, 4, 5] for c in healthy)
    retries = [
        c.at for chat in hung for c in srv.calls_of("sendMessage", chat)[1:]
    ]  # sends to a chat already known to hang
    # Counted over half a timeout: the server stamps a request when it reads it, which on a
    # busy machine can be a few hundred ms after the dispatcher sent it. Without the lane all
    # ten would be in flight together.
    overlap = max((sum(1 for b in retries if a <= b < a + timeout / 2) for a in retries), default=0)
    assert overlap <= 2
    async with sessions() as session:
        attempts = set(
            await session.scalars(select(Delivery.attempts).where(Delivery.chat_id.in_(hung)))
        )
    assert attempts <= {0, 1}  # a hang is no answer: it never uses up attempts


async def test_a_300_post_catch_up_reaches_each_chat_in_post_order(
    sessions: Sessions, srv: BotApiServer
) -> None:
    private, group = 1001, -2001
    await seed(sessions, [private, group])
    # Refusals mid-way: a 429 and two 5xx for the private chat, a 429 for the group.
    srv.fail_next("sendMessage", chat_id=private, kind=retry_after(1))
    await ingest_service(sessions).new_posts([post(n) for n in range(1, 301)])
    async with delivering(sessions, srv, FAST, backoff_base=0.2) as dispatcher:
        await srv.wait_for(lambda _: len(ok_calls(srv, private)) >= 100, timeout=60)
        srv.fail_next("sendMessage", chat_id=private, kind=server_error(502), times=2)
        srv.fail_next("sendMessage", chat_id=group, kind=retry_after(1))
        dispatcher.wake()
        await srv.wait_for(lambda _: len(ok_calls(srv)) == 600, timeout=120)
    assert _report_numbers(srv, private) == list(range(1, 301))
    assert _report_numbers(srv, group) == list(range(1, 301))
