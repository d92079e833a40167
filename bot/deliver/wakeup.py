"""Waking a separate ``dozor deliver`` process when rows are queued.

On PostgreSQL the transaction that creates an alert NOTIFYs ``dozor_outbox``
(``storage.repos.outbox.notify_workers``) and each worker LISTENs on a connection of its
own, so a new alert is picked up at once instead of at the next poll. Polling stays as the
fallback (SQLite, a lost listener connection, rows that become due later by ``not_before``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.repos.outbox import WAKE_CHANNEL

log = logging.getLogger(__name__)
RECONNECT_S = 5.0


async def listen_for_work(
    engine: AsyncEngine, wake: Callable[[], None], stop: asyncio.Event
) -> None:
    """Call ``wake`` on every notification until ``stop``; returns at once off PostgreSQL."""
    if engine.dialect.name != "postgresql":
        return
    while not stop.is_set():
        try:
            await _listen(engine, wake, stop)
        except Exception:  # the poll still finds the rows; try the listener again later
            log.warning("outbox listener lost; polling until it reconnects", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=RECONNECT_S)


async def _listen(engine: AsyncEngine, wake: Callable[[], None], stop: asyncio.Event) -> None:
    def on_notify(*_args: Any) -> None:
        wake()

    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection  # asyncpg's Connection
        assert driver is not None
        await driver.add_listener(WAKE_CHANNEL, on_notify)
        try:
            wake()  # rows queued while nobody listened
            await stop.wait()
        finally:
            with contextlib.suppress(Exception):
                await driver.remove_listener(WAKE_CHANNEL, on_notify)
