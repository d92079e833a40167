"""Telethon's FloodWaitError waited out, never dropped: slow is fine, a lost post is not."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telethon.errors import FloodWaitError

log = logging.getLogger("bot.watch.telethon_source")

T = TypeVar("T")


class FloodGuard:
    """Runs calls to Telegram, sleeping out each flood wait (plus jitter, so several
    watchers do not all come back in the same second) and counting them."""

    def __init__(self, jitter: float = 3.0, on_wait: Callable[[], None] | None = None) -> None:
        self.jitter = jitter
        self.on_wait = on_wait
        self.waits = 0

    async def call(self, call: Callable[[], Awaitable[T]]) -> T:
        while True:
            try:
                return await call()
            except FloodWaitError as exc:
                await self.wait(exc)

    async def wait(self, exc: FloodWaitError) -> None:
        delay = exc.seconds + random.uniform(0, self.jitter)
        self.waits += 1
        if self.on_wait is not None:
            self.on_wait()
        log.warning("telegram: flood wait of %ss requested; resuming in %.1fs", exc.seconds, delay)
        await asyncio.sleep(delay)
