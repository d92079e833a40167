"""Pacing under Telegram's limits, by design rather than by retrying after 429s.

Three budgets apply to every message: the bot's global rate, one message per second in a
private chat, and twenty a minute in a group. An album costs one per item.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    global_per_s: float = 30.0
    private_per_s: float = 1.0
    group_per_min: float = 20.0


class SlidingWindow:
    """At most ``capacity`` events in any ``period`` seconds."""

    def __init__(self, capacity: int, period: float) -> None:
        self.capacity = max(1, capacity)
        self.period = period
        self.events: deque[float] = deque()

    def delay(self, now: float, cost: int = 1) -> float:
        """Seconds to wait before ``cost`` more events fit (0 when they fit now)."""
        while self.events and now - self.events[0] >= self.period:
            self.events.popleft()
        overflow = len(self.events) + cost - self.capacity
        if overflow <= 0:
            return 0.0
        # Must wait until enough of the oldest events have left the window.
        idx = min(overflow - 1, len(self.events) - 1)
        return self.events[idx] + self.period - now

    def record(self, now: float, cost: int = 1) -> None:
        self.events.extend([now] * cost)


class Pacer:
    """In-process pacing. Shared by all send tasks of one dispatcher."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._clock = time.monotonic
        # Integer windows: 30/s is "30 in any second", 20/min is "20 in any minute".
        self._global = SlidingWindow(int(limits.global_per_s), 1.0)
        self._chats: dict[int, SlidingWindow] = {}
        self._blocked_until: dict[int, float] = {}
        self._lock = asyncio.Lock()

    def _window(self, chat_id: int, is_private: bool) -> SlidingWindow:
        window = self._chats.get(chat_id)
        if window is None:
            if is_private:
                capacity, period = self.limits.private_per_s, 1.0
                if capacity < 1:  # e.g. 0.5/s is one message every two seconds
                    capacity, period = 1.0, 1.0 / self.limits.private_per_s
            else:
                capacity, period = self.limits.group_per_min, 60.0
            window = SlidingWindow(int(capacity), period)
            self._chats[chat_id] = window
        return window

    def chat_delay(self, chat_id: int, is_private: bool, cost: int = 1) -> float:
        now = self._clock()
        blocked = max(0.0, self._blocked_until.get(chat_id, 0.0) - now)
        return max(blocked, self._window(chat_id, is_private).delay(now, cost))

    def block(self, chat_id: int, seconds: float) -> None:
        """Telegram said RetryAfter for this chat: hold it, not everyone."""
        self._blocked_until[chat_id] = self._clock() + seconds

    async def acquire(self, chat_id: int, is_private: bool, cost: int = 1) -> None:
        """Wait until the message fits every budget, then book it."""
        while True:
            async with self._lock:
                now = self._clock()
                wait = max(
                    self._global.delay(now, cost),
                    self._window(chat_id, is_private).delay(now, cost),
                    self._blocked_until.get(chat_id, 0.0) - now,
                )
                if wait <= 0:
                    self._global.record(now, cost)
                    self._window(chat_id, is_private).record(now, cost)
                    return
            await asyncio.sleep(wait)
