"""The defining example, end to end on real storage: the MoD's 'Kursk Oblast fully liberated'
and the General Staff's answer become one contradiction alert for a chat tracking Kursk."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.analysis.places import get_gazetteer
from bot.config import Settings
from bot.core.alert import AlertKind, Reasons
from bot.deliver.renderers import alert_renderers
from bot.ingest import PRIORITY_MATCH, IngestService
from bot.matching import SubscriptionMatcher
from bot.media import MediaStore
from bot.services.claims import ClaimsHook
from bot.watch.sample import sample_posts
from storage.models import Alert, Contradiction, Delivery
from storage.repos import chats as chat_repo
from storage.repos import subscriptions as sub_repo


async def test_kursk_episode_alerts_a_chat_tracking_kursk_oblast(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path, settings_factory: Any
) -> None:
    settings: Settings = settings_factory()
    async with sessions() as s, s.begin():
        await chat_repo.ensure(s, 42, type_="private", language="en")
        await sub_repo.add(s, 42, "place", "RU-KRS", "Kursk Oblast")
        await chat_repo.ensure(s, 43, type_="private", language="uk")
        await sub_repo.add(s, 43, "place", "UA-63", "Kharkiv Oblast")
    ingest = IngestService(
        sessions,
        SubscriptionMatcher(),
        sides=settings.side_of,
        hooks=[ClaimsHook(settings.side_of)],
    )
    posts = sorted(sample_posts(MediaStore(tmp_path / "media")), key=lambda p: p.date)
    for post in posts:
        await ingest.new_posts([post])

    async with sessions() as s:
        contradictions = list(await s.scalars(select(Contradiction)))
        alerts = list(await s.scalars(select(Alert).where(Alert.kind == "contradiction")))
        deliveries = list(
            await s.scalars(select(Delivery).where(Delivery.alert_id.in_([a.id for a in alerts])))
        )
    assert contradictions, "the Kursk claims should contradict each other"
    assert all(c.why and c.why_uk and c.why != c.why_uk for c in contradictions)
    assert alerts
    # One alert per episode, not one per pair; only the chat tracking Kursk gets it.
    assert len(alerts) <= len({c.episode_id for c in contradictions})
    assert {d.chat_id for d in deliveries} == {42}
    # Never ahead of the post's own alert: the same priority, queued after it.
    assert all(d.priority == PRIORITY_MATCH for d in deliveries)

    render = alert_renderers(get_gazetteer)[AlertKind.CONTRADICTION]
    msg = render(alerts[0].payload, Reasons(), lang="en", tz="Europe/Kyiv")
    assert "Contradiction" in msg.text
    assert msg.text.count("https://t.me/") >= 2  # both sides linked
    HTMLParser().feed(msg.text)
