"""One digest scheduler among many processes: a PostgreSQL session advisory lock.

The lock lives as long as the connection that took it, on the server's side: when the
leader dies (even by kill -9) PostgreSQL closes its session and frees the lock, and a
standby polling ``pg_try_advisory_lock`` takes over. The leader checks its connection on the
same period and steps down when it is gone (its lock is gone with it). SQLite has one
process by construction, so it is always the leader.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.repos import locks

log = logging.getLogger(__name__)

# Any fixed 64-bit number, the same in every process: "dozor digest" in ASCII.
LOCK_KEY = 0x646F7A6F72_6467


class Leadership:
    def __init__(self, engine: AsyncEngine, key: int = LOCK_KEY) -> None:
        self.engine = engine
        self.key = key
        self._conn: AsyncConnection | None = None
        self.is_leader = False

    @property
    def uses_lock(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    async def try_acquire(self) -> bool:
        if not self.uses_lock:
            self.is_leader = True
            return True
        try:
            if self._conn is None:
                conn = await self.engine.connect()
                # Autocommit: the lock is session-level, and no transaction stays open idle.
                self._conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            got = await locks.try_lock(self._conn, self.key)
        except Exception as exc:
            log.warning("leader election: database unreachable (%s)", exc)
            await self._drop()
            return False
        self.is_leader = bool(got)
        return self.is_leader

    async def still_held(self) -> bool:
        """True while the lock's connection is alive (the lock cannot be lost otherwise)."""
        if not self.uses_lock:
            return True
        if self._conn is None or not self.is_leader:
            return False
        try:
            await locks.ping(self._conn)
        except Exception as exc:
            log.warning("leader election: lost the lock's connection (%s)", exc)
            await self._drop()
            return False
        return True

    async def release(self) -> None:
        if self._conn is not None and self.is_leader:
            with contextlib.suppress(Exception):
                await locks.unlock(self._conn, self.key)
        await self._drop()

    async def _drop(self) -> None:
        self.is_leader = False
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.invalidate()
            with contextlib.suppress(Exception):
                await conn.close()


async def sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def lead(
    leadership: Leadership,
    stop: asyncio.Event,
    start: Callable[[], Callable[[], None]],
    *,
    poll_seconds: float = 5.0,
) -> None:
    """Until ``stop``: wait to become leader, ``start()`` the work (it returns its stopper),
    and stop the work as soon as leadership is lost, then try again."""
    standing_by = False
    try:
        while not stop.is_set():
            if not await leadership.try_acquire():
                if not standing_by:
                    log.info("digest scheduler: standing by, another process leads")
                    standing_by = True
                await sleep_or_stop(stop, poll_seconds)
                continue
            standing_by = False
            log.info("digest scheduler: became leader")
            stop_work = start()
            try:
                while not stop.is_set() and await leadership.still_held():
                    await sleep_or_stop(stop, poll_seconds)
            finally:
                stop_work()
            if not stop.is_set():
                log.warning("digest scheduler: leadership lost, standing by")
    finally:
        await leadership.release()
