"""Per-user command rate limit: a token bucket in memory.

One bot process polls getUpdates, so in-memory state is enough. A user over the limit is
told once; further commands are ignored silently until the bucket refills, so a flood costs
neither database work nor outgoing messages.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"  # refused; say so once
    SILENT = "silent"  # refused; already told


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class RateLimiter:
    def __init__(
        self,
        per_minute: int = 20,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_users: int = 50_000,
    ) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(burst if burst is not None else per_minute)
        self.clock = clock
        self.max_users = max_users
        self._buckets: dict[int, _Bucket] = {}

    def check(self, user_id: int) -> Verdict:
        now = self.clock()
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= self.max_users:
                self._forget_full(now)
            bucket = self._buckets[user_id] = _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.warned = False
            return Verdict.ALLOW
        if bucket.warned:
            return Verdict.SILENT
        bucket.warned = True
        return Verdict.WARN

    def _forget_full(self, now: float) -> None:
        """Drop users whose bucket has refilled: they are indistinguishable from new ones."""
        full = [
            uid
            for uid, b in self._buckets.items()
            if b.tokens + (now - b.updated) * self.rate >= self.capacity
        ]
        for uid in full:
            del self._buckets[uid]
