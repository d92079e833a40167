"""A token bucket in the ``rate_budget`` table, shared by every deliver process.

PostgreSQL only: the row is locked (``SELECT … FOR UPDATE``) for the few statements that refill
and spend it, and the database's clock is the one all processes (on any machine) agree on.
On SQLite one process owns delivery, and its in-memory pacer is the whole budget.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import RateBudget
from storage.repos._util import insert_ignore


async def ensure(session: AsyncSession, key: str, tokens: float) -> None:
    await insert_ignore(
        session,
        RateBudget.__table__,  # type: ignore[arg-type]
        {"key": key, "tokens": tokens, "updated_at": func.now()},
        ["key"],
    )


async def take(session: AsyncSession, key: str, cost: float, *, rate: float, burst: float) -> float:
    """Spend ``cost`` tokens (refilled at ``rate``/s up to ``burst``) and return 0, or return
    the seconds until they will be there. Call inside a transaction; the row must exist.

    A cost above ``burst`` (a big album) is allowed once the bucket is full and leaves it in
    debt, so it can never starve."""
    row = (
        await session.execute(
            select(RateBudget.tokens, func.extract("epoch", func.now() - RateBudget.updated_at))
            .where(RateBudget.key == key)
            .with_for_update()
        )
    ).one()
    tokens, elapsed = float(row[0]), max(0.0, float(row[1]))
    available = min(burst, tokens + elapsed * rate)
    need = min(cost, burst)
    granted = available >= need
    await session.execute(
        update(RateBudget)
        .where(RateBudget.key == key)
        .values(tokens=available - cost if granted else available, updated_at=func.now())
    )
    return 0.0 if granted else (need - available) / rate
