"""Outbox upkeep: pruning finished history.

Finished deliveries (sent, failed, dropped) are kept ``OUTBOX_KEEP_DAYS`` for the per-chat
windows and for inspection, then deleted in batches through ``ix_deliveries_due`` (status,
priority, not_before), so five years of history never sit under the lease query. Alerts go
once no delivery refers to them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Alert, Delivery
from storage.repos.outbox import DROPPED, FAILED, SENT

FINISHED = (SENT, FAILED, DROPPED)


async def prune_deliveries(session: AsyncSession, before: datetime, *, batch: int = 5000) -> int:
    """Delete up to ``batch`` finished deliveries due before ``before``; how many went."""
    ids = (
        select(Delivery.id)
        .where(Delivery.status.in_(FINISHED), Delivery.not_before < before)
        .limit(batch)
        .scalar_subquery()
    )
    result = await session.execute(delete(Delivery).where(Delivery.id.in_(ids)))
    return int(getattr(result, "rowcount", 0) or 0)


async def prune_alerts(session: AsyncSession, before: datetime, *, batch: int = 5000) -> int:
    """Delete up to ``batch`` alerts created before ``before`` that no delivery refers to."""
    ids = (
        select(Alert.id)
        .where(Alert.created_at < before, ~exists().where(Delivery.alert_id == Alert.id))
        .limit(batch)
        .scalar_subquery()
    )
    result = await session.execute(delete(Alert).where(Alert.id.in_(ids)))
    return int(getattr(result, "rowcount", 0) or 0)
