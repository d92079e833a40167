"""The web-preview poller against the loopback t.me server."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.core.post import Post
from bot.errors import SourceError
from bot.media import MediaStore
from bot.watch.web import WebSource
from bot.watch.web_http import USER_AGENT
from tests.tme import FakeTme, png_bytes


class MemorySink:
    """A ``PostSink`` in memory, with the same dedupe and edit rules as the real one."""

    def __init__(self) -> None:
        self.posts: dict[tuple[str, int], Post] = {}
        self.arrivals: list[tuple[str, int]] = []  # every new post, in the order it came
        self.edits: list[Post] = []
        self.calls = 0
        self.fail_after: int | None = None  # simulate a crash after storing this many posts

    async def new_posts(self, posts: Sequence[Post]) -> int:
        self.calls += 1
        new = 0
        for post in posts:
            if self.fail_after is not None and len(self.arrivals) >= self.fail_after:
                raise RuntimeError("simulated crash")
            key = (post.channel, post.id)
            old = self.posts.get(key)
            if old is None:
                self.posts[key] = post
                self.arrivals.append(key)
                new += 1
            elif old.text != post.text or old.edit_date != post.edit_date:
                self.edits.append(post)
                self.posts[key] = post
        return new

    async def edited(self, post: Post) -> None:
        await self.new_posts([post])

    async def deleted(self, channel: str, ids: Sequence[int], when: datetime) -> None:
        raise AssertionError("the web source reports no deletions")

    async def last_id(self, channel: str) -> int:
        return max((i for c, i in self.posts if c == channel), default=0)

    def ids(self, channel: str) -> list[int]:
        return sorted(i for c, i in self.posts if c == channel)


@pytest.fixture
async def tme() -> AsyncIterator[FakeTme]:
    async with FakeTme() as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media")


def make_source(
    tme: FakeTme,
    sink: MemorySink,
    store: MediaStore,
    http: aiohttp.ClientSession,
    channels: Sequence[str] = ("chan",),
    **kw: float,
) -> WebSource:
    kw.setdefault("page_delay", 0.0)
    kw.setdefault("retry_base", 0.01)
    kw.setdefault("jitter", 0.0)
    return WebSource(tme.base_url, list(channels), sink, store, http, 0.05, **kw)  # type: ignore[arg-type]


def publish_many(
    tme: FakeTme, count: int, channel: str = "chan", prefix: str = "post"
) -> list[int]:
    return [tme.publish(channel, f"{prefix} {i}") for i in range(count)]


def assert_exactly_once(sink: MemorySink) -> None:
    assert len(sink.arrivals) == len(set(sink.arrivals))


async def test_first_poll_takes_only_the_newest_page(tme, http, store) -> None:
    ids = publish_many(tme, 45)
    sink = MemorySink()
    src = make_source(tme, sink, store, http)
    assert await src.poll_once("chan") == 20
    assert sink.ids("chan") == ids[-20:]
    assert tme.requests == ["/s/chan"]
    # Nothing new: one request, nothing stored twice, the unchanged page not re-sent.
    calls = sink.calls
    assert await src.poll_once("chan") == 0
    assert tme.page_requests["chan"] == 2
    assert sink.calls == calls
    # A new process does re-send the page (the sink dedupes it).
    assert await make_source(tme, sink, store, http).poll_once("chan") == 0
    assert sink.calls > calls
    assert tme.user_agents[USER_AGENT] == 3
    post = sink.posts[("chan", ids[-1])]
    assert post.text == "post 44" and post.date.tzinfo is not None and post.views == 1200


async def test_gap_after_restart_arrives_once_in_order(tme, http, store) -> None:
    publish_many(tme, 5)
    sink = MemorySink()
    await make_source(tme, sink, store, http).poll_once("chan")
    assert sink.ids("chan") == [1, 2, 3, 4, 5]

    # The watcher is stopped; the channel goes on: 70 posts, an album, a burnt id range.
    gap = publish_many(tme, 30, prefix="gap")
    tme.skip_ids("chan", 3)
    tme.add_image("g1"), tme.add_image("g2", color=(0, 90, 200))
    album = tme.publish("chan", "album", photos=["g1", "g2"])
    gap += [album, *publish_many(tme, 40, prefix="late")]

    tme.requests.clear()
    restarted = make_source(tme, sink, store, http)  # a new process: no memory but the sink
    new = await restarted.poll_once("chan")
    assert new == len(gap) == 71
    assert sink.ids("chan") == [1, 2, 3, 4, 5, *gap]
    assert sink.arrivals[5:] == [("chan", i) for i in gap]  # ascending order
    assert_exactly_once(sink)
    assert len(tme.requests) >= 4 and all("before=" in r for r in tme.requests[1:])
    assert sink.posts[("chan", album)].grouped_id == album

    # Polling again changes nothing.
    assert await restarted.poll_once("chan") == 0
    assert_exactly_once(sink)


async def test_crash_mid_catch_up_loses_nothing(tme, http, store) -> None:
    publish_many(tme, 3)
    sink = MemorySink()
    await make_source(tme, sink, store, http).poll_once("chan")
    publish_many(tme, 90, prefix="gap")

    sink.fail_after = 3 + 37  # dies part-way through handing over the catch-up
    with pytest.raises(RuntimeError):
        await make_source(tme, sink, store, http).poll_once("chan")
    assert sink.ids("chan") == list(range(1, 41))  # a contiguous prefix, never a jump ahead

    sink.fail_after = None
    assert await make_source(tme, sink, store, http).poll_once("chan") == 53
    assert sink.ids("chan") == list(range(1, 94))
    assert_exactly_once(sink)


async def test_catch_up_pages_past_a_page_without_posts(tme, http, store) -> None:
    publish_many(tme, 3)
    sink = MemorySink()
    await make_source(tme, sink, store, http).poll_once("chan")
    gap = publish_many(tme, 30, prefix="gap")
    for _ in range(25):  # the whole newest page is service messages, which are not posts
        tme.publish("chan", "Channel photo updated", service=True)
    assert await make_source(tme, sink, store, http).poll_once("chan") == 30
    assert sink.ids("chan") == [1, 2, 3, *gap]


async def test_photos_are_downloaded_into_the_store(tme, http, store) -> None:
    data = png_bytes(120, 80, (10, 200, 10))
    tme.add_image("map", data)
    tme.add_image("a", png_bytes(30, 20, (1, 2, 3)))
    tme.add_image("b", png_bytes(40, 50, (4, 5, 6)))
    one = tme.publish("chan", "карта", photos=["map"])
    album = tme.publish("chan", "альбом", photos=["a", "b"])
    sink = MemorySink()
    await make_source(tme, sink, store, http).poll_once("chan")

    (mf,) = sink.posts[("chan", one)].media
    assert mf.sha256 == hashlib.sha256(data).hexdigest()
    assert (mf.width, mf.height, mf.mime, mf.size) == (120, 80, "image/png", len(data))
    assert store.path_of(mf).read_bytes() == data
    album_post = sink.posts[("chan", album)]
    assert [(m.width, m.height) for m in album_post.media] == [(30, 20), (40, 50)]
    assert album_post.grouped_id == album
    assert all(store.path_of(m).is_file() for m in album_post.media)


async def test_same_image_twice_is_stored_once(tme, http, store) -> None:
    data = png_bytes(64, 64, (250, 250, 0))
    tme.add_image("first", data)
    tme.add_image("again", data)  # another URL, same bytes: a map posted again
    a = tme.publish("chan", "map", photos=["first"])
    b = tme.publish("chan", "map again", photos=["again"])
    sink = MemorySink()
    src = make_source(tme, sink, store, http)
    await src.poll_once("chan")
    assert sink.posts[("chan", a)].media == sink.posts[("chan", b)].media
    files = [p for p in store.root.rglob("*") if p.is_file()]
    assert len(files) == 1
    # Later polls reuse what was downloaded instead of fetching it every minute.
    await src.poll_once("chan")
    assert tme.image_requests == {"first": 1, "again": 1}


async def test_photo_gone_for_good_keeps_the_post(tme, http, store, caplog) -> None:
    pid = tme.publish("chan", "лишився текст", photos=["never-registered"])
    sink = MemorySink()
    with caplog.at_level(logging.WARNING):
        assert await make_source(tme, sink, store, http).poll_once("chan") == 1
    post = sink.posts[("chan", pid)]
    assert post.media == () and post.text == "лишився текст"
    assert ("photo_unavailable", tme.image_url("never-registered")) in post.extra


async def test_edit_on_the_page_reaches_the_sink(tme, http, store) -> None:
    pid = tme.publish("chan", "Збито 10 цілей")
    sink = MemorySink()
    src = make_source(tme, sink, store, http)
    await src.poll_once("chan")
    tme.edit("chan", pid, "Збито 12 цілей")
    assert await src.poll_once("chan") == 0
    assert [p.text for p in sink.edits] == ["Збито 12 цілей"]
    assert sink.edits[0].edit_date is not None
    await src.poll_once("chan")  # unchanged since: no second edit
    assert len(sink.edits) == 1


async def test_truncated_page_is_fetched_again(tme, http, store, caplog) -> None:
    publish_many(tme, 2)
    sink = MemorySink()
    await make_source(tme, sink, store, http).poll_once("chan")
    publish_many(tme, 50, prefix="gap")
    tme.truncate_next_page(2)
    # Retries within a poll are logged at DEBUG: the poll's outcome is the WARNING, once per
    # outage (see test_watch_outages_log).
    with caplog.at_level(logging.DEBUG, logger="bot.watch"):
        assert await make_source(tme, sink, store, http).poll_once("chan") == 50
    assert sink.ids("chan") == list(range(1, 53))
    assert_exactly_once(sink)
    assert any("cut off" in r.getMessage() for r in caplog.records)


async def test_garbage_and_rate_limits_are_retried(tme, http, store, caplog) -> None:
    publish_many(tme, 3)
    tme.serve_garbage_next()
    tme.fail_next(429, retry_after="0")
    tme.fail_next(502, retry_after=None)
    sink = MemorySink()
    with caplog.at_level(logging.DEBUG, logger="bot.watch"):
        assert await make_source(tme, sink, store, http).poll_once("chan") == 3
    assert tme.page_requests["chan"] == 4
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "HTTP 429" in messages and "HTTP 502" in messages and "no message blocks" in messages


async def test_persistent_failure_raises_source_error(tme, http, store) -> None:
    publish_many(tme, 1)
    tme.fail_next(503, count=10)
    with pytest.raises(SourceError):
        await make_source(tme, MemorySink(), store, http, retries=2).poll_once("chan")
    assert tme.page_requests["chan"] == 3


async def test_unknown_channel_is_a_source_error(tme, http, store) -> None:
    with pytest.raises(SourceError, match="302"):
        await make_source(tme, MemorySink(), store, http).poll_once("nosuchchannel")


async def test_backfill_since(tme, http, store) -> None:
    start = datetime(2026, 9, 1, tzinfo=UTC)
    for i in range(130):
        tme.publish("chan", f"day post {i}", date=start + timedelta(hours=6 * i))
    since = start + timedelta(days=10)  # post 40 onwards
    sink = MemorySink()
    seen: list[int] = []
    src = make_source(tme, sink, store, http)
    assert await src.backfill("chan", since, seen.append) == 90
    assert sink.ids("chan") == list(range(41, 131))
    assert sum(seen) == 90
    assert_exactly_once(sink)
    assert all(sink.posts[("chan", i)].date >= since for i in sink.ids("chan"))
    # Backfill again, then poll: nothing new, nothing twice.
    assert await src.backfill("chan", since) == 0
    assert await src.poll_once("chan") == 0


async def test_backfill_to_the_channel_start(tme, http, store) -> None:
    publish_many(tme, 47)
    sink = MemorySink()
    src = make_source(tme, sink, store, http)
    assert await src.backfill("chan", datetime(2000, 1, 1, tzinfo=UTC)) == 47
    assert sink.ids("chan") == list(range(1, 48))


async def test_run_survives_failures_and_stops(tme, http, store, caplog) -> None:
    publish_many(tme, 3, channel="good")
    publish_many(tme, 2, channel="flaky")
    tme.fail_next(500, count=4)  # the first polls fail after their retries
    sink = MemorySink()
    src = make_source(tme, sink, store, http, channels=("flaky", "good", "missing"), retries=1)
    stop = asyncio.Event()
    with caplog.at_level(logging.WARNING, logger="bot.watch"):
        task = asyncio.create_task(src.run(stop))
        for _ in range(200):
            await asyncio.sleep(0.02)
            if len(sink.ids("good")) == 3 and len(sink.ids("flaky")) == 2:
                break
        tme.publish("good", "late news")
        for _ in range(200):
            await asyncio.sleep(0.02)
            if len(sink.ids("good")) == 4:
                break
        stop.set()
        await asyncio.wait_for(task, 2)
    assert sink.ids("good") == [1, 2, 3, 4] and sink.ids("flaky") == [1, 2]
    assert_exactly_once(sink)
    assert any("missing" in r.getMessage() for r in caplog.records)


async def test_with_the_real_ingest_service(tme, http, store, tmp_path) -> None:
    import bot.ingest as ingest
    from bot.matching import SubscriptionMatcher
    from storage.engine import make_engine, make_sessionmaker, upgrade_schema

    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'dozor.db'}")
    await upgrade_schema(engine)
    try:
        service = ingest.IngestService(make_sessionmaker(engine), SubscriptionMatcher())
        tme.add_image("m", png_bytes(20, 10))
        publish_many(tme, 4)
        tme.publish("chan", "з картою", photos=["m"])
        src = WebSource(tme.base_url, ["chan"], service, store, http, 0.05, page_delay=0)
        assert await src.poll_once("chan") == 5
        more = publish_many(tme, 45, prefix="gap")
        src = WebSource(tme.base_url, ["chan"], service, store, http, 0.05, page_delay=0)
        assert await src.poll_once("chan") == 45
        assert await service.last_id("chan") == more[-1]
        assert await src.poll_once("chan") == 0
    finally:
        await engine.dispose()


async def test_large_photos_arrive_whole(tme, http, store, tmp_path) -> None:
    """A photo bigger than one network chunk is stored complete, not cut at the buffer."""
    import hashlib
    import io

    from PIL import Image

    img = Image.effect_noise((900, 900), 64).convert("RGB")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    data = buf.getvalue()
    assert len(data) > 256 * 1024
    tme.add_image("big", data=data)
    tme.publish("bigchan", "map", photos=["big"])
    sink = MemorySink()
    source = WebSource(tme.base_url, ["bigchan"], sink, store, http, page_delay=0)
    await source.poll_once("bigchan")
    (post,) = sink.posts.values()
    (media,) = post.media
    assert media.size == len(data)
    assert media.sha256 == hashlib.sha256(data).hexdigest()
