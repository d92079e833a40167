"""The one start/stop sequence of every long-running process.

Start: the core (schema upgraded), then ops (/healthz, systemd READY and watchdog) — before
anything may wait on Telegram, so an outage at start-up never looks like a dead process —
then SIGINT/SIGTERM wired to one ``stop`` event. The process adds its tasks and what must be
closed. Stop (a signal, ``stop`` set by the caller, or an essential task ending): ``stop`` is
set, each task gets its grace to end on its own and is cancelled after it, then everything
opened is closed in reverse order, each one surely, the core last.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter

from bot.app import Core, start_core
from bot.config import Settings
from bot.errors import ConfigError
from bot.ops.runtime import start_ops

log = logging.getLogger(__name__)


async def with_retries(
    what: str, action: Callable[[], Awaitable[None]], stop: asyncio.Event, cap: float
) -> bool:
    """Run ``action`` until it succeeds, backing off 1, 2, 4 … ``cap`` seconds (or as long as
    a 429 says) with one log line per failed attempt. False when ``stop`` came first. A
    refused token is a configuration error, not worth retrying."""
    attempt = 0
    while not stop.is_set():
        attempt += 1
        try:
            await action()
            if attempt > 1:
                log.warning("%s: succeeded on attempt %d", what, attempt)
            return True
        except InvalidToken:
            # PTB's own message carries the full token; ours names what to check.
            raise ConfigError(
                "Telegram refused BOT_TOKEN (401/404): check the token from @BotFather, and "
                "TELEGRAM_API_URL if you use your own Bot API server"
            ) from None
        except (RetryAfter, NetworkError) as exc:
            if isinstance(exc, BadRequest):
                raise
            delay = min(cap, 2.0 ** min(attempt - 1, 16))
            if isinstance(exc, RetryAfter):
                retry = exc.retry_after
                delay = retry.total_seconds() if isinstance(retry, timedelta) else float(retry)
            log.warning(
                "%s: attempt %d failed (%s: %s); retrying in %gs",
                what,
                attempt,
                type(exc).__name__,
                exc,
                delay,
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
    return False


def on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)


@dataclass
class Tasks:
    """Tasks that run until ``stop``. An essential one that ends (an error such as "not
    logged in", or its own end) sets ``stop``: the process does not limp on without it."""

    stop: asyncio.Event
    running: list[tuple[asyncio.Task[None], float, bool]] = field(default_factory=list)
    raised: BaseException | None = None  # the error the process ends with: not logged again

    def spawn(
        self,
        name: str,
        work: Coroutine[Any, Any, None],
        *,
        grace: float,
        essential: bool = True,
        context: contextvars.Context | None = None,
    ) -> asyncio.Task[None]:
        task = asyncio.create_task(work, name=name, context=context)
        if essential:
            task.add_done_callback(lambda _task: self.stop.set())
        self.running.append((task, grace, essential))
        return task

    @property
    def tasks(self) -> list[asyncio.Task[None]]:
        return [task for task, _grace, _essential in self.running]

    def failure(self) -> BaseException | None:
        """The error an essential task ended with (the first one), if any."""
        for task, _grace, essential in self.running:
            if essential and task.done() and not task.cancelled() and task.exception():
                self.raised = task.exception()
                return self.raised
        return None

    async def end(self) -> None:
        """Set ``stop``; each task gets its grace to end on its own, then is cancelled."""
        self.stop.set()
        await asyncio.gather(*(self._bounded(t, grace) for t, grace, _e in self.running))

    async def _bounded(self, task: asyncio.Task[None], grace: float) -> None:
        done, _ = await asyncio.wait([task], timeout=grace)
        if not done:
            log.warning("task %s did not stop within %gs; cancelling it", task.get_name(), grace)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        elif not task.cancelled() and task.exception() not in (None, self.raised):
            log.error("task %s failed: %s", task.get_name(), task.exception())


@dataclass
class Life:
    """A running process: its core, its ``stop``, its tasks and what it closes on the way
    out (``closing``: push callbacks; they run in reverse, after the tasks ended)."""

    core: Core
    stop: asyncio.Event
    tasks: Tasks
    closing: contextlib.AsyncExitStack

    def spawn(
        self, name: str, work: Coroutine[Any, Any, None], *, grace: float, essential: bool = True
    ) -> asyncio.Task[None]:
        return self.tasks.spawn(name, work, grace=grace, essential=essential)

    async def until_stopped(self) -> None:
        """Until a signal, ``stop``, or an essential task ending; that task's error is
        raised (e.g. the Telethon account is not logged in)."""
        await self.stop.wait()
        failure = self.tasks.failure()
        if failure is not None:
            raise failure


@contextlib.asynccontextmanager
async def lifetime(
    settings: Settings,
    role: str,
    *,
    stop: asyncio.Event | None = None,
    live: bool = False,
    delivers: bool = False,
) -> AsyncIterator[Life]:
    """The process ``role`` ("run", "serve", "deliver", "watch", "schedule") from start to
    stop; see the module's docstring for the order."""
    async with contextlib.AsyncExitStack() as closing:
        core = await start_core(settings, live=live, delivers=delivers)
        closing.push_async_callback(core.close)
        ops = await start_ops(settings, core.sessions, core.metrics, role)
        closing.push_async_callback(ops.close)
        stop = stop or asyncio.Event()
        on_signals(stop)
        tasks = Tasks(stop)
        try:
            yield Life(core, stop, tasks, closing)
        finally:
            await tasks.end()
