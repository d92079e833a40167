"""The Telethon source on real Telethon objects, dispatched through a never-connected client.

Updates are real TL ``Updates`` run through the same internals Telethon's update loop uses
(``_message_box.process_updates`` -> ``_preprocess_updates`` -> ``_dispatch_update``); that is
why ``telethon`` is pinned to 1.45.x. Only what needs Telegram's servers is served from memory
by a ``TelegramClient`` subclass: history, entity resolution, joining and file downloads.
Storage is the real ingest path on a temporary database.
"""

from __future__ import annotations

import asyncio
import io
import os
import stat
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telethon import TelegramClient
from telethon.errors import FileReferenceExpiredError, FloodWaitError
from telethon.sessions import MemorySession
from telethon.tl import types
from telethon.tl.functions.channels import JoinChannelRequest

from bot.errors import NotAuthorisedError
from bot.ingest import IngestService
from bot.matching import SubscriptionMatcher
from bot.media import MediaStore
from bot.watch import telethon_convert as conv
from bot.watch.telethon_login import make_client, session_file
from bot.watch.telethon_source import TelethonSource
from storage.models import Media, PostVersion
from storage.models import Post as PostRow
from storage.repos import posts as post_repo

T0 = datetime(2025, 4, 26, 9, 0, tzinfo=UTC)
WATCHED, OTHER, ORIGIN = 1001, 1002, 1003


