"""The ingest path on real storage (SQLite and PostgreSQL): store once, match, queue once."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from alembic.script import ScriptDirectory
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core.post import ForwardOrigin, Post
from bot.ingest import IngestService
from bot.matching import SubscriptionMatcher
from bot.media import MediaStore
from bot.services.subscriptions import ChatRef, SubscriptionService
from storage.engine import alembic_config, current_revision, upgrade_schema
from storage.models import Alert, Delivery, Media, PostMedia, PostVersion
from storage.models import Post as PostRow
from storage.repos import chats as chat_repo
from storage.repos import outbox
from storage.repos import posts as post_repo

T0 = datetime(2025, 4, 26, 9, 0, tzinfo=UTC)


def png(colour: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buf, format="PNG")
    return buf.getvalue()


def make_post(**kw: object) -> Post:
    values: dict[str, object] = {
        "channel": "mod_russia",
        "id": 100,
        "date": T0,
        "text": "Курская область полностью освобождена.",
    }
    values.update(kw)
    return Post(**values)  # type: ignore[arg-type]


async def subscribe(
    sessions: async_sessionmaker[AsyncSession],
    chat_id: int,
    text: str,
    thread_id: int = 0,
    type_: str = "private",
) -> None:
    await SubscriptionService(sessions).track_text(
        ChatRef(chat_id, type_, language="en", thread_id=thread_id), text
    )


async def count(sessions: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_schema_upgrade_is_idempotent(engine: AsyncEngine) -> None:
    await upgrade_schema(engine)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert await current_revision(engine) == head


async def test_post_stored_once_with_media_and_alert_queued_once(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    store = MediaStore(tmp_path / "media")
    woken: list[int] = []
    ingest = IngestService(sessions, SubscriptionMatcher(), on_enqueued=lambda: woken.append(1))
    await subscribe(sessions, 10, "Курск")
    await subscribe(sessions, 11, "Kharkiv")
    map_ = store.put_bytes(png("red"))
    post = make_post(media=(map_,))

    assert await ingest.new_posts([post]) == 1
    assert await ingest.new_posts([post]) == 0  # again: nothing new
    assert woken == [1]
    async with sessions() as s:
        row = await post_repo.get_by_ref(s, "mod_russia", 100)
        assert row is not None and row.text == post.text
        assert [link.media.sha256 for link in row.media_links] == [map_.sha256]
        assert row.media_links[0].media.width == 64
        deliveries = list(await s.scalars(select(Delivery)))
    assert [(d.chat_id, d.status) for d in deliveries] == [(10, "pending")]
    assert deliveries[0].reasons["labels"] == ["Курск"]
    assert await ingest.last_id("mod_russia") == 100


async def test_same_map_twice_is_one_media_row(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    store = MediaStore(tmp_path / "media")
    ingest = IngestService(sessions, SubscriptionMatcher())
    first = store.put_bytes(png("blue"))
    again = store.put_bytes(png("blue"))
    assert first == again
    await ingest.new_posts([make_post(id=1, media=(first,)), make_post(id=2, media=(again,))])
    assert await count(sessions, Media) == 1
    assert await count(sessions, PostMedia) == 2
    assert len(list((tmp_path / "media").rglob("*.png"))) == 1


async def test_forwards_of_one_origin_alert_a_chat_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ingest = IngestService(sessions, SubscriptionMatcher())
    await subscribe(sessions, 10, "Суджа")
    origin = ForwardOrigin(channel="generalstaffzsu", message_id=5, name="Генштаб")
    text = "Бої в районі н. п. Суджа тривають."
    await ingest.new_posts(
        [
            Post(channel="news_a", id=1, date=T0, text=text, forward=origin),
            Post(channel="news_b", id=7, date=T0, text=text, forward=origin),
        ]
    )
    assert await count(sessions, PostRow) == 2  # stored for each channel
    assert await count(sessions, Alert) == 1
    assert await count(sessions, Delivery) == 1


async def test_several_matching_subscriptions_make_one_delivery(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ingest = IngestService(sessions, SubscriptionMatcher())
    await subscribe(sessions, 10, "Курск")
    await subscribe(sessions, 10, "освобождена")
    await ingest.new_posts([make_post()])
    async with sessions() as s:
        (delivery,) = list(await s.scalars(select(Delivery)))
    assert delivery.reasons["labels"] == ["Курск", "освобождена"]


async def test_edit_keeps_old_version_and_realerts_only_when_match_changes(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ingest = IngestService(sessions, SubscriptionMatcher())
    await subscribe(sessions, 10, "Судж")
    await ingest.new_posts([make_post(text="Бои у Суджи продолжаются.")])
    # A typo fix far from the match and with the same figures: no new alert.
    await ingest.edited(make_post(text="Бои у Суджи продолжаются!", edit_date=T0 + timedelta(1)))
    assert await count(sessions, Alert) == 1
    # The matched word changes: re-alert with old -> new.
    await ingest.edited(make_post(text="Бои у Суджей завершены.", edit_date=T0 + timedelta(2)))
    async with sessions() as s:
        versions = list(await s.scalars(select(PostVersion).order_by(PostVersion.id)))
        alerts = list(await s.scalars(select(Alert).order_by(Alert.id)))
    assert [v.text for v in versions] == ["Бои у Суджи продолжаются.", "Бои у Суджи продолжаются!"]
    assert [a.kind for a in alerts] == ["match", "edit"]
    assert alerts[1].payload["old_text"] == "Бои у Суджи продолжаются!"


async def test_edit_changing_a_figure_realerts(sessions: async_sessionmaker[AsyncSession]) -> None:
    ingest = IngestService(sessions, SubscriptionMatcher())
    await subscribe(sessions, 10, "Курск")
    await ingest.new_posts([make_post(text="Над Курском сбито 12 БПЛА.")])
    await ingest.edited(make_post(text="Над Курском сбито 21 БПЛА.", edit_date=T0 + timedelta(1)))
    assert await count(sessions, Alert) == 2


async def test_deletion_is_a_soft_mark(sessions: async_sessionmaker[AsyncSession]) -> None:
    ingest = IngestService(sessions, SubscriptionMatcher())
    await ingest.new_posts([make_post(id=1), make_post(id=2)])
    await ingest.deleted("mod_russia", [1], T0 + timedelta(hours=1))
    async with sessions() as s:
        rows = {r.message_id: r for r in await post_repo.recent(s)}
    assert rows[1].deleted and rows[1].deleted_at == T0 + timedelta(hours=1)
    assert not rows[2].deleted


async def test_outbox_lease_is_exclusive_and_expires(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ingest = IngestService(sessions, SubscriptionMatcher())
    for chat in range(20):
        await subscribe(sessions, 1000 + chat, "Курск")
    await ingest.new_posts([make_post()])

    async def claim(worker: str, lease: timedelta) -> list[int]:
        async with sessions() as s, s.begin():
            return [c.id for c in await outbox.claim_due(s, worker, limit=15, lease=lease)]

    a, b = await asyncio.gather(claim("a", timedelta(minutes=1)), claim("b", timedelta(minutes=1)))
    assert not set(a) & set(b)
    assert len(a) + len(b) == 20
    assert await claim("c", timedelta(minutes=1)) == []
    # Worker "a" crashes: once its lease is over, another worker gets its rows.
    async with sessions() as s, s.begin():
        for delivery_id in a:
            row = await s.get(Delivery, delivery_id)
            assert row is not None
            row.lease_until = datetime.now(UTC) - timedelta(seconds=1)
    taken = await claim("d", timedelta(minutes=1))
    assert sorted(taken) == sorted(a)
    async with sessions() as s, s.begin():
        # The crashed worker can no longer mark its old lease as sent.
        assert not await outbox.mark_sent(s, a[0], "a", 1)
        assert await outbox.mark_sent(s, a[0], "d", 1)


async def test_chat_migration_moves_subscriptions_and_outbox(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ingest = IngestService(sessions, SubscriptionMatcher())
    await subscribe(sessions, -100, "Курск", type_="group")
    await ingest.new_posts([make_post()])
    async with sessions() as s, s.begin():
        await chat_repo.migrate(s, -100, -1009999)
    async with sessions() as s:
        old = await chat_repo.get(s, -100)
        (delivery,) = list(await s.scalars(select(Delivery)))
    assert old is not None and not old.active and old.migrated_to == -1009999
    assert delivery.chat_id == -1009999
    subs = await SubscriptionService(sessions).tracked(-1009999)
    assert [s.label for s in subs] == ["Курск"]


async def test_live_ingest_archives_late_old_posts_without_alerting(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ingest = IngestService(sessions, SubscriptionMatcher(), max_alert_age=timedelta(hours=48))
    await subscribe(sessions, 10, "Курск")
    now = datetime.now(UTC)
    await ingest.new_posts(
        [
            make_post(id=1, date=now - timedelta(days=20)),
            make_post(id=2, date=now - timedelta(minutes=5)),
        ]
    )
    # An edit of a post never seen is stored, never alerted as new.
    await ingest.edited(make_post(id=3, date=now, edit_date=now))
    assert await count(sessions, PostRow) == 3
    async with sessions() as s:
        alerts = list(await s.scalars(select(Alert)))
    assert [a.payload["id"] for a in alerts] == [2]


async def test_migration_when_the_supergroup_already_has_the_alert(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ingest = IngestService(sessions, SubscriptionMatcher())
    await subscribe(sessions, -100, "Курск", type_="group")
    await subscribe(sessions, -1009999, "Курск", type_="supergroup")
    await ingest.new_posts([make_post()])
    async with sessions() as s, s.begin():
        await chat_repo.migrate(s, -100, -1009999)
    async with sessions() as s:
        deliveries = list(await s.scalars(select(Delivery)))
    assert [d.chat_id for d in deliveries] == [-1009999]  # one alert, not two, no conflict


async def test_every_migration_downgrades_and_upgrades_again(engine: AsyncEngine) -> None:
    def down_to_base(connection: Any) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "base")

    async with engine.begin() as conn:
        await conn.run_sync(down_to_base)
    assert await current_revision(engine) is None
    await upgrade_schema(engine)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert await current_revision(engine) == head


async def test_stale_posts_and_their_edits_never_alert_but_are_analysed(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Backfill and late catch-up: stored, claims recorded, no alert of any kind."""
    from bot.services.claims import ClaimsHook
    from storage.models import Claim

    await subscribe(sessions, 10, "Горнал")
    ingest = IngestService(
        sessions,
        SubscriptionMatcher(),
        max_alert_age=timedelta(0),
        hooks=[ClaimsHook(lambda c: "RU")],
        edit_hooks=[ClaimsHook(lambda c: "RU")],
    )
    old = make_post(text="Освобожден населенный пункт Горналь Курской области.")
    await ingest.new_posts([old])
    await ingest.edited(
        make_post(
            text="Освобождены населенные пункты Горналь и Гуево.", edit_date=T0 + timedelta(1)
        )
    )
    assert await count(sessions, Alert) == 0
    assert await count(sessions, Delivery) == 0
    assert await count(sessions, Claim) >= 1  # the claims follow the edited text
