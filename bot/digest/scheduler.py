"""APScheduler in the bot's event loop, its jobs rebuilt from our tables.

Nothing is kept in an APScheduler job store: the chats table is the truth. A refresh job
re-reads it every ``refresh_seconds`` and (re)places one date-triggered job per chat at its
next due instant (computed by ``bot.digest.schedule``, so DST is handled in one tested
place). The same refresh sends a digest missed while no scheduler ran (downtime, failover),
once: the digest_runs row decides.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.digest.batch import DigestBatch
from bot.digest.schedule import catch_up_slot, next_slot
from bot.digest.service import DigestService, chat_zone
from bot.ops.metrics import Metrics
from storage.repos import chats as chat_repo
from storage.repos import digest_reads
from storage.types import utcnow

log = logging.getLogger(__name__)

REFRESH_JOB = "digest-refresh"
# A digest more overdue than this is not sent late: after a long outage only the most recent
# day is caught up, and only if its time passed less than this long ago.
MAX_LATE = timedelta(hours=20)


def _job_id(chat_id: int) -> str:
    return f"digest:{chat_id}"


class DigestScheduler:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        service: DigestService,
        *,
        refresh_seconds: float = 60.0,
        max_late: timedelta = MAX_LATE,
        clock: Callable[[], datetime] = utcnow,
        metrics: Metrics | None = None,
    ) -> None:
        self.sessions = sessions
        self.metrics = metrics or Metrics()
        self.service = service
        self.refresh_seconds = refresh_seconds
        self.max_late = max_late
        self.clock = clock
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._lock = asyncio.Lock()  # a refresh and a chat's job never build the same digest
        self._batch = DigestBatch()

    def start(self) -> None:
        self.scheduler.start()
        self.scheduler.add_job(
            self.refresh,
            IntervalTrigger(seconds=self.refresh_seconds),
            id=REFRESH_JOB,
            next_run_time=datetime.now(UTC),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def planned(self) -> dict[int, datetime]:
        """Chat id -> when its next digest job fires (for tests and logs)."""
        out = {}
        for job in self.scheduler.get_jobs():
            if job.id.startswith("digest:") and job.next_run_time is not None:
                out[int(job.id.split(":", 1)[1])] = job.next_run_time
        return out

    async def refresh(self) -> None:
        try:
            await self._refresh()
        except Exception:  # the next refresh retries; the scheduler must keep running
            log.exception("digest refresh failed")

    async def _refresh(self) -> None:
        now = self.clock()
        async with self.sessions() as session:
            chats = await chat_repo.with_digest(session)
            recent = await digest_reads.runs_since(session, (now - timedelta(days=3)).date())
        # The chats due in the same window are read together, on the first of them to be
        # built: a digest hour of 10,000 chats is a few queries, not seven per chat.
        self._batch = batch = DigestBatch()
        missed_runs: list[tuple[int, date]] = []
        wanted = set()
        for chat in chats:
            assert chat.digest_time is not None
            tz = chat_zone(chat, self.service.default_tz)
            missed = catch_up_slot(
                now, chat.digest_time, tz, max_late=self.max_late, not_before=chat.created_at
            )
            if missed is not None and (chat.id, missed.day) not in recent:
                batch.expect([chat.id], missed.since, missed.until)
                missed_runs.append((chat.id, missed.day))
            upcoming = next_slot(now, chat.digest_time, tz)
            batch.expect([chat.id], upcoming.since, upcoming.until)
            wanted.add(_job_id(chat.id))
            self._place(chat.id, upcoming.due)
        for chat_id, day in missed_runs:
            await self._run(chat_id, day, batch)
        for job in self.scheduler.get_jobs():
            if job.id.startswith("digest:") and job.id not in wanted:
                job.remove()

    def _place(self, chat_id: int, due: datetime) -> None:
        job = self.scheduler.get_job(_job_id(chat_id))
        if job is None or job.next_run_time != due:
            self.scheduler.add_job(
                self._fire,
                DateTrigger(due),
                args=(chat_id,),
                id=_job_id(chat_id),
                replace_existing=True,
                misfire_grace_time=None,
                coalesce=True,
            )

    async def _fire(self, chat_id: int) -> None:
        """A chat's digest time came: send the digest due now (re-read: it may have moved),
        then place the chat's next job. A failure is retried by the next refresh."""
        try:
            async with self.sessions() as session:
                chat = await chat_repo.get(session, chat_id)
            if chat is None or not chat.active or chat.digest_time is None:
                return
            tz = chat_zone(chat, self.service.default_tz)
            now = self.clock()
            due = catch_up_slot(
                now, chat.digest_time, tz, max_late=self.max_late, not_before=chat.created_at
            )
            if due is not None:
                await self._run(chat.id, due.day, self._batch)
            self._place(chat.id, next_slot(self.clock(), chat.digest_time, tz).due)
        except Exception:
            log.exception("digest for chat %s failed; the next refresh retries", chat_id)

    async def _run(self, chat_id: int, day: date, batch: DigestBatch) -> None:
        async with self._lock:
            try:
                result = await self.service.run(chat_id, day, batch)
            except Exception:
                self.metrics.digest_run("failed")
                log.exception("digest for chat %s, %s failed", chat_id, day)
                return
            self.metrics.digest_run("ok")
            log.debug("digest for chat %s, %s: %s", chat_id, day, result)
