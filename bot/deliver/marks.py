"""The "sent" marks: written right after Telegram's answer, several at once when they queue.

**Group commit.** Marks that arrive while a mark write is under way wait for it and then go
together in the next one, a single statement in a single transaction. Each caller still
returns only once its own mark is durable (or kept here, below), so "the mark first, before
anything else" holds for every row; the one-write window is the same, and under load the
marks cost one transaction per round instead of one per message (on SQLite, one turn of the
write lock the ingest also needs).

**Marks the database refused.** Telegram accepted the message; the database refused the mark
(disk full, read-only file, a lock held too long). Sending again would repeat the alert, so
the mark is kept here and its *write* is retried, with the database's capped back-off, until
it lands. The dispatcher never claims a row that is waiting here. Only the process dying
loses these (the one-write window, see ``bot.deliver.dispatcher``).
"""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.deliver.health import DeliveryStats, Outage
from storage.repos import outbox

log = logging.getLogger(__name__)


class SentMarks:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        worker: str,
        db: Outage,
        stats: DeliveryStats,
    ) -> None:
        self.sessions = sessions
        self.worker = worker
        self.db = db
        self.stats = stats
        self._queued: dict[int, int] = {}  # row id -> message id, for the next group write
        self._writing = asyncio.Lock()  # one group write at a time; FIFO, so no one starves
        self._pending: dict[int, int] = {}  # row id -> Telegram's message id
        self._task: asyncio.Task[None] | None = None

    def __contains__(self, row_id: object) -> bool:
        return row_id in self._pending or row_id in self._queued

    def __len__(self) -> int:
        return len(self._pending)

    async def mark(self, row_id: int, message_id: int) -> None:
        """Write the mark now (with any others queued meanwhile); on failure keep it and
        retry in the background. Returns once it is written or kept."""
        self._queued[row_id] = message_id
        group: dict[int, int] = {}
        try:
            async with self._writing:
                if row_id not in self._queued:
                    return  # the write before ours took it along (written, or kept)
                group, self._queued = self._queued, {}
                async with self.sessions() as session, session.begin():
                    marked = await outbox.mark_sent_many(session, group, self.worker)
        except asyncio.CancelledError:
            # Stopping: whatever this call had not seen written is kept for ``flush``
            # (a mark that did land just finds its row no longer leased).
            self._keep(group or self._take(row_id))
            raise
        except Exception as exc:
            self.db.failed(exc)
            self._keep(group)
            return
        lost = sorted(set(group) - marked)
        if lost:
            log.warning("deliveries %s: lease lost before they were marked sent", lost)

    def _take(self, row_id: int) -> dict[int, int]:
        message_id = self._queued.pop(row_id, None)
        return {} if message_id is None else {row_id: message_id}

    def _keep(self, marks: dict[int, int]) -> None:
        if not marks:
            return
        self._pending.update(marks)
        self.stats.marks_pending = len(self._pending)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._retry(), name="sent-marks")

    async def _retry(self) -> None:
        while self._pending:
            await asyncio.sleep(max(self.db.remaining(), 0.05))
            await self.write()

    async def write(self) -> bool:
        """One try at writing every pending mark in one transaction."""
        pending = dict(self._pending)
        if not pending:
            return True
        try:
            async with self.sessions() as session, session.begin():
                marked = await outbox.mark_sent_many(session, pending, self.worker)
        except Exception as exc:
            self.db.failed(exc)
            return False
        self.db.ok()
        for row_id in pending:
            self._pending.pop(row_id, None)
        self.stats.marks_retried += len(pending)
        self.stats.marks_pending = len(self._pending)
        log.info("%d late 'sent' marks written", len(pending))
        lost = sorted(set(pending) - marked)
        if lost:
            log.warning("deliveries %s: lease lost before the late mark", lost)
        return True

    async def flush(self, deadline: float) -> None:
        """On stopping: keep trying until ``deadline`` (monotonic), then say what is left."""
        while self._pending and time.monotonic() < deadline:
            if not await self.write():
                await asyncio.sleep(min(0.5, max(0.0, deadline - time.monotonic())))
        if self._task is not None:
            self._task.cancel()
        if self._pending:
            log.error(
                "stopping with %d sent deliveries not marked sent (the database refused); "
                "they are inside the one-write window and may be sent again: %s",
                len(self._pending),
                sorted(self._pending),
            )
