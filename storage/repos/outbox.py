"""Alerts and the delivery outbox.

A delivery row is claimed with a lease: a worker that dies mid-send leaves the row to expire
and another worker takes it. On PostgreSQL the claim skips rows other workers have locked;
SQLite serialises writers, so the same UPDATE … RETURNING is safe there without the lock
clause (SQLAlchemy drops ``with_for_update`` on SQLite).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Alert, Delivery
from storage.repos._util import insert_ignore
from storage.types import utcnow

PENDING, LEASED, SENT, FAILED, DROPPED = "pending", "leased", "sent", "failed", "dropped"


async def ensure_alert(
    session: AsyncSession,
    *,
    kind: str,
    dedupe_key: str,
    payload: dict[str, Any],
    post_id: int | None = None,
    priority: int = 1,
) -> tuple[Alert, bool]:
    """The alert for ``dedupe_key``, and whether this call created it."""
    new_id = await insert_ignore(
        session,
        Alert.__table__,  # type: ignore[arg-type]
        {"kind": kind, "dedupe_key": dedupe_key, "payload": payload, "post_id": post_id,
         "priority": priority, "created_at": utcnow()},
        ["dedupe_key"],
        returning=Alert.id,
    )
    alert = await session.scalar(select(Alert).where(Alert.dedupe_key == dedupe_key))
    assert alert is not None
    return alert, new_id is not None


async def enqueue(
    session: AsyncSession,
    alert: Alert,
    chat_id: int,
    *,
    thread_id: int = 0,
    reasons: dict[str, Any] | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Queue ``alert`` for ``chat_id`` once; False when that pair was already queued."""
    now = utcnow()
    new_id = await insert_ignore(
        session,
        Delivery.__table__,  # type: ignore[arg-type]
        {"alert_id": alert.id, "chat_id": chat_id, "thread_id": thread_id,
         "priority": alert.priority, "status": PENDING, "attempts": 0,
         "not_before": not_before or now, "reasons": reasons or {}, "created_at": now},
        ["alert_id", "chat_id"],
        returning=Delivery.id,
    )
    return new_id is not None


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    alert_id: int
    chat_id: int
    thread_id: int
    attempts: int
    reasons: dict[str, Any]


async def claim_due(
    session: AsyncSession, worker: str, *, limit: int, lease: timedelta
) -> list[Claimed]:
    """Lease up to ``limit`` due rows, most urgent first."""
    now = utcnow()
    due = (
        select(Delivery.id)
        .where(
            or_(
                (Delivery.status == PENDING) & (Delivery.not_before <= now),
                (Delivery.status == LEASED) & (Delivery.lease_until < now),
            )
        )
        .order_by(Delivery.priority, Delivery.not_before, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(due))
        .values(status=LEASED, lease_until=now + lease, leased_by=worker,
                attempts=Delivery.attempts + 1)
        .returning(Delivery.id, Delivery.alert_id, Delivery.chat_id, Delivery.thread_id,
                   Delivery.attempts, Delivery.reasons)
        .execution_options(synchronize_session=False)
    )
    rows = [Claimed(*row) for row in result.all()]
    rows.sort(key=lambda c: c.id)
    return rows


async def mark_sent(
    session: AsyncSession, delivery_id: int, worker: str, tg_message_id: int | None
) -> bool:
    """Only the lease holder may mark it; False means the lease was lost meanwhile."""
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == LEASED,
               Delivery.leased_by == worker)
        .values(status=SENT, sent_at=utcnow(), tg_message_id=tg_message_id, lease_until=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def reschedule(
    session: AsyncSession, delivery_id: int, *, at: datetime, error: str | None = None,
    count_attempt: bool = True,
) -> None:
    values: dict[str, Any] = {"status": PENDING, "not_before": at, "lease_until": None,
                              "leased_by": None, "last_error": error}
    if not count_attempt:
        values["attempts"] = Delivery.attempts - 1
    await session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))


async def finish(session: AsyncSession, delivery_id: int, status: str, error: str) -> None:
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(status=status, last_error=error, lease_until=None)
    )


async def drop_for_chat(session: AsyncSession, chat_id: int, error: str) -> None:
    await session.execute(
        update(Delivery)
        .where(Delivery.chat_id == chat_id, Delivery.status.in_([PENDING, LEASED]))
        .values(status=DROPPED, last_error=error, lease_until=None)
    )


async def get_alert(session: AsyncSession, alert_id: int) -> Alert | None:
    return await session.get(Alert, alert_id)


async def counts(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
    return {status: int(n) for status, n in rows.all()}


async def pending_chats(session: AsyncSession, alert_ids: Sequence[int]) -> list[int]:
    return list(
        await session.scalars(select(Delivery.chat_id).where(Delivery.alert_id.in_(alert_ids)))
    )
