"""Pacing under Telegram's limits, by design rather than by retrying after 429s.

Three budgets apply to every message: the bot's global rate, one message per second in a
private chat, and twenty a minute in a group, spread out at no more than one a second
(``group_per_s``) so ten posts at once never become ten requests to a group within a
fraction of a second. An album costs one per item.

A send occupies a slot in each window from the moment it is granted until its answer arrives,
and only then starts its window period. Telegram counts the message at some instant between the
two, so a window that ends ``period`` after the answer can never be shorter than Telegram's: no
latency jitter can squeeze one message too many into a second. The price is the round trip,
a few milliseconds per period.

Waiting is per chat first (without taking anything from anyone), then for the global budget in
priority order. A chat waiting for its own slot never holds up another chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

INFLIGHT = math.inf


@dataclass(frozen=True, slots=True)
class Limits:
    global_per_s: float = 30.0
    private_per_s: float = 1.0
    group_per_min: float = 20.0
    group_per_s: float = 1.0


class SharedBudget(Protocol):
    """A global budget shared with other processes (see ``bot.deliver.budget``)."""

    async def take(self, cost: int) -> float:
        """Take ``cost`` tokens and return 0, or return the seconds to wait before retrying."""
        ...


class _Slot:
    __slots__ = ("at",)

    def __init__(self) -> None:
        self.at = INFLIGHT  # becomes the answer's time when the send completes


class SlidingWindow:
    """At most ``capacity`` sends in any ``period`` seconds, counting sends in flight."""

    def __init__(self, capacity: int, period: float) -> None:
        self.capacity = max(1, capacity)
        self.period = period
        self.slots: list[_Slot] = []

    @classmethod
    def per_second(cls, rate: float) -> SlidingWindow:
        # Below 1/s, "0.5/s" means one send every two seconds.
        if rate < 1:
            return cls(1, 1.0 / rate)
        return cls(int(rate), 1.0)

    def _expire(self, now: float) -> None:
        self.slots = [s for s in self.slots if now - s.at < self.period]

    def delay(self, now: float, cost: int = 1) -> float:
        """Seconds until ``cost`` more sends fit; ``inf`` while it depends on sends in flight."""
        self._expire(now)
        # An album bigger than the window still goes, alone in an empty window.
        overflow = len(self.slots) + min(cost, self.capacity) - self.capacity
        if overflow <= 0:
            return 0.0
        oldest = sorted(s.at for s in self.slots)[overflow - 1]
        return oldest + self.period - now

    def book(self, cost: int) -> list[_Slot]:
        slots = [_Slot() for _ in range(cost)]
        self.slots.extend(slots)
        return slots


class GroupWindows:
    """A group's two windows (per minute, and per second within it) as one."""

    def __init__(self, *windows: SlidingWindow) -> None:
        self.windows = windows
        # A send in flight is estimated to hold the chat for the shortest period.
        self.period = min(w.period for w in windows)

    def delay(self, now: float, cost: int = 1) -> float:
        return max(w.delay(now, cost) for w in self.windows)

    def book(self, cost: int) -> list[_Slot]:
        return [slot for w in self.windows for slot in w.book(cost)]


class Permit:
    """A granted send. Call ``done()`` when its answer (or error) arrives."""

    def __init__(self, pacer: Pacer, slots: list[_Slot]) -> None:
        self._pacer = pacer
        self._slots = slots

    def done(self) -> None:
        now = self._pacer.clock()
        for slot in self._slots:
            if slot.at == INFLIGHT:
                slot.at = now
        self._pacer.changed()


class _PriorityTurn:
    """A lock granted in (priority, arrival) order: contradictions before matches before
    digests when they all wait for the global budget."""

    def __init__(self) -> None:
        self._held = False
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    async def acquire(self, priority: int) -> None:
        if not self._held and not self._waiters:
            self._held = True
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (priority, next(self._seq), fut))
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self.release()  # the turn was handed over just as we were cancelled
            else:
                self._waiters = [w for w in self._waiters if w[2] is not fut]
                heapq.heapify(self._waiters)
            raise

    def release(self) -> None:
        while self._waiters:
            _, _, fut = heapq.heappop(self._waiters)
            if not fut.done():
                fut.set_result(None)  # the turn passes straight to the next waiter
                return
        self._held = False


