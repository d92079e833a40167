"""Several deliver workers on one PostgreSQL: together they stay under the bot's global limit
(a token bucket in ``rate_budget``) and never share a chat inside its limit window. Each worker
here has its own pacer and its own engine, as separate processes would."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.deliver.budget import DbBudget
from bot.deliver.pacing import Limits
from storage.engine import make_engine, make_sessionmaker
from storage.models import Delivery
from storage.repos import outbox
from tests.botapi import BotApiServer
from tests.botapi import Limits as ServerLimits
from tests.delivery_kit import delivering, ingest_service, post, seed, sent_per_chat

SCALE = 3
SPREAD = [300_000 + i for i in range(200)] + [-(30_000 + i) for i in range(100)]
BUSY = [400_000 + i for i in range(20)]


async def test_two_workers_share_the_global_budget_and_chats(pg_url: str) -> None:
    db_url = pg_url
    from storage.engine import upgrade_schema
    from tests.conftest import reset_database

    await reset_database(db_url)
    engines = [make_engine(db_url) for _ in range(2)]
    await upgrade_schema(engines[0])
    sessions = [make_sessionmaker(e) for e in engines]
    await seed(sessions[0], SPREAD + BUSY)
    await seed(sessions[0], BUSY, word="sumy")
    ingest = ingest_service(sessions[0])
    await ingest.new_posts([post(1)] + [post(n, "sumy") for n in (2, 3, 4)])

    ours = Limits(30 * SCALE, 1 * SCALE, 20 * SCALE, 1 * SCALE)
    windows = outbox.ChatWindows(private=timedelta(seconds=1 / SCALE))
    async with BotApiServer(limits=ServerLimits(scale=SCALE)) as srv, AsyncExitStack() as stack:
        for s in sessions:
            # Alone, each would send at the full 90/s: together, twice the limit.
            await stack.enter_async_context(
                delivering(
                    s,
                    srv,
                    ours,
                    budget=DbBudget(s, ours.global_per_s),
                    exclusive=windows,
                    batch=100,
                    concurrency=16,
                )
            )
        total = len(SPREAD) + 4 * len(BUSY)
        await srv.wait_for(lambda _: len(srv.sent_messages()) >= total, timeout=40)
    assert srv.count_429 == 0
    assert sent_per_chat(srv) == {c: 1 for c in SPREAD} | {c: 4 for c in BUSY}
    async with sessions[0]() as session:
        assert await outbox.counts(session) == {outbox.SENT: total}
        per_worker = dict(
            (
                await session.execute(
                    select(Delivery.leased_by, func.count()).group_by(Delivery.leased_by)
                )
            ).all()
        )
    assert len(per_worker) == 2 and min(per_worker.values()) > 0.2 * total
    for engine in engines:
        await engine.dispose()


async def test_exclusive_claims_never_split_a_chat(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Worker A holds chat 1; B gets only the other chat, and after A sent, B still keeps off
    chat 1 for its window while A may go on."""
    await seed(sessions, [1, 2])
    ingest = ingest_service(sessions)
    await ingest.new_posts([post(1), post(2)])  # two rows per chat
    windows = outbox.ChatWindows(private=timedelta(seconds=30))
    lease = timedelta(seconds=30)
    async with sessions() as session, session.begin():
        a = await outbox.claim_due(session, "A", limit=1, lease=lease, exclusive=windows)
    async with sessions() as session, session.begin():
        b = await outbox.claim_due(session, "B", limit=10, lease=lease, exclusive=windows)
    assert len(a) == 1 and {r.chat_id for r in b} == {3 - a[0].chat_id}
    async with sessions() as session, session.begin():
        assert await outbox.mark_sent(session, a[0].id, "A", 1)
    async with sessions() as session, session.begin():
        assert await outbox.claim_due(session, "B", limit=10, lease=lease, exclusive=windows) == []
        again = await outbox.claim_due(session, "A", limit=10, lease=lease, exclusive=windows)
    assert [r.chat_id for r in again] == [a[0].chat_id]
