"""One log line when something a long-running process depends on stops answering (t.me, the
Telegram client, the database under the ingest), and one when it answers again. The retries
in between log at DEBUG: an outage of an hour is two lines, not a traceback per retry.

An error nobody expected (a bug, not an outage) keeps its traceback, on the first line only
(the plain log format folds it onto that line; see ``bot.ops.logging``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Down:
    since: float
    tries: int


class OutageLog:
    def __init__(self, log: logging.Logger, *, clock: Callable[[], float] = time.monotonic):
        self._log = log
        self._clock = clock
        self._down: dict[str, _Down] = {}

    def failed(self, what: str, error: BaseException, *, expected: bool = True) -> None:
        """``what`` failed (``what`` names the dependency and the work, e.g. "t.me/s/x: poll").
        Logs only when this starts an outage of ``what``."""
        down = self._down.get(what)
        if down is not None:
            down.tries += 1
            self._log.debug("%s failed again (%s)", what, _short(error))
            return
        self._down[what] = _Down(self._clock(), 1)
        self._log.warning(
            "%s failing (%s); retrying, logged again once it works",
            what,
            _short(error),
            exc_info=None if expected else error,
        )

    def ok(self, what: str) -> None:
        down = self._down.pop(what, None)
        if down is not None:
            self._log.warning(
                "%s works again after %.1fs (%d failed tries)",
                what,
                self._clock() - down.since,
                down.tries,
            )

    def __contains__(self, what: object) -> bool:
        return what in self._down


def _short(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return (lines[0] if lines else type(error).__name__)[:200]
