"""Outbox dispatcher: lease due deliveries, render per chat, pace, send, record the outcome.

Exactly once, but for one window. A row is sent only by the worker holding its lease, and
marked sent right after Telegram's answer, before anything else is done. The one way a message
goes out twice is the process dying (kill -9, power loss) after Telegram accepted the message
and before that one local write committed: the row's lease then expires and it is sent again.
That is the **one-write window**; nothing else repeats a send:

- a mark whose write fails (disk full, read-only file, lock held) is kept in memory and the
  *write* is retried until it lands; the row is never claimed again meanwhile, so never resent;
- transport failures (refused, reset, timed out: no answer from Telegram) never count towards
  ``MAX_ATTEMPTS``; only Telegram's answers do. The Bot API being down is an outage: one log
  line, deliveries held with capped back-off (``retry_cap``), one probe at a time, and the
  queue moves again within ``retry_cap`` seconds of recovery;
- a send that timed out may have reached Telegram (we cannot know), so retrying it may repeat
  it; that is the client-side face of the same window.

A chat's alerts go out in (priority, queue) order: the claim takes only the head of each
chat's queue (see ``outbox.claim_due``). Chats whose sends hang are moved to a narrow lane of
their own, so they cannot hold the slots every other chat needs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.alert import AlertKind
from bot.deliver.health import DeliveryStats, Outage
from bot.deliver.marks import SentMarks
from bot.deliver.pacing import Pacer, Permit
from bot.deliver.render import Rendered
from bot.deliver.renderers import Renderer, alert_renderers
from bot.errors import (
    ChatGone,
    ChatMoved,
    DeliveryError,
    RateLimited,
    Rejected,
    Unreachable,
)
from bot.ops.metrics import Metrics
from storage.models import Alert, Chat
from storage.repos import chats as chat_repo
from storage.repos import outbox
from storage.repos.outbox import ChatWindows, Claimed
from storage.types import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # answers from Telegram (5xx) before a row is given up; transport never counts
_DB_ERRORS = (SQLAlchemyError, OSError)
SLOW_FOR = 600.0  # seconds a chat whose send hung stays in the narrow lane (unless it answers)
HANG_CAP = 60.0  # the longest back-off of a chat whose sends hang


@dataclass(frozen=True, slots=True)
class _Job:
    item: Claimed
    alert: Alert | None
    chat: Chat | None


class Sender(Protocol):
    async def send(self, chat_id: int, thread_id: int, msg: Rendered) -> int:
        """Returns the message id; raises a ``bot.errors.DeliveryError``."""
        ...


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{id(object()):x}"


class Dispatcher:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        sender: Sender,
        pacer: Pacer,
        *,
        default_tz: str,
        renderers: Mapping[str, Renderer] | None = None,
        batch: int = 50,
        concurrency: int = 8,
        lease: timedelta = timedelta(seconds=60),
        idle_poll: float = 1.0,
        backoff_base: float = 1.0,
        retry_cap: float = 10.0,
        send_timeout: float = 30.0,
        max_hold: float = 2.0,
        stop_grace: float = 8.0,
        exclusive: ChatWindows | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        """``batch``: rows held at once (fewer when the global rate could not send them within
        a quarter of the lease). ``concurrency``: requests in flight at once; chats whose sends
        hang share a quarter of that on top, in a lane of their own. ``retry_cap``: the longest
        wait between tries while the Bot API or the database is down. ``send_timeout``: the
        most one send may take. ``max_hold``: a row whose chat must wait longer is handed back
        with that delay instead of being held. ``stop_grace``: how long stopping waits for
        sends under way. ``exclusive``: several processes share the outbox (see
        ``outbox.claim_due``)."""
        self.sessions = sessions
        self.sender = sender
        self.pacer = pacer
        self.default_tz = default_tz
        if renderers is None:  # tests and tools that build a bare dispatcher
            from bot.analysis.places import get_gazetteer

            renderers = alert_renderers(get_gazetteer)
        self.renderers = dict(renderers)
        self.lease = lease
        self.idle_poll = idle_poll
        self.backoff_base = backoff_base
        self.send_timeout = send_timeout
        self.max_hold = max_hold
        self.stop_grace = stop_grace
        self.exclusive = exclusive
        self.metrics = metrics or Metrics()
        # Rows wait in memory for the global budget; never hold more than can go out well
        # before their lease ends.
        sendable = pacer.limits.global_per_s * lease.total_seconds() / 4
        self.batch = max(1, min(batch, int(sendable)))
        self.worker = worker_name()
        self.stats = DeliveryStats()
        self.api = Outage("Bot API", base=min(backoff_base, retry_cap), cap=retry_cap)
        self.db = Outage("database", base=min(0.2, retry_cap), cap=retry_cap)
        self.api.on_start = lambda: _bump(self.stats, "api_outages")
        self.db.on_start = lambda: _bump(self.stats, "db_outages")
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(concurrency)
        self._slow_lane = asyncio.Semaphore(max(1, concurrency // 4))
        self._slow: dict[int, float] = {}  # chat id -> monotonic time it leaves the slow lane
        self._hangs: dict[int, int] = {}  # chat id -> sends in a row that hung
        self._held: dict[int, float] = {}  # row id -> monotonic time of its claim
        self._sending: set[int] = set()
        self.marks = SentMarks(sessions, self.worker, self.db, self.stats)
        self._gone: dict[int, str] = {}  # chat id -> "blocked" | "migrated", seen here

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Keep up to ``batch`` rows moving: claim more as soon as a quarter of them is done,
        so one slow chat never holds up the next batch."""
        tasks: dict[asyncio.Task[None], int] = {}

        def finished(task: asyncio.Task[None]) -> None:
            tasks.pop(task, None)
            if self.batch - len(tasks) >= max(1, self.batch // 4):
                self._wake.set()

        try:
            while not stop.is_set():
                self._wake.clear()
                paused = max(self.api.remaining(), self.db.remaining())
                room = self.batch - len(tasks)
                if self.api.active:
                    room = min(room, 1 - len(tasks))  # one probe at a time while it is down
                claimed: list[_Job] = []
                if not paused and (room >= max(1, self.batch // 4) or (room > 0 and not tasks)):
                    try:
                        claimed = await self._claim(room)
                    except Exception as exc:  # the database is down or locked: one log line
                        self.db.failed(exc)
                    else:
                        self.db.ok()
                for job in claimed:
                    task = asyncio.create_task(self._guarded(job))
                    tasks[task] = job.item.id
                    task.add_done_callback(finished)
                if claimed and len(claimed) == room:
                    continue
                timeout = min(paused, self.idle_poll) if paused else self.idle_poll
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wait_any(stop), timeout=max(timeout, 0.01))
        finally:
            await self._wind_down(tasks)

    async def _wind_down(self, tasks: dict[asyncio.Task[None], int]) -> None:
        """Sends already under way finish and record their outcome, within ``stop_grace``;
        rows still waiting for a slot are handed back (see _deliver)."""
        deadline = time.monotonic() + self.stop_grace
        for task, row_id in list(tasks.items()):
            if row_id not in self._sending:
                task.cancel()
        if tasks:
            await asyncio.wait(list(tasks), timeout=self.stop_grace)
        await self.marks.flush(deadline)

    async def _wait_any(self, stop: asyncio.Event) -> None:
        waiters = [asyncio.create_task(self._wake.wait()), asyncio.create_task(stop.wait())]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()

    async def _claim(self, limit: int) -> list[_Job]:
        async with self.sessions() as session, session.begin():
            claimed = await outbox.claim_due(
                session, self.worker, limit=limit, lease=self.lease, exclusive=self.exclusive
            )
        # A row of ours whose lease ran out while it waited here (or while its mark waits to
        # be written) may come back: the task that already has it goes on, a second one
        # would send it twice.
        fresh = [i for i in claimed if i.id not in self._held and i.id not in self.marks]
        if not fresh:
            return []
        # One query each for the batch: tasks then reach the pacer in claim (priority) order.
        # Should these fail, the rows are not yet marked held here, so their leases simply
        # expire and they come back.
        async with self.sessions() as session:
            alerts = await outbox.alerts_by_id(session, {i.alert_id for i in fresh})
            chats = await outbox.chats_by_id(session, {i.chat_id for i in fresh})
        now = time.monotonic()
        for item in fresh:
            self._held[item.id] = now
        for chat_id, chat in chats.items():
            # A chat that blocked us (or moved) and is active again under this id, e.g. it
            # sent /start again: it gets alerts again.
            if chat_id in self._gone and chat.active and chat.migrated_to is None:
                del self._gone[chat_id]
        return [_Job(i, alerts.get(i.alert_id), chats.get(i.chat_id)) for i in fresh]

    async def run_once(self) -> int:
        """Send one batch of due deliveries; returns how many were handled."""
        claimed = await self._claim(self.batch)
        await asyncio.gather(*(self._guarded(job) for job in claimed))
        return len(claimed)

    async def _guarded(self, job: _Job) -> None:
        """Never raises but for cancellation: a failed database write leaves the row leased,
        and its lease expiring brings it back (it was not sent: sent rows go through _mark)."""
        item = job.item
        try:
            await self._deliver(job)
        except asyncio.CancelledError:
            raise
        except _DB_ERRORS as exc:
            self.db.failed(exc)
        except Exception:
            log.exception("delivery %s failed unexpectedly", item.id)
            with contextlib.suppress(*_DB_ERRORS):
                await self._retry(item, self._backoff(item.attempts), "internal error")
        finally:
            self._held.pop(item.id, None)

    async def _deliver(self, job: _Job) -> None:
        item, alert, chat = job.item, job.alert, job.chat
        if alert is None or chat is None or not chat.active:
            await self._finish(item, outbox.DROPPED, "chat or alert gone")
            return
        if chat.muted_until and chat.muted_until > utcnow() and alert.kind != AlertKind.DIGEST:
            await self._finish(item, outbox.DROPPED, "chat muted")
            return
        render = self.renderers[alert.kind]
        msg = render(
            alert.payload,
            item.reasons,
            lang=chat.language,
            tz=chat.timezone or self.default_tz,
        )
        cost = msg.messages  # an album's photos and a follow-up count too
        private = chat.type == "private"
        wait = max(self.pacer.would_wait(chat.id, private, cost), self.api.remaining())
        if wait > self.max_hold:
            await self._hand_back(item, wait)
            return
        slow = self._slow.get(chat.id, 0.0) > time.monotonic()
        started = False
        try:
            # The chat's own wait first, holding nothing; then a request slot (a hanging chat
            # waits for the narrow lane instead, so it holds neither the others' slots nor
            # their share of the global rate); only then the global budget. A booked slot of
            # the global window then lasts just the request's round trip.
            await self.pacer.chat_ready(chat.id, private, cost)
            async with self._slow_lane if slow else self._slots:
                permit = await self.pacer.acquire(chat.id, private, cost, item.priority)
                # From here the send runs to its recorded end: shutting down waits for it.
                started = True
                self._sending.add(item.id)
                outcome = await self._send(item, msg, permit)
            # The request slot is free again; recording may wait for the database.
            if outcome:
                await self._record(item, outcome)
        except asyncio.CancelledError:
            if not started:
                # Shutting down before the send started: the row is due again at once.
                await asyncio.shield(self._hand_back(item, 0.0))
            raise
        finally:
            self._sending.discard(item.id)

    async def _finish(self, item: Claimed, status: str, error: str) -> None:
        async with self.sessions() as session, session.begin():
            await outbox.finish(session, item.id, status, error)
        _bump(self.stats, "failed" if status == outbox.FAILED else "dropped")

    async def _hand_back(self, item: Claimed, seconds: float) -> None:
        self.stats.handed_back += 1
        async with self.sessions() as session, session.begin():
            await outbox.release(
                session, item.id, self.worker, at=utcnow() + timedelta(seconds=seconds)
            )

    async def _still_ours(self, item: Claimed) -> bool:
        claimed_at = self._held.get(item.id, 0.0)
        if time.monotonic() - claimed_at < self.lease.total_seconds() / 3:
            return True
        async with self.sessions() as session, session.begin():
            return await outbox.extend_lease(session, item.id, self.worker, utcnow() + self.lease)

    async def _send(self, item: Claimed, msg: Rendered, permit: Permit) -> int | DeliveryError:
        """Send (the caller holds a request slot): Telegram's message id, or the error to
        record once the slot is free again; 0 when the row was not sent (handed back)."""
        try:
            gone = self._gone.get(item.chat_id)
            if gone is not None:
                # The chat was deactivated (its rows dropped) or moved (its rows now name
                # the new id) while this row waited: never send to the old id again.
                permit.done()
                if gone == "migrated":
                    await self._hand_back(item, 0.0)
                return 0
            if self.api.remaining() > 0:  # went down while this row waited
                permit.done()
                await self._hand_back(item, self.api.remaining())
                return 0
            if not await self._still_ours(item):
                log.warning("delivery %s: lease lost while waiting; not sent", item.id)
                return 0
            try:
                async with asyncio.timeout(self.send_timeout):
                    return await self.sender.send(item.chat_id, item.thread_id, msg)
            except TimeoutError:
                return Unreachable("send timed out", timed_out=True)
        except DeliveryError as exc:
            return exc
        finally:
            # Every path frees the booked slots (done() is idempotent): a slot left in
            # flight would hold that chat, and in time the global budget, forever.
            permit.done()

    async def _record(self, item: Claimed, outcome: int | DeliveryError) -> None:
        if isinstance(outcome, DeliveryError):
            await self._failed(item, outcome)
            return
        # Telegram has it: the mark comes first, before any bookkeeping that could fail.
        await self._mark(item, outcome)
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
        self._slow.pop(item.chat_id, None)
        self._hangs.pop(item.chat_id, None)

    async def _mark(self, item: Claimed, message_id: int) -> None:
        await self.marks.mark(item.id, message_id)

    # Outcomes other than success.

    async def _failed(self, item: Claimed, exc: DeliveryError) -> None:
        if isinstance(exc, RateLimited):
            self.stats.rate_limited += 1
            self.metrics.rate_limited()
            self.api.ok()
            self.pacer.block(item.chat_id, exc.retry_after)
            log.warning("429 for chat %s: retry after %gs", item.chat_id, exc.retry_after)
            await self._retry(item, exc.retry_after, str(exc), count_attempt=False)
        elif isinstance(exc, ChatGone):
            self.api.ok()
            log.info("chat %s is out of reach (%s): deactivating", item.chat_id, exc)
            self._gone[item.chat_id] = "blocked"
            async with self.sessions() as session, session.begin():
                await chat_repo.deactivate(session, item.chat_id)
                await outbox.drop_for_chat(session, item.chat_id, str(exc))
            self.stats.dropped += 1
        elif isinstance(exc, ChatMoved):
            self.api.ok()
            log.info("chat %s migrated to %s", item.chat_id, exc.new_chat_id)
            self._gone[item.chat_id] = "migrated"
            async with self.sessions() as session, session.begin():
                await chat_repo.migrate(session, item.chat_id, exc.new_chat_id)
                await outbox.reschedule(
                    session, item.id, at=utcnow(), error="migrated", count_attempt=False
                )
            self.wake()
        elif isinstance(exc, Rejected):
            self.api.ok()
            log.warning("delivery %s rejected: %s", item.id, exc)
            await self._finish(item, outbox.FAILED, str(exc))
        elif isinstance(exc, Unreachable) and exc.timed_out:
            # No answer in time: this chat hangs (or Telegram does, for everyone). Either
            # way it moves to the narrow lane and backs off on its own, without an attempt.
            self.stats.unreachable += 1
            hangs = self._hangs[item.chat_id] = self._hangs.get(item.chat_id, 0) + 1
            self._slow[item.chat_id] = time.monotonic() + SLOW_FOR
            delay = min(HANG_CAP, self.backoff_base * 2 ** min(hangs - 1, 16))
            log.info("chat %s: send hung (%d in a row), retry in %gs", item.chat_id, hangs, delay)
            await self._retry(item, delay, str(exc), count_attempt=False)
        elif isinstance(exc, Unreachable):
            # Refused or reset: the Bot API is down. An outage, not this row's failure.
            self.stats.unreachable += 1
            await self._retry(item, self.api.failed(exc), str(exc), count_attempt=False)
        else:  # ServerError: Telegram answered 5xx; that counts as an attempt
            self.stats.server_errors += 1
            self.api.ok()
            await self._retry(item, self._backoff(item.attempts), str(exc))

    async def _retry(
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

    def _backoff(self, attempts: int) -> float:
        """Exponential: base, 2·base, 4·base … capped at five minutes."""
        exponent = min(max(0, attempts - 1), 16)
        return float(min(300.0, self.backoff_base * 2**exponent))


def _bump(stats: DeliveryStats, name: str) -> None:
    setattr(stats, name, getattr(stats, name) + 1)