def png(colour: str, size: tuple[int, int] = (64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="PNG")
    return buf.getvalue()


def channel(cid: int, username: str, *, left: bool = False) -> types.Channel:
    return types.Channel(
        id=cid,
        title=username.upper(),
        photo=types.ChatPhotoEmpty(),
        date=T0,
        broadcast=True,
        access_hash=cid * 7,
        username=username,
        left=left,
    )


CHANNELS = {
    "kpszsu": channel(WATCHED, "KPSZSU", left=True),
    "other": channel(OTHER, "other"),
    "origin": channel(ORIGIN, "origin"),
}


def photo_media(photo_id: int) -> types.MessageMediaPhoto:
    return types.MessageMediaPhoto(
        photo=types.Photo(
            id=photo_id,
            access_hash=photo_id,
            file_reference=b"ref",
            date=T0,
            sizes=[types.PhotoSize(type="y", w=64, h=48, size=100)],
            dc_id=2,
        )
    )


def message(
    cid: int,
    mid: int,
    text: str = "",
    *,
    photo: int | None = None,
    grouped_id: int | None = None,
    minutes: int = 0,
    **kw: Any,
) -> types.Message:
    return types.Message(
        id=mid,
        peer_id=types.PeerChannel(cid),
        date=T0 + timedelta(minutes=minutes),
        message=text,
        post=True,
        media=photo_media(photo) if photo else None,
        grouped_id=grouped_id,
        **kw,
    )


class FakeTelegram(TelegramClient):  # type: ignore[misc]
    """Telethon's own client, never connected; the server-side calls are answered from memory."""

    def __init__(self, photos: dict[int, bytes]) -> None:
        super().__init__(MemorySession(), api_id=1, api_hash="x")
        self._mb_entity_cache.set_self_user(777, False, 0)  # as after get_me()
        self.authorised = True
        self.photos = photos
        self.history: dict[int, list[types.Message]] = {}
        self.joined: list[int] = []
        self.downloads: list[int] = []
        self.resolved: list[str] = []
        self.flood_after: int | None = None  # raise FloodWaitError once, after N messages
        self.download_flood = False  # the next download raises FloodWaitError once
        self.download_errors: dict[int, list[Exception]] = {}  # photo id -> raised in turn
        self.expired_refs: set[bytes] = set()  # file references that no longer download
        self.fresh: dict[int, types.Message] = {}  # message id -> what get_messages returns
        self.refetched: list[int] = []
        self.pts: dict[int, int] = {}

    async def connect(self) -> None:  # the network is the one thing we do not have
        return None

    async def is_user_authorized(self) -> bool:
        return self.authorised

    async def get_entity(self, entity: Any) -> Any:
        self.resolved.append(entity)
        return CHANNELS[str(entity).lower()]

    async def __call__(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(request, JoinChannelRequest):
            self.joined.append(request.channel.id)
            return None
        raise AssertionError(f"unexpected request {request!r}")

    async def download_media(self, msg: Any, file: Any = None, **kw: Any) -> bytes:
        assert file is bytes
        photo_id = msg.media.photo.id
        self.downloads.append(photo_id)
        if self.download_flood:
            self.download_flood = False
            raise FloodWaitError(request=None, capture=0)
        if self.download_errors.get(photo_id):
            raise self.download_errors[photo_id].pop(0)
        if photo_id not in self.photos or msg.media.photo.file_reference in self.expired_refs:
            raise FileReferenceExpiredError(request=None)
        return self.photos[photo_id]

    async def get_messages(self, entity: Any, *, ids: int, **kw: Any) -> types.Message | None:
        self.refetched.append(ids)
        if ids in self.fresh:
            return self.fresh[ids]
        return next((m for m in self.history.get(entity.id, []) if m.id == ids), None)

    async def iter_messages(
        self,
        entity: Any,
        *,
        reverse: bool = False,
        min_id: int = 0,
        max_id: int = 0,
        offset_date: datetime | None = None,
        **kw: Any,
    ) -> AsyncIterator[types.Message]:
        given = 0
        ordered = sorted(self.history.get(entity.id, []), key=lambda m: m.id, reverse=not reverse)
        if kw.get("limit") is not None:
            ordered = ordered[: kw["limit"]]
        for msg in ordered:
            if msg.id <= min_id or (max_id and msg.id >= max_id):
                continue
            if offset_date is not None and msg.date < offset_date:
                continue
            if self.flood_after is not None and given == self.flood_after:
                self.flood_after = None
                raise FloodWaitError(request=None, capture=1)
            # As Telethon's history iterator does: entities attached to each message.
            msg._finish_init(self, {conv.marked_id(c): c for c in CHANNELS.values()}, None)
            given += 1
            yield msg

    # -- pushing updates the way Telethon's update loop does --------------------------------
    async def push(self, *updates: Any, chats: list[types.Channel] | None = None) -> None:
        batch = types.Updates(
            updates=list(updates),
            users=[],
            chats=chats if chats is not None else list(CHANNELS.values()),
            date=T0,
            seq=0,
        )
        processed: list[Any] = []
        users, chats_ = self._message_box.process_updates(batch, self._mb_entity_cache, processed)
        for update in await self._preprocess_updates(processed, users, chats_):
            await self._dispatch_update(update)

    def next_pts(self, cid: int) -> int:
        self.pts[cid] = self.pts.get(cid, 0) + 1
        return self.pts[cid]

    def new(self, msg: types.Message) -> types.UpdateNewChannelMessage:
        self.history.setdefault(msg.peer_id.channel_id, []).append(msg)
        return types.UpdateNewChannelMessage(
            message=msg, pts=self.next_pts(msg.peer_id.channel_id), pts_count=1
        )

    def edit(self, msg: types.Message) -> types.UpdateEditChannelMessage:
        return types.UpdateEditChannelMessage(
            message=msg, pts=self.next_pts(msg.peer_id.channel_id), pts_count=1
        )

    def delete(self, cid: int, ids: list[int]) -> types.UpdateDeleteChannelMessages:
        return types.UpdateDeleteChannelMessages(
            channel_id=cid, messages=ids, pts=self.next_pts(cid), pts_count=1
        )


PHOTOS = {11: png("red"), 12: png("green"), 13: png("blue"), 14: png("red"), 15: png("white")}


@pytest.fixture
def tg() -> FakeTelegram:
    return FakeTelegram(PHOTOS)


@pytest.fixture
def ingest(sessions: async_sessionmaker[AsyncSession]) -> IngestService:
    return IngestService(sessions, SubscriptionMatcher())


async def started(
    tg: FakeTelegram, ingest: IngestService, tmp_path: Path, **kw: Any
) -> TelethonSource:
    kw.setdefault("album_delay", 5.0)
    source = TelethonSource(
        tg,
        ["@KPSZSU"],
        ingest,
        MediaStore(tmp_path / "media"),
        reconcile_seconds=60,
        flood_jitter=0.01,
        **kw,
    )
    await source.start()
    return source


async def row(
    sessions: async_sessionmaker[AsyncSession], mid: int, channel_: str = "kpszsu"
) -> PostRow | None:
    async with sessions() as s:
        return await post_repo.get_by_ref(s, channel_, mid)


async def stored(
    sessions: async_sessionmaker[AsyncSession], mid: int, within: float, photos: int = 0
) -> PostRow | None:
    """The post once stored (with at least ``photos`` photos), polled for up to ``within``
    seconds: a busy machine delays the store, and a fixed sleep would make that a failure."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        r = await row(sessions, mid)
        if r is not None and (not photos or len(await media_of(sessions, mid)) >= photos):
            return r
        if asyncio.get_running_loop().time() > deadline:
            return r
        await asyncio.sleep(0.05)


async def count(sessions: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def media_of(sessions: async_sessionmaker[AsyncSession], mid: int) -> list[tuple[int, int]]:
    async with sessions() as s:
        r = await post_repo.get_by_ref(s, "kpszsu", mid)
        assert r is not None
        links = sorted(r.media_links, key=lambda link: link.position)
        out = []
        for link in links:
            m = await s.get(Media, link.media_id)
            assert m is not None
            out.append((m.width or 0, m.height or 0))
        return out


# -- start-up -------------------------------------------------------------------------------
async def test_not_authorised_session_fails_with_clear_message(
    tg: FakeTelegram, ingest: IngestService, tmp_path: Path
) -> None:
    tg.authorised = False
    with pytest.raises(NotAuthorisedError, match="run `dozor login`"):
        await started(tg, ingest, tmp_path)
    assert tg.list_event_handlers() == []


async def test_start_resolves_once_joins_and_filters_by_marked_id(
    tg: FakeTelegram, ingest: IngestService, tmp_path: Path
) -> None:
    source = await started(tg, ingest, tmp_path)
    assert tg.resolved == ["kpszsu"]
    assert tg.joined == [WATCHED]  # the channel was 'left': only joined channels push updates
    assert source.live_ids == {-1000000000000 - WATCHED}
    assert len(tg.list_event_handlers()) == 4


# -- live updates ---------------------------------------------------------------------------
async def test_new_post_with_photo_stored_once(
    tg: FakeTelegram,
    ingest: IngestService,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    await started(tg, ingest, tmp_path)
    update = tg.new(message(WATCHED, 5, "Над Київщиною збито 3 ракети", photo=11, views=40))
    await tg.push(update)
    await tg.push(tg.new(message(WATCHED, 5, "Над Київщиною збито 3 ракети", photo=11)))

    r = await row(sessions, 5)
    assert r is not None and r.text == "Над Київщиною збито 3 ракети"
    assert r.date == T0 and r.views == 40
    assert await media_of(sessions, 5) == [(64, 48)]
    assert await count(sessions, PostRow) == 1
    assert tg.downloads == [11]


async def test_message_from_unwatched_channel_is_ignored_until_added(
    tg: FakeTelegram,
    ingest: IngestService,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    source = await started(tg, ingest, tmp_path)
    await tg.push(tg.new(message(OTHER, 1, "not ours")))
    assert await count(sessions, PostRow) == 0

    await source.add_channel("@other")
    await tg.push(tg.new(message(OTHER, 2, "ours now")))
    assert (await row(sessions, 2, "other")) is not None

    source.remove_channel("other")
    await tg.push(tg.new(message(OTHER, 3, "ignored again")))
    assert await row(sessions, 3, "other") is None
    assert await row(sessions, 1, "other") is None


async def test_album_stored_once_with_every_photo_via_album_event(
    tg: FakeTelegram,
    ingest: IngestService,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    # With a 60 s album timer only Telethon's Album event (0.5 s after the items) can store it.
    await started(tg, ingest, tmp_path, album_delay=60.0)
    items = [
        message(WATCHED, 20, "", photo=11, grouped_id=99),
        message(WATCHED, 21, "Карта ударів", photo=12, grouped_id=99),
        message(WATCHED, 22, "", photo=13, grouped_id=99),
    ]
    await tg.push(*(tg.new(m) for m in items))
    r = await stored(sessions, 20, within=30.0)
    assert r is not None and r.text == "Карта ударів" and r.grouped_id == 99
    assert len(await media_of(sessions, 20)) == 3
    assert await count(sessions, PostRow) == 1
    assert sorted(tg.downloads) == [11, 12, 13]


async def test_album_split_over_updates_stored_by_own_timer(
    tg: FakeTelegram,
    ingest: IngestService,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    await started(tg, ingest, tmp_path, album_delay=0.2)
    await tg.push(tg.new(message(WATCHED, 30, "Альбом", photo=11, grouped_id=7)))
    await tg.push(tg.new(message(WATCHED, 31, "", photo=12, grouped_id=7)))
    assert await stored(sessions, 30, within=10.0, photos=2) is not None
    # A straggler after the album was stored joins the same post.
    await tg.push(tg.new(message(WATCHED, 32, "", photo=15, grouped_id=7)))
    await stored(sessions, 30, within=10.0, photos=3)

    assert await count(sessions, PostRow) == 1
    assert len(await media_of(sessions, 30)) == 3
    assert sorted(tg.downloads) == [11, 12, 15]


async def test_same_map_posted_twice_is_stored_once(
    tg: FakeTelegram,
    ingest: IngestService,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    await started(tg, ingest, tmp_path)
    await tg.push(tg.new(message(WATCHED, 40, "Карта", photo=11)))
    await tg.push(tg.new(message(WATCHED, 41, "Та сама карта", photo=14)))  # same bytes
    assert await count(sessions, PostRow) == 2
    assert await count(sessions, Media) == 1
    assert (tmp_path / "media").exists()


async def test_forward_origin_resolved_to_channel_username(
    tg: FakeTelegram,
    ingest: IngestService,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    await started(tg, ingest, tmp_path)
    fwd = types.MessageFwdHeader(date=T0, from_id=types.PeerChannel(ORIGIN), channel_post=77)
    await tg.push(tg.new(message(WATCHED, 50, "forwarded", fwd_from=fwd)))
    hidden = types.MessageFwdHeader(date=T0, from_name="Someone")
    await tg.push(tg.new(message(WATCHED, 51, "hidden sender", fwd_from=hidden)))

    r = await row(sessions, 50)
    assert r is not None
    assert (r.fwd_channel, r.fwd_message_id, r.fwd_name) == ("origin", 77, "ORIGIN")
    assert (r.origin_channel, r.origin_id) == ("origin", 77)
    r2 = await row(sessions, 51)
    assert r2 is not None and (r2.fwd_channel, r2.fwd_name) == (None, "Someone")


async def test_edit_keeps_old_version_and_delete_soft_marks(
    tg: FakeTelegram,
    ingest: IngestService,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    await started(tg, ingest, tmp_path)
    await tg.push(tg.new(message(WATCHED, 60, "Збито 5 дронів")))
    edited = message(WATCHED, 60, "Збито 7 дронів", edit_date=T0 + timedelta(minutes=3))
    await tg.push(tg.edit(edited))

    r = await row(sessions, 60)
    assert r is not None and r.text == "Збито 7 дронів"
    assert r.edit_date == T0 + timedelta(minutes=3)
    async with sessions() as s:
        versions = await post_repo.versions(s, r.id)
    assert [v.text for v in versions] == ["Збито 5 дронів"]

    await tg.push(tg.delete(WATCHED, [60]))
    await tg.push(tg.delete(OTHER, [60]))  # another channel's deletion: not ours
    r = await row(sessions, 60)
    assert r is not None and r.deleted and r.deleted_at is not None
    assert r.text == "Збито 7 дронів"
    assert await count(sessions, PostVersion) == 1


async def test_caption_edit_of_album_item_edits_the_album_post(
    tg: FakeTelegram,
    ingest: IngestService,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    await started(tg, ingest, tmp_path, album_delay=0.1)
    await tg.push(
        tg.new(message(WATCHED, 70, "", photo=11, grouped_id=5)),
        tg.new(message(WATCHED, 71, "Стара підпис", photo=12, grouped_id=5)),
    )
    assert await stored(sessions, 70, within=30.0, photos=2) is not None
    await tg.push(
        tg.edit(
            message(
                WATCHED,
                71,
                "Новий підпис",
                photo=12,
                grouped_id=5,
                edit_date=T0 + timedelta(minutes=1),
            )
        )
    )
    assert await count(sessions, PostRow) == 1
    r = await row(sessions, 70)
    assert r is not None and r.text == "Новий підпис"


async def test_flood_wait_on_download_is_waited_out(
    tg: FakeTelegram,
    ingest: IngestService,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    source = await started(tg, ingest, tmp_path)
    tg.download_flood = True
    await tg.push(tg.new(message(WATCHED, 8, "з картою", photo=12)))
    assert source.flood_waits == 1 and tg.downloads == [12, 12]
    assert len(await media_of(sessions, 8)) == 1


async def test_photo_that_cannot_be_fetched_delays_then_never_blocks_the_post(
    tg: FakeTelegram,
    ingest: IngestService,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    source = await started(tg, ingest, tmp_path)
    await tg.push(tg.new(message(WATCHED, 9, "фото зникло", photo=404)))
    assert await row(sessions, 9) is None  # not stored without its photo while it may come
    assert await source.reconcile_all() == 0  # second attempt fails too: logged, retried
    assert await source.reconcile_all() == 1  # third: given up, the post is kept without it
    assert await media_of(sessions, 9) == []
    # Each attempt fetches the message once more for a fresh file reference, in vain here.
    assert tg.downloads == [404] * 6 and tg.refetched == [9, 9, 9]


# -- reconciler -----------------------------------------------------------------------------
async def test_reconciler_recovers_missed_posts_once_and_waits_out_flood(
    tg: FakeTelegram,
    ingest: IngestService,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    source = await started(tg, ingest, tmp_path)
    await tg.push(tg.new(message(WATCHED, 1, "перший")))
    await tg.push(tg.new(message(WATCHED, 5, "п'ятий", photo=15)))  # 2..4 never pushed
    tg.history[WATCHED] += [
        message(WATCHED, 2, "другий", photo=13),
        message(WATCHED, 3, "", photo=11, grouped_id=8),
        message(WATCHED, 4, "альбом", photo=12, grouped_id=8),
        message(WATCHED, 6, "шостий"),
        types.MessageService(
            id=7,
            peer_id=types.PeerChannel(WATCHED),
            date=T0,
            action=types.MessageActionPinMessage(),
        ),
    ]
    tg.flood_after = 2
    before = time.monotonic()

    assert await source.reconcile_all() == 3  # 2, the album 3+4, 6
    assert time.monotonic() - before >= 1.0 and source.flood_waits == 1
    assert await source.reconcile_all() == 0

    async with sessions() as s:
        ids = sorted(p.message_id for p in await post_repo.recent(s, channel="kpszsu"))
    assert ids == [1, 2, 3, 5, 6]
    assert len(await media_of(sessions, 3)) == 2
    assert sorted(tg.downloads) == [11, 12, 13, 15]  # the live post's photo not fetched again


async def test_restart_catches_up_posts_published_while_stopped(
    tg: FakeTelegram,
    ingest: IngestService,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    first = await started(tg, ingest, tmp_path)
    await tg.push(tg.new(message(WATCHED, 1, "до зупинки")))
    await first.stop()
    assert tg.list_event_handlers() == []
    tg.history[WATCHED] += [
        message(WATCHED, 2, "під час простою", photo=11),
        message(WATCHED, 3, "теж"),
    ]

    second = await started(tg, ingest, tmp_path)
    stop = asyncio.Event()
    task = asyncio.create_task(second.run(stop))
    for _ in range(100):
        if await row(sessions, 3) is not None:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert await count(sessions, PostRow) == 3
    assert tg.downloads == [11]


async def test_first_start_takes_only_the_newest_posts(
    tg: FakeTelegram,
    ingest: IngestService,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    source = await started(tg, ingest, tmp_path, initial_posts=5)
    tg.history[WATCHED] = [message(WATCHED, i, f"post {i}") for i in range(1, 51)]
    assert await source.reconcile_all() == 5
    async with sessions() as s:
        ids = sorted(p.message_id for p in await post_repo.recent(s, channel="kpszsu"))
    assert ids == [46, 47, 48, 49, 50]
    tg.history[WATCHED].append(message(WATCHED, 51, "next"))
    assert await source.reconcile_all() == 1


async def test_backfill_from_date_with_progress(
    tg: FakeTelegram,
    ingest: IngestService,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    source = TelethonSource(tg, [], ingest, MediaStore(tmp_path / "media"), 60, flood_jitter=0.01)
    tg.history[OTHER] = [message(OTHER, i, f"post {i}", minutes=i) for i in range(1, 31)]
    steps: list[int] = []
    new = await source.backfill("other", T0 + timedelta(minutes=6), steps.append)
    assert new == 25 and sum(steps) == 25 and len(steps) == 2
    assert await source.backfill("other", T0 + timedelta(minutes=6)) == 0
    assert tg.joined == []  # backfilling a channel does not join it


# -- conversion and login -------------------------------------------------------------------
def test_convert_plain_message_is_tz_aware_raw_text() -> None:
    naive = types.Message(
        id=3,
        peer_id=types.PeerChannel(WATCHED),
        date=datetime(2025, 1, 1, 12, 0),
        message="**not markdown**",
    )
    post = conv.to_post(naive, "@KPSZSU")
    assert post.channel == "kpszsu" and post.date.tzinfo is not None
    assert post.text == "**not markdown**" and post.forward is None


def test_make_client_writes_owner_only_sqlite_session(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "dozor"
    client = make_client(path, 1, "x")
    try:
        target = session_file(path)
        assert target.name == "dozor.session" and target.exists()
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
        assert not client.is_connected()
        assert type(client.session).__name__ == "SQLiteSession"
    finally:
        client.session.close()


def with_ref(msg: types.Message, ref: bytes) -> types.Message:
    photo = msg.media.photo
    fresh = types.Message(
        id=msg.id,
        peer_id=msg.peer_id,
        date=msg.date,
        message=msg.message,
        post=True,
        media=types.MessageMediaPhoto(
            photo=types.Photo(
                id=photo.id,
                access_hash=photo.access_hash,
                file_reference=ref,
                date=photo.date,
                sizes=photo.sizes,
                dc_id=photo.dc_id,
            )
        ),
        grouped_id=msg.grouped_id,
    )
    return fresh


async def test_backfill_streams_on_past_photos_that_fail(
    tg: FakeTelegram,
    ingest: IngestService,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    source = TelethonSource(
        tg, [], ingest, MediaStore(tmp_path / "media"), 60, flood_jitter=0.01, media_retry_delay=0.0
    )
    history = [message(OTHER, i, f"post {i}", minutes=i) for i in range(1, 61)]
    history[4] = message(OTHER, 5, "gone for good", photo=404, minutes=5)
    history[9] = message(OTHER, 10, "one transient error", photo=11, minutes=10)
    history[19] = with_ref(message(OTHER, 20, "stale reference", photo=12, minutes=20), b"old")
    history[29] = message(OTHER, 30, "", photo=13, grouped_id=77, minutes=30)
    history[30] = message(
        OTHER, 31, "album, one photo broken", photo=999, grouped_id=77, minutes=30
    )
    history[31] = message(OTHER, 32, "", photo=14, grouped_id=77, minutes=30)
    tg.history[OTHER] = history
    tg.download_errors[11] = [OSError("connection reset")]
    tg.expired_refs.add(b"old")
    tg.fresh[20] = with_ref(history[19], b"new")
    tg.flood_after = 25  # a flood wait mid-stream resumes where it stopped

    steps: list[int] = []
    new = await source.backfill("other", T0, steps.append)

    assert new == 58 and sum(steps) == 58  # 60 messages, the album's 3 items one post
    assert steps[0] == 20  # handed over while the history still streams
    assert source.flood_waits == 1

    async def stored(mid: int) -> PostRow:
        async with sessions() as s:
            r = await post_repo.get_by_ref(s, "other", mid)
            assert r is not None
            return r

    assert (await stored(5)).media_links == []  # given up after 3 attempts, text kept
    assert tg.downloads.count(404) == 6 and tg.refetched.count(5) == 3
    assert len((await stored(10)).media_links) == 1  # retried after the transient error
    assert len((await stored(20)).media_links) == 1  # re-fetched once, then downloaded
    assert tg.refetched.count(20) == 1
    album = await stored(30)
    assert album.text == "album, one photo broken" and len(album.media_links) == 2
    assert (await stored(60)).text == "post 60"
    assert dict(source.media.failures) == {("other", 5): 3, ("other", 31): 3}
