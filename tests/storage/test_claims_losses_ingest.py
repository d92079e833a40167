"""Loss counters ("~losses/APC") on the alerting paths: `dozor import` and live ingest store
their claims and contradictions without asking the gazetteer about a pseudo place."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.analysis.claims.model import LOSSES_PLACE_PREFIX, Kind
from bot.cli.importer import import_file
from bot.config import Settings
from bot.ingest import IngestService
from bot.matching import SubscriptionMatcher
from bot.media import MediaStore
from bot.services.claims import ClaimsHook
from bot.watch.jsonl import detect_and_read
from storage.models import Alert, Claim, Contradiction, Delivery
from storage.repos import chats as chat_repo
from storage.repos import subscriptions as sub_repo

LOSSES = Path(__file__).resolve().parents[1] / "data" / "claims_losses.jsonl"


async def loss_counts(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    async with sessions() as s:
        claims = await s.scalar(
            select(func.count()).select_from(Claim).where(Claim.kind == Kind.LOSSES)
        )
        pairs = await s.scalar(
            select(func.count())
            .select_from(Contradiction)
            .where(Contradiction.place_id.startswith(LOSSES_PLACE_PREFIX))
        )
    return int(claims or 0), int(pairs or 0)


async def test_import_of_loss_counters_stores_their_claims_and_contradictions(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    db_url: str,
    settings_factory: Any,
) -> None:
    settings: Settings = settings_factory(database_url=db_url)
    read, stored = await import_file(settings, LOSSES, None)
    assert read == stored == sum(1 for line in LOSSES.open() if line.strip())
    claims, pairs = await loss_counts(sessions)
    assert claims > stored  # several counters per daily report
    assert pairs > 0  # the fixture's counters that go down contradict the earlier report


async def test_live_loss_counter_contradiction_alerts_nobody_tracking_places(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path, settings_factory: Any
) -> None:
    settings: Settings = settings_factory()
    async with sessions() as s, s.begin():
        await chat_repo.ensure(s, 42, type_="private", language="en")
        await sub_repo.add(s, 42, "place", "UA-63", "Kharkiv Oblast")
    ingest = IngestService(
        sessions,
        SubscriptionMatcher(),
        sides=settings.side_of,
        hooks=[ClaimsHook(settings.side_of)],
    )
    posts = list(detect_and_read(LOSSES, MediaStore(tmp_path / "media"), channel=None, tz="UTC"))
    for post in sorted(posts, key=lambda p: p.date):
        await ingest.new_posts([post])

    claims, pairs = await loss_counts(sessions)
    assert claims > 0 and pairs > 0
    async with sessions() as s:
        alerts = await s.scalar(
            select(func.count()).select_from(Alert).where(Alert.kind == "contradiction")
        )
        deliveries = await s.scalar(select(func.count()).select_from(Delivery))
    # A counter is no place a chat tracks: the pair is recorded, nobody is alerted about it.
    assert alerts == 0
    assert deliveries == 0
