"""Telegram's flood limits as sliding windows, so delivery tests can prove they stay under them."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Messages allowed per window. ``scale`` multiplies every limit (not the windows), which
    keeps load tests short while preserving the ratios between the three limits."""

    global_per_s: float = 30
    private_per_s: float = 1
    group_per_min: float = 20
    scale: float = 1.0

    def allowed(self, kind: str) -> float:
        base = {
            "global": self.global_per_s,
            "private": self.private_per_s,
            "group": self.group_per_min,
        }[kind]
        return base * self.scale


_WINDOW_S = {"global": 1.0, "private": 1.0, "group": 60.0}


class RateLimiter:
    """Counts accepted messages; a send that would exceed any window is refused as a whole
    (Telegram does not deliver half an album)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._windows: dict[tuple[str, int | None], deque[float]] = {}

    def _window(self, kind: str, chat_id: int | None, now: float) -> deque[float]:
        stamps = self._windows.setdefault((kind, chat_id), deque())
        horizon = now - _WINDOW_S[kind]
        while stamps and stamps[0] <= horizon:
            stamps.popleft()
        return stamps

    def try_acquire(self, chat_id: int, chat_kind: str, count: int, now: float) -> int | None:
        """Record ``count`` messages and return None, or return the retry_after (whole
        seconds, at least 1, as Telegram answers) without recording anything."""
        checks = [("global", None), (chat_kind, chat_id)]
        waits: list[float] = []
        for kind, key in checks:
            stamps = self._window(kind, key, now)
            allowed = int(self.limits.allowed(kind))
            if len(stamps) + count > allowed:
                # The earliest moment enough old stamps have left the window.
                excess = len(stamps) + count - allowed
                if excess > len(stamps):
                    waits.append(_WINDOW_S[kind])
                else:
                    waits.append(stamps[excess - 1] + _WINDOW_S[kind] - now)
        if waits:
            return max(1, math.ceil(max(waits)))
        for kind, key in checks:
            self._window(kind, key, now).extend([now] * count)
        return None


class ManualClock:
    """A clock a test moves by hand: ``BotApiServer(limits, clock=clock)``, then
    ``clock.advance(1.0)`` slides the windows without sleeping."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
