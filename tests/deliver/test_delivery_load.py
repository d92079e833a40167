"""1,000 chats track one place, one post matches: each chat gets exactly one alert and the
loopback server, enforcing Telegram's limits (scaled ×5 to keep the run short), never answers
429. Private chats and groups are mixed. How close the pacer runs to the limit is measured by
benchmarks/bench_delivery.py, not asserted here."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.deliver.pacing import Limits
from storage.repos import outbox
from tests.botapi import BotApiServer
from tests.botapi import Limits as ServerLimits
from tests.delivery_kit import delivering, ingest_service, post, seed, sent_per_chat

SCALE = 5
PRIVATE = [100_000 + i for i in range(700)]
GROUPS = [-(5_000 + i) for i in range(200)] + [-(1_000_000_000_000 + i) for i in range(100)]


async def test_thousand_chats_one_post_no_429(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    chats = PRIVATE + GROUPS
    await seed(sessions, chats)
    ours = Limits(30 * SCALE, 1 * SCALE, 20 * SCALE, 1 * SCALE)
    async with (
        BotApiServer(limits=ServerLimits(scale=SCALE)) as srv,
        delivering(sessions, srv, ours, batch=200, concurrency=16) as dispatcher,
    ):
        await ingest_service(sessions, dispatcher).new_posts([post(1)])
        await srv.wait_for(lambda _: len(srv.sent_messages()) >= len(chats), timeout=60)
    assert srv.count_429 == 0
    assert sent_per_chat(srv) == {c: 1 for c in chats}
    async with sessions() as session:
        assert await outbox.counts(session) == {outbox.SENT: len(chats)}
