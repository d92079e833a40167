"""The web preview source tells source health each poll's outcome: a page that parses but holds
no posts where posts were stored before is markup drift (a failure); a failing server degrades
the channel; good polls bring it back. Real t.me server, real database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.errors import MalformedSourceError, MarkupDriftError
from bot.ingest import IngestService
from bot.matching import SubscriptionMatcher
from bot.media import MediaStore
from bot.ops.metrics import Metrics
from bot.ops.sources import SourceHealthTracker
from bot.services.sources import Source, SourceService
from bot.watch.web import WebSource
from tests.tme import FakeTme


async def _until(condition: Callable[[], Awaitable[bool]], seconds: float = 30) -> None:
    async with asyncio.timeout(seconds):
        while not await condition():  # noqa: ASYNC110 - the state is in the database
            await asyncio.sleep(0.05)


async def test_markup_drift_and_outages_move_the_channel_state(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    ingest = IngestService(sessions, SubscriptionMatcher())
    tracker = SourceHealthTracker(sessions, Metrics(), degraded_after=2, dead_after=50)
    services = SourceService(sessions)

    async def source() -> Source:
        found = [s for s in await services.all() if s.channel == "chan"]
        return found[0] if found else Source("chan", None, True, 0, state="unseen")

    async with FakeTme() as tme, aiohttp.ClientSession() as http:
        for n in range(3):
            tme.publish("chan", f"post {n}")
        web = WebSource(
            tme.base_url,
            ["chan"],
            ingest,
            MediaStore(tmp_path / "media"),
            http,
            0.05,
            page_delay=0,
            retry_base=0.01,
            jitter=0,
            monitor=tracker,
        )
        stop = asyncio.Event()
        task = asyncio.create_task(web.run(stop))
        try:

            async def ok_with_posts() -> bool:
                s = await source()
                return s.state == "ok" and s.last_post_at is not None

            await _until(ok_with_posts)

            tme.markup_drift = True

            async def drifted() -> bool:
                s = await source()
                return s.state == "degraded"

            await _until(drifted)
            s = await source()
            assert s.last_error is not None and s.last_error.startswith("markup drift")
            assert "yields no posts" in s.last_error

            tme.markup_drift = False

            async def recovered() -> bool:
                return (await source()).state == "ok"

            await _until(recovered)

            tme.fail_next(503, count=100, retry_after=None)

            async def failing() -> bool:
                s = await source()
                return s.state == "degraded" and "HTTP 503" in (s.last_error or "")

            await _until(failing)
        finally:
            stop.set()
            await task


async def test_an_empty_page_of_a_channel_without_posts_is_not_drift(tmp_path: Path) -> None:
    """A channel with nothing stored yet may well be empty: only a channel that had posts
    drifts."""

    class Sink:
        async def last_id(self, channel: str) -> int:
            return self.last

        async def new_posts(self, posts: object) -> int:
            return 0

        last = 0

    sink = Sink()
    async with FakeTme() as tme, aiohttp.ClientSession() as http:
        tme.publish("quiet", "x")
        tme.markup_drift = True
        web = WebSource(tme.base_url, ["quiet"], sink, MediaStore(tmp_path), http, page_delay=0)  # type: ignore[arg-type]
        assert await web.poll_once("quiet") == 0
        sink.last = 1
        try:
            await web.poll_once("quiet")
        except MarkupDriftError as exc:
            assert "t.me/s/quiet" in str(exc)
        else:
            raise AssertionError("drift not flagged")


async def test_renamed_classes_are_markup_drift_at_once_without_refetching(
    tmp_path: Path,
) -> None:
    """t.me renames its classes: the page arrives whole (200, complete) yet holds no message
    blocks. For a channel with stored posts that is markup drift, raised on the first fetch:
    fetching the same markup five more times per poll would not change it."""

    class Sink:
        last = 0

        async def last_id(self, channel: str) -> int:
            return self.last

        async def new_posts(self, posts: object) -> int:
            return 0

    sink = Sink()
    async with FakeTme() as tme, aiohttp.ClientSession() as http:
        tme.publish("renamed", "x")
        tme.class_rename = True
        web = WebSource(
            tme.base_url,
            ["renamed"],
            sink,
            MediaStore(tmp_path),
            http,
            page_delay=0,  # type: ignore[arg-type]
        )
        with pytest.raises(MalformedSourceError) as nothing_stored:
            await web.poll_once("renamed")
        assert not isinstance(nothing_stored.value, MarkupDriftError)
        assert tme.page_requests["renamed"] == 1
        sink.last = 1
        with pytest.raises(MarkupDriftError, match="no message blocks"):
            await web.poll_once("renamed")
        assert tme.page_requests["renamed"] == 2


async def test_a_cut_off_page_without_blocks_is_still_retried(tmp_path: Path) -> None:
    """Only a complete page is taken as drift: a page cut off before its end is fetched
    again (the network, not the markup)."""

    class Sink:
        async def last_id(self, channel: str) -> int:
            return 1

        async def new_posts(self, posts: object) -> int:
            return 0

    async with FakeTme() as tme, aiohttp.ClientSession() as http:
        tme.publish("chan", "x")
        tme.serve_garbage_next(1)
        web = WebSource(
            tme.base_url,
            ["chan"],
            Sink(),
            MediaStore(tmp_path),
            http,
            page_delay=0,
            retry_base=0.01,  # type: ignore[arg-type]
        )
        await web.poll_once("chan")
        assert tme.page_requests["chan"] == 2
