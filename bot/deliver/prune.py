"""The periodic prune of the outbox's finished history (``OUTBOX_KEEP_DAYS``).

Runs beside the dispatcher in ``dozor run`` and ``dozor deliver``; several workers pruning at
once only delete disjoint or already-deleted rows. Batches keep each transaction short.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repos import outbox_upkeep
from storage.types import utcnow

log = logging.getLogger(__name__)
EVERY = timedelta(hours=1)
BATCH = 5000


async def prune_once(
    sessions: async_sessionmaker[AsyncSession], keep: timedelta, *, batch: int = BATCH
) -> tuple[int, int]:
    """(deliveries, alerts) deleted: everything finished more than ``keep`` ago."""
    before = utcnow() - keep
    deliveries = alerts = 0
    while True:
        async with sessions() as session, session.begin():
            n = await outbox_upkeep.prune_deliveries(session, before, batch=batch)
        deliveries += n
        if n < batch:
            break
    while True:
        async with sessions() as session, session.begin():
            n = await outbox_upkeep.prune_alerts(session, before, batch=batch)
        alerts += n
        if n < batch:
            break
    return deliveries, alerts


async def prune_forever(
    sessions: async_sessionmaker[AsyncSession],
    keep: timedelta,
    stop: asyncio.Event,
    *,
    every: timedelta = EVERY,
) -> None:
    """Prune now and then every ``every`` until ``stop``; a failed round waits for the next."""
    while not stop.is_set():
        try:
            deliveries, alerts = await prune_once(sessions, keep)
            if deliveries or alerts:
                log.info("outbox pruned: %d deliveries, %d alerts", deliveries, alerts)
        except SQLAlchemyError as exc:
            # The database is away (locked, read-only, restarting): the dispatcher already
            # says so once; one line here, and the next round will do.
            log.warning(
                "outbox prune skipped (%s); next in %s",
                type(getattr(exc, "orig", None) or exc).__name__,
                every,
            )
        except Exception:
            log.exception("outbox prune failed; retrying in %s", every)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every.total_seconds())
