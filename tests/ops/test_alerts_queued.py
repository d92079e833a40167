"""`dozor_alerts_queued_total` counts the outbox rows really written, of every kind (matches,
contradictions, digests, admin messages), and the dispatcher is woken only when there are
some. Real storage, SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.alert import AlertKind, Reasons
from bot.digest.service import DigestService
from bot.ingest import IngestService
from bot.matching import SubscriptionMatcher
from bot.media import MediaStore
from bot.ops.metrics import Metrics
from bot.services.claims import ClaimsHook
from bot.watch.sample import sample_posts
from storage.models import Alert, Chat, Delivery
from storage.repos import chats as chat_repo
from storage.repos import outbox
from storage.repos import subscriptions as sub_repo
from tests.digest.test_digest_content import track

Sessions = async_sessionmaker[AsyncSession]


def queued(metrics: Metrics) -> float:
    found = re.search(r"^dozor_alerts_queued_total (\S+)$", metrics.render().decode(), re.M)
    assert found
    return float(found.group(1))


async def deliveries(sessions: Sessions, kind: str | None = None) -> int:
    """Rows queued to be sent: a contradiction folded into its post's alert is recorded as
    dropped ("shown in the post's alert"), never queued."""
    query = (
        select(func.count())
        .select_from(Delivery)
        .join(Alert, Alert.id == Delivery.alert_id)
        .where(Delivery.status != outbox.DROPPED)
    )
    if kind is not None:
        query = query.where(Alert.kind == kind)
    async with sessions() as session:
        return int(await session.scalar(query) or 0)


async def test_enqueue_many_returns_the_rows_it_inserted(sessions: Sessions) -> None:
    async with sessions() as session, session.begin():
        for chat in (1, 2, 3, 4):
            await chat_repo.ensure(session, chat, type_="private")
        alert, _ = await outbox.ensure_alert(
            session, kind=AlertKind.MATCH, dedupe_key="k", payload={}
        )
        first = [outbox.Recipient(c, 0, Reasons()) for c in (1, 2, 3)]
        assert await outbox.enqueue_many(session, alert, first) == 3
        again = [outbox.Recipient(c, 0, Reasons()) for c in (1, 2, 3, 4)]
        assert await outbox.enqueue_many(session, alert, again) == 1  # only chat 4 is new
        assert await outbox.enqueue_many(session, alert, []) == 0


async def test_ingest_counts_match_and_contradiction_rows_actually_queued(
    sessions: Sessions, tmp_path: Path, settings_factory: Any
) -> None:
    settings = settings_factory()
    async with sessions() as s, s.begin():
        await chat_repo.ensure(s, 42, type_="private", language="en")
        await sub_repo.add(s, 42, "place", "RU-KRS", "Kursk Oblast")
    metrics, woken = Metrics(), []
    ingest = IngestService(
        sessions,
        SubscriptionMatcher(),
        sides=settings.side_of,
        hooks=[ClaimsHook(settings.side_of)],
        metrics=metrics,
        on_enqueued=lambda: woken.append(1),
    )
    posts = sorted(sample_posts(MediaStore(tmp_path / "media")), key=lambda p: p.date)
    for post in posts:
        await ingest.new_posts([post])
    async with sessions() as session:  # the Kursk episode: queued or folded into the post
        found = await session.scalar(
            select(func.count()).select_from(Alert).where(Alert.kind == "contradiction")
        )
    assert found
    assert queued(metrics) == await deliveries(sessions) > 0
    wakes = len(woken)
    assert 0 < wakes <= await deliveries(sessions)
    # The same posts again: nothing new is written, counted or woken for.
    for post in posts:
        await ingest.new_posts([post])
    assert queued(metrics) == await deliveries(sessions)
    assert len(woken) == wakes


async def test_a_digest_counts_its_rows_once(sessions: Sessions, tmp_path: Path) -> None:
    await track(sessions, 42, ["Курськ"])
    async with sessions() as session, session.begin():
        await session.execute(update(Chat).where(Chat.id == 42).values(digest_when_empty=True))
    metrics, woken = Metrics(), []
    service = DigestService(
        sessions,
        SubscriptionMatcher(),
        MediaStore(tmp_path / "media"),
        default_tz="Europe/Kyiv",
        metrics=metrics,
        on_enqueued=lambda: woken.append(1),
    )
    day = date(2026, 12, 2)
    assert await service.run(42, day) == "queued"
    assert queued(metrics) == await deliveries(sessions, "digest") == 1
    assert await service.run(42, day) == "skipped"
    assert queued(metrics) == 1 and len(woken) == 1
