"""What a send's outcome does to its row: the "sent" mark, or what Telegram's refusal (or its
silence) means for the row, the chat and everyone else.

Only Telegram's answers count towards ``MAX_ATTEMPTS``: a 429 waits as told, a chat that is
gone (403, or a 400 "chat not found") is deactivated with its queue, a migrated chat's rows
follow it, a 400 fails the row, a 5xx is an attempt. No answer at all is never the row's
fault: refused or reset is a Bot API outage (``Outage``), a send that hung moves its chat to
the narrow lane (``Lanes``) and backs off on its own.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.deliver.health import DeliveryStats, Outage
from bot.deliver.marks import SentMarks
from bot.deliver.pacing import Pacer
from bot.errors import ChatGone, ChatMoved, DeliveryError, RateLimited, Rejected, Unreachable
from bot.ops.metrics import Metrics
from storage.repos import chats as chat_repo
from storage.repos import outbox
from storage.repos.outbox import Claimed
from storage.types import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # answers from Telegram (5xx) before a row is given up; transport never counts
SLOW_FOR = 600.0  # seconds a chat whose send hung stays in the narrow lane (unless it answers)
HANG_CAP = 60.0  # the longest back-off of a chat whose sends hang


class Lanes:
    """Which chats hang (their sends go through the narrow lane) and which are gone."""

    def __init__(self) -> None:
        self._slow: dict[int, float] = {}  # chat id -> monotonic time it leaves the slow lane
        self._hangs: dict[int, int] = {}  # chat id -> sends in a row that hung
        self._gone: dict[int, str] = {}  # chat id -> "blocked" | "migrated", seen here

    def slow(self, chat_id: int) -> bool:
        return self._slow.get(chat_id, 0.0) > time.monotonic()

    def hung(self, chat_id: int) -> int:
        """Count one more hang of the chat's sends; returns how many in a row."""
        hangs = self._hangs[chat_id] = self._hangs.get(chat_id, 0) + 1
        self._slow[chat_id] = time.monotonic() + SLOW_FOR
        return hangs

    def answered(self, chat_id: int) -> None:
        self._slow.pop(chat_id, None)
        self._hangs.pop(chat_id, None)

    def gone(self, chat_id: int) -> str | None:
        return self._gone.get(chat_id)

    def mark_gone(self, chat_id: int, why: str) -> None:
        self._gone[chat_id] = why

    def back(self, chat_id: int) -> None:
        """The chat is active again under this id (e.g. it sent /start again)."""
        self._gone.pop(chat_id, None)


class Outcomes:
    """Records each send's outcome in the row (one short transaction each)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        worker: str,
        pacer: Pacer,
        *,
        api: Outage,
        marks: SentMarks,
        lanes: Lanes,
        stats: DeliveryStats,
        metrics: Metrics,
        backoff_base: float,
        wake: Callable[[], None],
    ) -> None:
        self.sessions = sessions
        self.worker = worker
        self.pacer = pacer
        self.api = api
        self.marks = marks
        self.lanes = lanes
        self.stats = stats
        self.metrics = metrics
        self.backoff_base = backoff_base
        self.wake = wake

    async def record(self, item: Claimed, outcome: int | DeliveryError) -> None:
        if isinstance(outcome, DeliveryError):
            await self._failed(item, outcome)
            return
        # Telegram has it: the mark comes first, before any bookkeeping that could fail.
        await self.marks.mark(item.id, outcome)
        self.stats.sent += 1
        self.metrics.alert_sent()
        log.info(
            "alert delivered: alert %s to chat %s (delivery %s, message %s)",
            item.alert_id,
            item.chat_id,
            item.id,
            outcome,
        )
        self.api.ok()
        self.lanes.answered(item.chat_id)

    async def finish(self, item: Claimed, status: str, error: str) -> None:
        async with self.sessions() as session, session.begin():
            await outbox.finish(session, item.id, status, error)
        if status == outbox.FAILED:
            self.stats.failed += 1
        else:
            self.stats.dropped += 1

    async def hand_back(self, item: Claimed, seconds: float) -> None:
        self.stats.handed_back += 1
        async with self.sessions() as session, session.begin():
            await outbox.release(
                session, item.id, self.worker, at=utcnow() + timedelta(seconds=seconds)
            )

    async def _failed(self, item: Claimed, exc: DeliveryError) -> None:
        if isinstance(exc, RateLimited):
            self.stats.rate_limited += 1
            self.metrics.rate_limited()
            self.api.ok()
            self.pacer.block(item.chat_id, exc.retry_after)
            log.warning("429 for chat %s: retry after %gs", item.chat_id, exc.retry_after)
            await self.retry(item, exc.retry_after, str(exc), count_attempt=False)
        elif isinstance(exc, ChatGone):
            self.api.ok()
            log.info("chat %s is out of reach (%s): deactivating", item.chat_id, exc)
            self.lanes.mark_gone(item.chat_id, "blocked")
            async with self.sessions() as session, session.begin():
                await chat_repo.deactivate(session, item.chat_id)
                await outbox.drop_for_chat(session, item.chat_id, str(exc))
            self.stats.dropped += 1
        elif isinstance(exc, ChatMoved):
            self.api.ok()
            log.info("chat %s migrated to %s", item.chat_id, exc.new_chat_id)
            self.lanes.mark_gone(item.chat_id, "migrated")
            async with self.sessions() as session, session.begin():
                await chat_repo.migrate(session, item.chat_id, exc.new_chat_id)
                await outbox.reschedule(
                    session, item.id, at=utcnow(), error="migrated", count_attempt=False
                )
            self.wake()
        elif isinstance(exc, Rejected):
            self.api.ok()
            log.warning("delivery %s rejected: %s", item.id, exc)
            await self.finish(item, outbox.FAILED, str(exc))
        elif isinstance(exc, Unreachable) and exc.timed_out:
            # No answer in time: this chat hangs (or Telegram does, for everyone). Either
            # way it moves to the narrow lane and backs off on its own, without an attempt.
            self.stats.unreachable += 1
            hangs = self.lanes.hung(item.chat_id)
            delay = min(HANG_CAP, self.backoff_base * 2 ** min(hangs - 1, 16))
            log.info("chat %s: send hung (%d in a row), retry in %gs", item.chat_id, hangs, delay)
            await self.retry(item, delay, str(exc), count_attempt=False)
        elif isinstance(exc, Unreachable):
            # Refused or reset: the Bot API is down. An outage, not this row's failure.
            self.stats.unreachable += 1
            await self.retry(item, self.api.failed(exc), str(exc), count_attempt=False)
        else:  # ServerError: Telegram answered 5xx; that counts as an attempt
            self.stats.server_errors += 1
            self.api.ok()
            await self.retry(item, self.backoff(item.attempts), str(exc))

    async def retry(
        self, item: Claimed, seconds: float, error: str, *, count_attempt: bool = True
    ) -> None:
        self.metrics.retried()
        async with self.sessions() as session, session.begin():
            if count_attempt and item.attempts >= MAX_ATTEMPTS:
                await outbox.finish(session, item.id, outbox.FAILED, f"gave up: {error}")
                self.stats.failed += 1
            else:
                await outbox.reschedule(
                    session,
                    item.id,
                    at=utcnow() + timedelta(seconds=seconds),
                    error=error,
                    count_attempt=count_attempt,
                )

    def backoff(self, attempts: int) -> float:
        """Exponential: base, 2·base, 4·base … capped at five minutes."""
        exponent = min(max(0, attempts - 1), 16)
        return float(min(300.0, self.backoff_base * 2**exponent))
