"""The global send budget shared by several ``dozor deliver`` processes through PostgreSQL.

Telegram counts the bot's messages per second wherever they come from, so N processes with
their own in-memory pacers would send N times too much. Each grant spends tokens from one row
of ``rate_budget``. A token bucket of burst ``b`` and rate ``r`` lets at most ``b + r`` through
in any second, so both are set below the limit (``share``) to leave room for the jitter between
the grant and the moment Telegram counts the message.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repos import ratebudget

GLOBAL_KEY = "global"


class DbBudget:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        per_second: float,
        *,
        share: float = 0.9,
        burst_fraction: float = 0.1,
        key: str = GLOBAL_KEY,
    ) -> None:
        self.sessions = sessions
        self.key = key
        target = per_second * share
        self.burst = max(1.0, target * burst_fraction)
        # At a few messages a second a burst of one already is the whole allowance; the bucket
        # then simply spaces grants 1/rate apart.
        self.rate = max(target - self.burst, target * (1 - burst_fraction))
        self._ready = False

    async def take(self, cost: int) -> float:
        async with self.sessions() as session, session.begin():
            if not self._ready:
                await ratebudget.ensure(session, self.key, self.burst)
                self._ready = True
            return await ratebudget.take(session, self.key, cost, rate=self.rate, burst=self.burst)
