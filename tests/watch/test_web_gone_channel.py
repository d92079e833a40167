"""A t.me channel that is gone for a while is retried with a wait capped at a few poll
intervals, not one that doubles towards ten minutes: its first post after it is back is
picked up within a few polls."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import aiohttp

from bot.media import MediaStore
from bot.watch.web import WebSource
from tests.tme import FakeTme
from tests.watch.test_web_source import MemorySink


async def _until(condition: Callable[[], bool], seconds: float) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)


async def test_a_gone_channel_is_retried_with_a_capped_wait(tmp_path: Path) -> None:
    sink = MemorySink()
    async with FakeTme() as tme, aiohttp.ClientSession() as http:
        # poll 0.05 s: the cap is 0.15 s. Doubling from 0.05 s uncapped, the 10th retry alone
        # would wait 51 s.
        source = WebSource(
            tme.base_url,
            ["late"],
            sink,  # type: ignore[arg-type]
            MediaStore(tmp_path / "media"),
            http,
            0.05,
            page_delay=0.0,
            retry_base=0.05,
            jitter=0.0,
        )
        stop = asyncio.Event()
        task = asyncio.create_task(source.run(stop))
        try:
            await _until(lambda: tme.page_requests["late"] >= 12, 10)
            assert tme.page_requests["late"] >= 12  # twelve failed polls, none waited long
            tme.publish("late", "Back again.")
            await _until(lambda: bool(sink.arrivals), 5)
        finally:
            stop.set()
            await asyncio.wait_for(task, 5)
    assert sink.arrivals == [("late", 1)]
