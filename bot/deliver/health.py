"""The dispatcher's counters and its view of the two things it depends on: the Bot API and the
database. Both can be down for a while; an outage is logged once when it starts and once when
it ends (not a traceback per retry), and waits with a capped exponential back-off."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("bot.deliver")


@dataclass
class DeliveryStats:
    """Running totals, for logs and for a metrics endpoint to expose as they are."""

    sent: int = 0
    failed: int = 0  # rejected (400) or gave up after MAX_ATTEMPTS answers
    dropped: int = 0  # chat gone, muted, or alert gone
    rate_limited: int = 0  # 429 answers
    server_errors: int = 0  # 5xx answers
    unreachable: int = 0  # sends that got no answer (refused, reset, timed out)
    handed_back: int = 0  # rows returned unsent because their chat must wait
    marks_retried: int = 0  # "sent" marks whose first write failed, written later
    api_outages: int = 0
    db_outages: int = 0
    marks_pending: int = 0  # sent, mark not yet durable (kept in memory, being retried)


class Outage:
    """Capped exponential back-off for a dependency that stopped answering.

    ``failed()`` returns how long to wait before the next try: ``base``, 2·base … up to ``cap``.
    ``ok()`` ends the outage. ``remaining()`` is the wait still ahead (0 when a try is due)."""

    def __init__(
        self,
        what: str,
        *,
        base: float,
        cap: float,
        on_start: Callable[[], None] = lambda: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.what = what
        self.base = base
        self.cap = cap
        self.on_start = on_start
        self.clock = clock
        self.started: float | None = None
        self.tries = 0
        self.until = 0.0
        self.last_ok = clock()

    @property
    def active(self) -> bool:
        return self.started is not None

    def failed(self, error: object) -> float:
        now = self.clock()
        if self.started is None:
            self.started = now
            self.on_start()
            log.warning(
                "%s unreachable (%s); holding deliveries, retrying every ≤ %gs",
                self.what,
                _short(error),
                self.cap,
            )
        delay = float(min(self.cap, self.base * 2 ** min(self.tries, 16)))
        self.tries += 1
        self.until = max(self.until, now + delay)
        return delay

    def ok(self) -> None:
        now = self.clock()
        self.last_ok = now
        if self.started is not None:
            log.warning(
                "%s reachable again after %.1fs (%d failed tries)",
                self.what,
                now - self.started,
                self.tries,
            )
        self.started, self.tries, self.until = None, 0, 0.0

    def remaining(self) -> float:
        if self.started is None:
            return 0.0
        return max(0.0, self.until - self.clock())


def _short(error: object) -> str:
    text = str(error).strip().splitlines()
    first = text[0] if text else type(error).__name__
    return first[:200]
