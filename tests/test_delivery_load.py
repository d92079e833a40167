"""1,000 chats track one place, one post matches: each chat gets exactly one alert and the
loopback server, enforcing Telegram's limits (scaled ×5 to keep the run short), never answers
429. Private chats and groups are mixed."""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.deliver.pacing import Limits
from storage.repos import outbox
from tests.botapi import BotApiServer
from tests.botapi import Limits as ServerLimits
from tests.test_delivery_kit import delivering, ingest_service, post, seed, sent_per_chat

SCALE = 5
PRIVATE = [100_000 + i for i in range(700)]
GROUPS = [-(5_000 + i) for i in range(200)] + [-(1_000_000_000_000 + i) for i in range(100)]


async def test_thousand_chats_one_post_no_429(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    chats = PRIVATE + GROUPS
    await seed(sessions, chats)
    ours = Limits(30 * SCALE, 1 * SCALE, 20 * SCALE)
    async with (
        BotApiServer(limits=ServerLimits(scale=SCALE)) as srv,
        delivering(sessions, srv, ours, batch=200, concurrency=16) as dispatcher,
    ):
        started = time.monotonic()
        await ingest_service(sessions, dispatcher).new_posts([post(1)])
        await srv.wait_for(lambda _: len(srv.sent_messages()) >= len(chats), timeout=60)
        elapsed = time.monotonic() - started
    assert srv.count_429 == 0
    assert sent_per_chat(srv) == {c: 1 for c in chats}
    async with sessions() as session:
        assert await outbox.counts(session) == {outbox.SENT: len(chats)}
    # 1,000 messages at 150/s take at least 6.7 s. The benchmark measures efficiency; this only
    # catches a pacer that wastes half the budget (loose, for busy CI machines).
    assert elapsed < len(chats) / (30 * SCALE) / 0.5
