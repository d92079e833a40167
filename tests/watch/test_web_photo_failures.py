"""A photo that never loads must not stall its channel: given up after a few failed polls."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.errors import SourceError
from bot.media import MediaStore
from bot.watch.web import WebSource
from tests.tme import FakeTme
from tests.watch.test_web_source import MemorySink

RETRIES = 2  # each poll asks for a 5xx photo RETRIES + 1 times


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
    tme: FakeTme, sink: MemorySink, store: MediaStore, http: aiohttp.ClientSession
) -> WebSource:
    return WebSource(
        tme.base_url,
        ["chan"],
        sink,
        store,
        http,
        0.05,
        page_delay=0.0,
        retries=RETRIES,
        retry_base=0.001,
        jitter=0.0,
    )


async def test_persistent_5xx_photo_is_given_up_after_three_polls(tme, http, store) -> None:
    tme.publish("chan", "before")
    photo_id = tme.publish("chan", "with photo", photos=[tme.add_image("bad")])
    tme.publish("chan", "after")
    tme.fail_image("bad", 500)
    sink = MemorySink()
    src = make_source(tme, sink, store, http)

    for poll in (1, 2):
        with pytest.raises(SourceError):
            await src.poll_once("chan")
        assert sink.posts == {}, f"poll {poll} stored a post without its photo too early"
        assert tme.image_requests["bad"] == poll * (RETRIES + 1)

    assert await src.poll_once("chan") == 3
    post = sink.posts[("chan", photo_id)]
    assert post.text == "with photo"
    assert post.media == ()
    assert ("photo_unavailable", tme.image_url("bad")) in post.extra
    # Handed over: later polls neither fail nor ask for the photo again.
    requests = tme.image_requests["bad"]
    assert await src.poll_once("chan") == 0
    assert tme.image_requests["bad"] == requests


async def test_non_404_4xx_photo_is_given_up_after_three_polls(tme, http, store) -> None:
    photo_id = tme.publish("chan", "forbidden-ish", photos=[tme.add_image("denied")])
    tme.fail_image("denied", 401)
    sink = MemorySink()
    src = make_source(tme, sink, store, http)
    for _ in range(2):
        with pytest.raises(SourceError):
            await src.poll_once("chan")
    assert await src.poll_once("chan") == 1
    # A 4xx is not worth retrying within a poll: one request per poll.
    assert tme.image_requests["denied"] == 3
    post = sink.posts[("chan", photo_id)]
    assert post.media == ()
    assert ("photo_unavailable", tme.image_url("denied")) in post.extra


async def test_photo_that_recovers_is_stored_and_its_count_reset(tme, http, store) -> None:
    photo_id = tme.publish("chan", "slow cdn", photos=[tme.add_image("flaky")])
    sink = MemorySink()
    src = make_source(tme, sink, store, http)
    # Two failed polls, then the CDN answers again: the photo is kept, not given up.
    tme.fail_image("flaky", 503, times=2 * (RETRIES + 1))
    for _ in range(2):
        with pytest.raises(SourceError):
            await src.poll_once("chan")
    assert await src.poll_once("chan") == 1
    post = sink.posts[("chan", photo_id)]
    assert len(post.media) == 1 and post.extra == ()
    assert store.path_of(post.media[0]).read_bytes() == tme.images["flaky"]

    # The success cleared the count: a later failure of another post starts again from one.
    second = tme.publish("chan", "second", photos=[tme.add_image("flaky2")])
    tme.fail_image("flaky2", 500)
    with pytest.raises(SourceError):
        await src.poll_once("chan")
    assert ("chan", second) not in sink.posts


async def test_album_keeps_its_good_photos_when_one_is_given_up(tme, http, store) -> None:
    keys = [
        tme.add_image(k, color=c)
        for k, c in (("a1", (1, 2, 3)), ("a2", (4, 5, 6)), ("a3", (7, 8, 9)))
    ]
    album_id = tme.publish("chan", "album", photos=keys)
    tme.fail_image("a2", 502)
    sink = MemorySink()
    src = make_source(tme, sink, store, http)
    for _ in range(2):
        with pytest.raises(SourceError):
            await src.poll_once("chan")
    assert await src.poll_once("chan") == 1
    post = sink.posts[("chan", album_id)]
    assert [store.path_of(m).read_bytes() for m in post.media] == [
        tme.images["a1"],
        tme.images["a3"],
    ]
    assert post.extra == (("photo_unavailable", tme.image_url("a2")),)