class Pacer:
    """In-process pacing, shared by all send tasks of one dispatcher."""

    def __init__(
        self,
        limits: Limits,
        *,
        budget: SharedBudget | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits
        self.budget = budget
        self.clock = clock
        self._global = SlidingWindow.per_second(limits.global_per_s)
        self._chats: dict[int, SlidingWindow | GroupWindows] = {}
        self._blocked_until: dict[int, float] = {}
        self._all_blocked_until = 0.0
        self._turn = _PriorityTurn()
        self._changed = asyncio.Event()
        self._recent_429: dict[int, float] = {}

    def _window(self, chat_id: int, is_private: bool) -> SlidingWindow | GroupWindows:
        window = self._chats.get(chat_id)
        if window is None:
            if is_private:
                window = SlidingWindow.per_second(self.limits.private_per_s)
            else:
                per_min = self.limits.group_per_min
                minute = (
                    SlidingWindow(1, 60.0 / per_min)
                    if per_min < 1
                    else SlidingWindow(int(per_min), 60.0)
                )
                window = GroupWindows(minute, SlidingWindow.per_second(self.limits.group_per_s))
            self._chats[chat_id] = window
        return window

    def chat_delay(self, chat_id: int, is_private: bool, cost: int = 1) -> float:
        """Seconds until this chat may receive ``cost`` more messages (inf: a send in flight)."""
        now = self.clock()
        blocked = max(self._blocked_until.get(chat_id, 0.0), self._all_blocked_until) - now
        return max(blocked, self._window(chat_id, is_private).delay(now, cost))

    def block(self, chat_id: int, seconds: float) -> None:
        """Telegram said RetryAfter for this chat: hold it, not everyone.

        Telegram's answer does not say which limit was hit. When several chats are refused
        within a second it was the global one, so everyone waits."""
        now = self.clock()
        self._blocked_until[chat_id] = max(self._blocked_until.get(chat_id, 0.0), now + seconds)
        self._recent_429 = {c: t for c, t in self._recent_429.items() if now - t < 1.0}
        self._recent_429[chat_id] = now
        if len(self._recent_429) >= 3:
            self._all_blocked_until = max(self._all_blocked_until, now + seconds)

    def changed(self) -> None:
        self._changed.set()

    async def _sleep(self, seconds: float) -> None:
        """Sleep ``seconds``, or until a send completes when the wait depends on one."""
        if math.isinf(seconds):
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout=0.05)
            return
        await asyncio.sleep(max(seconds, 0.0005))

    async def chat_ready(self, chat_id: int, is_private: bool, cost: int = 1) -> None:
        """Wait until the chat itself may receive ``cost`` more messages (books nothing)."""
        while (wait := self.chat_delay(chat_id, is_private, cost)) > 0:
            await self._sleep(wait)

    async def acquire(
        self, chat_id: int, is_private: bool, cost: int = 1, priority: int = 1
    ) -> Permit:
        """Wait until the message fits every budget, then book it."""
        while True:
            wait = self.chat_delay(chat_id, is_private, cost)
            if wait > 0:
                await self._sleep(wait)
                continue
            await self._turn.acquire(priority)
            try:
                permit = await self._take_global(chat_id, is_private, cost)
            finally:
                self._turn.release()
            if permit is not None:
                return permit

    async def _take_global(self, chat_id: int, is_private: bool, cost: int) -> Permit | None:
        """Holding the turn: wait for the global budget and book it, or None when this chat
        stopped being ready meanwhile (another task of the same chat went first)."""
        while True:
            if self.chat_delay(chat_id, is_private, cost) > 0:
                return None
            wait = self._global.delay(self.clock(), cost)
            if wait > 0:
                await self._sleep(wait)
                continue
            if self.budget is not None:
                wait = await self.budget.take(cost)
                if wait > 0:
                    await self._sleep(wait)
                    continue
            slots = self._global.book(cost) + self._window(chat_id, is_private).book(cost)
            return Permit(self, slots)

    def would_wait(self, chat_id: int, is_private: bool, cost: int = 1) -> float:
        """The chat's own wait, counting a send in flight as a full period (an estimate used
        to hand back rows that would wait long)."""
        wait = self.chat_delay(chat_id, is_private, cost)
        if math.isinf(wait):
            return self._window(chat_id, is_private).period
        return wait
