"""Outbox dispatcher: lease due deliveries, render per chat, pace, send, record the outcome.

Delivery is at-least-once with the (alert, chat) row as idempotency key: a row is sent only by
the worker holding its lease, and marked sent by that worker right after Telegram's answer. The
one way a message goes out twice is a worker dying (or losing its database) after Telegram
accepted the message and before ``mark_sent`` committed, a window of one local database write;
the row's lease then expires and another worker sends it again. A send that times out is the
same case seen from the client: Telegram may have taken it, and the retry may repeat it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.deliver.pacing import Pacer, Permit
from bot.deliver.render import Rendered, render_alert
from storage.models import Alert, Chat
from storage.repos import chats as chat_repo
from storage.repos import outbox
from storage.repos.outbox import ChatWindows, Claimed
from storage.types import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
Renderer = Callable[..., Rendered]
DEFAULT_RENDERERS: Mapping[str, Renderer] = {"match": render_alert, "edit": render_alert}


@dataclass(frozen=True, slots=True)
class _Job:
    item: Claimed
    alert: Alert | None
    chat: Chat | None


class Sender(Protocol):
    async def send(self, chat_id: int, thread_id: int, msg: Rendered) -> int: ...


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
        renderers: Mapping[str, Renderer] = DEFAULT_RENDERERS,
        batch: int = 50,
        concurrency: int = 8,
        lease: timedelta = timedelta(seconds=60),
        idle_poll: float = 1.0,
        backoff_base: float = 1.0,
        max_hold: float = 2.0,
        exclusive: ChatWindows | None = None,
    ) -> None:
        """``batch``: rows held at once (fewer when the global rate could not send them within
        a quarter of the lease). ``concurrency``: requests in flight at once. ``max_hold``: a
        row whose chat must wait longer is handed back with that delay instead of being held.
        ``exclusive``: several processes share the outbox (see ``outbox.claim_due``)."""
        self.sessions = sessions
        self.sender = sender
        self.pacer = pacer
        self.default_tz = default_tz
        self.renderers = dict(renderers)
        self.lease = lease
        self.idle_poll = idle_poll
        self.backoff_base = backoff_base
        self.max_hold = max_hold
        self.exclusive = exclusive
        # Rows wait in memory for the global budget; never hold more than can go out well
        # before their lease ends.
        sendable = pacer.limits.global_per_s * lease.total_seconds() / 4
        self.batch = max(1, min(batch, int(sendable)))
        self.worker = worker_name()
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(concurrency)
        self._held: dict[int, float] = {}  # row id -> monotonic time of its claim
        self._sending: set[int] = set()
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
                room = self.batch - len(tasks)
                claimed: list[_Job] = []
                if room >= max(1, self.batch // 4) or (room > 0 and not tasks):
                    try:
                        claimed = await self._claim(room)
                    except Exception:  # keep delivering after a database hiccup
                        log.exception("claiming deliveries failed")
                for job in claimed:
                    task = asyncio.create_task(self._guarded(job))
                    tasks[task] = job.item.id
                    task.add_done_callback(finished)
                if claimed and len(claimed) == room:
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wait_any(stop), timeout=self.idle_poll)
        finally:
            if tasks:
                # Sends already under way finish and record their outcome; rows still waiting
                # for a slot are handed back (see _deliver).
                for task, row_id in list(tasks.items()):
                    if row_id not in self._sending:
                        task.cancel()
                await asyncio.wait(list(tasks), timeout=10)

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
        # A row of ours whose lease ran out while it waited here may come back: the task that
        # already has it goes on, a second one would send it twice.
        fresh = [item for item in claimed if item.id not in self._held]
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
        item = job.item
        try:
            await self._deliver(job)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("delivery %s failed unexpectedly", item.id)
            await self._retry(item, self._backoff(item.attempts).total_seconds(), "internal error")
        finally:
            self._held.pop(item.id, None)

    async def _deliver(self, job: _Job) -> None:
        item, alert, chat = job.item, job.alert, job.chat
        if alert is None or chat is None or not chat.active:
            async with self.sessions() as session, session.begin():
                await outbox.finish(session, item.id, outbox.DROPPED, "chat or alert gone")
            return
        if chat.muted_until and chat.muted_until > utcnow() and alert.kind != "digest":
            async with self.sessions() as session, session.begin():
                await outbox.finish(session, item.id, outbox.DROPPED, "chat muted")
            return
        render = self.renderers[alert.kind]
        msg = render(
            alert.kind,
            alert.payload,
            item.reasons,
            lang=chat.language,
            tz=chat.timezone or self.default_tz,
        )
        cost = msg.messages  # an album's photos and a follow-up count too
        private = chat.type == "private"
        wait = self.pacer.would_wait(chat.id, private, cost)
        if wait > self.max_hold:
            await self._hand_back(item, wait)
            return
        try:
            permit = await self.pacer.acquire(chat.id, private, cost, item.priority)
        except asyncio.CancelledError:
            # Shutting down before the send started: the row is due again at once elsewhere.
            await asyncio.shield(self._hand_back(item, 0.0))
            raise
        # From here the send runs to its recorded end: shutting down waits for it.
        self._sending.add(item.id)
        try:
            await self._send_and_record(item, msg, permit)
        finally:
            self._sending.discard(item.id)

    async def _hand_back(self, item: Claimed, seconds: float) -> None:
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

    async def _send_and_record(self, item: Claimed, msg: Rendered, permit: Permit) -> None:
        async with self._slots:
            try:
                gone = self._gone.get(item.chat_id)
                if gone is not None:
                    # The chat was deactivated (its rows dropped) or moved (its rows now name
                    # the new id) while this row waited: never send to the old id again.
                    permit.done()
                    if gone == "migrated":
                        await self._hand_back(item, 0.0)
                    return
                if not await self._still_ours(item):
                    log.warning("delivery %s: lease taken over while waiting; not sent", item.id)
                    return
                message_id = await self.sender.send(item.chat_id, item.thread_id, msg)
            except (RetryAfter, Forbidden, ChatMigrated, BadRequest, NetworkError) as exc:
                await self._failed(item, exc)
                return
            finally:
                # Every path frees the booked slots (done() is idempotent): a slot left in
                # flight would hold that chat, and in time the global budget, forever.
                permit.done()
            async with self.sessions() as session, session.begin():
                if not await outbox.mark_sent(session, item.id, self.worker, message_id):
                    log.warning("delivery %s: lease lost before it was marked sent", item.id)

    async def _failed(self, item: Claimed, exc: Exception) -> None:
        if isinstance(exc, RetryAfter):
            # PTB 22 deprecates the int ``retry_after``; the timedelta behind it is the answer.
            seconds = _seconds(getattr(exc, "_retry_after", None) or exc.retry_after)
            self.pacer.block(item.chat_id, seconds)
            log.warning("429 for chat %s: retry after %ss", item.chat_id, seconds)
            await self._retry(item, seconds, f"retry after {seconds}s", count_attempt=False)
        elif isinstance(exc, Forbidden):
            log.info("chat %s blocked or removed the bot: deactivating", item.chat_id)
            self._gone[item.chat_id] = "blocked"
            async with self.sessions() as session, session.begin():
                await chat_repo.deactivate(session, item.chat_id)
                await outbox.drop_for_chat(session, item.chat_id, str(exc))
        elif isinstance(exc, ChatMigrated):
            log.info("chat %s migrated to %s", item.chat_id, exc.new_chat_id)
            self._gone[item.chat_id] = "migrated"
            async with self.sessions() as session, session.begin():
                await chat_repo.migrate(session, item.chat_id, exc.new_chat_id)
                await outbox.reschedule(
                    session, item.id, at=utcnow(), error="migrated", count_attempt=False
                )
            self.wake()
        elif isinstance(exc, BadRequest):
            error = f"400: {exc.message}"
            log.warning("delivery %s rejected: %s", item.id, error)
            async with self.sessions() as session, session.begin():
                await outbox.finish(session, item.id, outbox.FAILED, error)
        else:  # NetworkError: 5xx, timeouts, connection errors
            await self._retry(item, self._backoff(item.attempts).total_seconds(), str(exc))

    async def _retry(
        self, item: Claimed, seconds: float, error: str, *, count_attempt: bool = True
    ) -> None:
        async with self.sessions() as session, session.begin():
            if count_attempt and item.attempts >= MAX_ATTEMPTS:
                await outbox.finish(session, item.id, outbox.FAILED, f"gave up: {error}")
            else:
                await outbox.reschedule(
                    session,
                    item.id,
                    at=utcnow() + timedelta(seconds=seconds),
                    error=error,
                    count_attempt=count_attempt,
                )

    def _backoff(self, attempts: int) -> timedelta:
        """Exponential: base, 2·base, 4·base … capped at five minutes."""
        exponent = min(max(0, attempts - 1), 16)
        return timedelta(seconds=min(300.0, self.backoff_base * 2**exponent))


def _seconds(value: Any) -> float:
    if isinstance(value, timedelta):
        return value.total_seconds()
    seconds = float(value)
    return seconds if math.isfinite(seconds) else 60.0
