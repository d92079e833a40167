"""Outbox dispatcher: lease due deliveries, render per chat, pace, send, record the outcome."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.deliver.pacing import Pacer
from bot.deliver.render import Rendered, render_alert
from storage.repos import chats as chat_repo
from storage.repos import outbox
from storage.repos.outbox import Claimed
from storage.types import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
Renderer = Callable[..., Rendered]
DEFAULT_RENDERERS: Mapping[str, Renderer] = {"match": render_alert, "edit": render_alert}


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
    ) -> None:
        self.sessions = sessions
        self.sender = sender
        self.pacer = pacer
        self.default_tz = default_tz
        self.renderers = dict(renderers)
        self.batch = batch
        self.lease = lease
        self.idle_poll = idle_poll
        self.worker = worker_name()
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(concurrency)

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                sent = await self.run_once()
            except Exception:  # keep delivering after a database hiccup
                log.exception("dispatcher cycle failed")
                sent = 0
            if sent:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wait_any(stop), timeout=self.idle_poll)

    async def _wait_any(self, stop: asyncio.Event) -> None:
        waiters = [asyncio.create_task(self._wake.wait()), asyncio.create_task(stop.wait())]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()

    async def run_once(self) -> int:
        """Send one batch of due deliveries; returns how many were handled."""
        async with self.sessions() as session, session.begin():
            claimed = await outbox.claim_due(
                session, self.worker, limit=self.batch, lease=self.lease
            )
        if not claimed:
            return 0
        # Several chats in flight at once; each chat's own order is kept by the pacer.
        await asyncio.gather(*(self._guarded(item) for item in claimed))
        return len(claimed)

    async def _guarded(self, item: Claimed) -> None:
        async with self._slots:
            try:
                await self._deliver(item)
            except Exception:
                log.exception("delivery %s failed unexpectedly", item.id)
                async with self.sessions() as session, session.begin():
                    await outbox.reschedule(
                        session, item.id, at=utcnow() + _backoff(item.attempts),
                        error="internal error",
                    )

    async def _deliver(self, item: Claimed) -> None:
        async with self.sessions() as session:
            alert = await outbox.get_alert(session, item.alert_id)
            chat = await chat_repo.get(session, item.chat_id)
        if alert is None or chat is None or not chat.active:
            async with self.sessions() as session, session.begin():
                await outbox.finish(session, item.id, outbox.DROPPED, "chat or alert gone")
            return
        if chat.muted_until and chat.muted_until > utcnow() and alert.kind != "digest":
            async with self.sessions() as session, session.begin():
                await outbox.finish(session, item.id, outbox.DROPPED, "chat muted")
            return
        render = self.renderers[alert.kind]
        msg = render(alert.kind, alert.payload, item.reasons, lang=chat.language,
                     tz=chat.timezone or self.default_tz)
        cost = len(msg.photos) if len(msg.photos) > 1 else 1
        await self.pacer.acquire(chat.id, chat.type == "private", cost)
        await self._send(item, msg)

    async def _send(self, item: Claimed, msg: Rendered) -> None:
        error: str
        try:
            message_id = await self.sender.send(item.chat_id, item.thread_id, msg)
        except RetryAfter as exc:
            seconds = _seconds(exc.retry_after)
            self.pacer.block(item.chat_id, seconds)
            log.warning("429 for chat %s: retry after %ss", item.chat_id, seconds)
            await self._retry(item, seconds, f"retry after {seconds}s", count_attempt=False)
            return
        except Forbidden as exc:
            log.info("chat %s blocked or removed the bot: deactivating", item.chat_id)
            async with self.sessions() as session, session.begin():
                await chat_repo.deactivate(session, item.chat_id)
                await outbox.drop_for_chat(session, item.chat_id, str(exc))
            return
        except ChatMigrated as exc:
            log.info("chat %s migrated to %s", item.chat_id, exc.new_chat_id)
            async with self.sessions() as session, session.begin():
                await chat_repo.migrate(session, item.chat_id, exc.new_chat_id)
                await outbox.reschedule(session, item.id, at=utcnow(), error="migrated",
                                        count_attempt=False)
            self.wake()
            return
        except BadRequest as exc:
            error = f"400: {exc.message}"
            log.warning("delivery %s rejected: %s", item.id, error)
            async with self.sessions() as session, session.begin():
                await outbox.finish(session, item.id, outbox.FAILED, error)
            return
        except NetworkError as exc:  # 5xx, timeouts, connection errors
            await self._retry(item, _backoff(item.attempts).total_seconds(), str(exc))
            return
        async with self.sessions() as session, session.begin():
            if not await outbox.mark_sent(session, item.id, self.worker, message_id):
                log.warning("delivery %s: lease lost before it was marked sent", item.id)

    async def _retry(
        self, item: Claimed, seconds: float, error: str, *, count_attempt: bool = True
    ) -> None:
        async with self.sessions() as session, session.begin():
            if count_attempt and item.attempts >= MAX_ATTEMPTS:
                await outbox.finish(session, item.id, outbox.FAILED, f"gave up: {error}")
            else:
                await outbox.reschedule(
                    session, item.id, at=utcnow() + timedelta(seconds=seconds), error=error,
                    count_attempt=count_attempt,
                )


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(300, 2 ** max(0, attempts)))


def _seconds(value: Any) -> float:
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)
