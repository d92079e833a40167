"""Alerts and the delivery outbox.

A delivery row is claimed with a lease: a worker that dies mid-send leaves the row to expire
and another worker takes it. On PostgreSQL the claim skips rows other workers have locked;
SQLite serialises writers, so the same UPDATE … RETURNING is safe there without the lock
clause (SQLAlchemy drops ``with_for_update`` on SQLite).

The unique (alert, chat) pair is the idempotency key: a pair is queued once, and only the
lease holder may mark it sent. With several deliver processes, ``claim_due(exclusive=…)``
keeps each chat with one worker for its limit window, so per-chat pacing stays in one process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.core import alert as codec
from bot.core.alert import reasons_from_json as decode
from storage.models import Alert, Chat, Delivery
from storage.repos._util import dialect_name, insert_ignore
from storage.types import utcnow

_CHUNK = 250
PENDING, LEASED, SENT, FAILED, DROPPED = "pending", "leased", "sent", "failed", "dropped"
WAKE_CHANNEL = "dozor_outbox"  # bot.deliver.wakeup listens on it


async def notify_workers(session: AsyncSession) -> None:
    """Wake listening deliver workers when this transaction commits (PostgreSQL NOTIFY, which
    folds repeats within one transaction). Elsewhere nothing: workers poll."""
    if dialect_name(session) == "postgresql":
        await session.execute(text(f"NOTIFY {WAKE_CHANNEL}"))


async def ensure_alert(
    session: AsyncSession,
    *,
    kind: codec.AlertKind,
    dedupe_key: str,
    payload: codec.AlertPayload | Mapping[str, Any],
    post_id: int | None = None,
    priority: int = 1,
) -> tuple[Alert, bool]:
    """The alert for ``dedupe_key``, and whether this call created it. ``payload``: a typed
    alert (``bot.core.alert``) of that kind, or the JSON of a kind without one (digests,
    admin notices)."""
    if not isinstance(payload, Mapping) and payload.kind != kind:
        raise ValueError(f"a {payload.kind} payload queued as {kind}")
    new_id = await insert_ignore(
        session,
        Alert.__table__,  # type: ignore[arg-type]
        {
            "kind": codec.AlertKind(kind).value,
            "dedupe_key": dedupe_key,
            "payload": dict(payload) if isinstance(payload, Mapping) else codec.to_json(payload),
            "post_id": post_id,
            "priority": priority,
            "created_at": utcnow(),
        },
        ["dedupe_key"],
        returning=Alert.id,
    )
    alert = await session.scalar(select(Alert).where(Alert.dedupe_key == dedupe_key))
    assert alert is not None
    if new_id is not None:  # deliver workers in other processes learn of it at commit
        await notify_workers(session)
    return alert, new_id is not None


async def enqueue(
    session: AsyncSession,
    alert: Alert,
    chat_id: int,
    *,
    thread_id: int = 0,
    reasons: codec.Reasons | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Queue ``alert`` for ``chat_id`` once; False when that pair was already queued."""
    now = utcnow()
    new_id = await insert_ignore(
        session,
        Delivery.__table__,  # type: ignore[arg-type]
        {
            "alert_id": alert.id,
            "chat_id": chat_id,
            "thread_id": thread_id,
            "priority": alert.priority,
            "status": PENDING,
            "attempts": 0,
            "not_before": not_before or now,
            "reasons": {} if reasons is None else codec.reasons_to_json(reasons),
            "created_at": now,
        },
        ["alert_id", "chat_id"],
        returning=Delivery.id,
    )
    return new_id is not None


@dataclass(frozen=True, slots=True)
class Recipient:
    chat_id: int
    thread_id: int
    reasons: codec.Reasons


async def enqueue_many(session: AsyncSession, alert: Alert, recipients: Sequence[Recipient]) -> int:
    """Queue ``alert`` for every recipient with one statement, executed for many rows at once
    (in chunks of ``_CHUNK``); pairs already queued are left as they are. A post that concerns
    2,000 chats is one short write, not 2,000 round trips holding the write lock. Returns how
    many rows were inserted (RETURNING yields nothing for a pair skipped by ON CONFLICT)."""
    if not recipients:
        return 0
    now = utcnow()
    table = Delivery.__table__
    dialect = postgresql if dialect_name(session) == "postgresql" else sqlite
    stmt = (
        dialect.insert(table)
        .on_conflict_do_nothing(index_elements=["alert_id", "chat_id"])
        .returning(table.c.id)
    )
    inserted = 0
    encoded: dict[int, dict[str, Any]] = {}  # by identity: recipients often share reasons
    for start in range(0, len(recipients), _CHUNK):
        rows = [
            {
                "alert_id": alert.id,
                "chat_id": r.chat_id,
                "thread_id": r.thread_id,
                "priority": alert.priority,
                "status": PENDING,
                "attempts": 0,
                "not_before": now,
                "reasons": encoded.get(id(r.reasons))
                or encoded.setdefault(id(r.reasons), codec.reasons_to_json(r.reasons)),
                "created_at": now,
            }
            for r in recipients[start : start + _CHUNK]
        ]
        inserted += len((await session.execute(stmt, rows)).all())
        # Preparing a row's parameters (its JSON, its timestamps) is Python on the event loop;
        # between chunks the loop answers the sends that are waiting for it.
        await asyncio.sleep(0)
    return inserted


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    alert_id: int
    chat_id: int
    thread_id: int
    attempts: int
    reasons: codec.Reasons
    priority: int = 1


@dataclass(frozen=True, slots=True)
class ChatWindows:
    """How long after a send a chat stays with the worker that sent it (its limit window), so
    that one process's pacer sees every message of a chat within that chat's window."""

    private: timedelta = timedelta(seconds=1)
    group: timedelta = timedelta(seconds=60)


# Claims are serialised on PostgreSQL when chats are exclusive: two claims running at once
# could otherwise each lease a different row of the same chat before either committed.
_CLAIM_LOCK = 0x646F7A6F72  # "dozor"


async def claim_due(
    session: AsyncSession,
    worker: str,
    *,
    limit: int,
    lease: timedelta,
    exclusive: ChatWindows | None = None,
) -> list[Claimed]:
    """Lease up to ``limit`` due rows, most urgent first, at most one per chat (the head of
    its queue), so each chat's alerts go out in order.

    ``exclusive``: skip chats another worker holds, i.e. has a live lease on, or has sent to
    within the chat's limit window. Several deliver processes then never share a chat inside
    its window, and each one's per-chat pacing stays exact."""
    now = utcnow()
    row = aliased(Delivery)
    conditions = [
        or_(
            (row.status == PENDING) & (row.not_before <= now),
            (row.status == LEASED) & (row.lease_until < now),
        )
    ]
    # A chat's alerts go out in (priority, queue) order: only the head of each chat's queue is
    # due, so a row handed back or backing off keeps the ones queued after it waiting.
    ahead = aliased(Delivery)
    conditions.append(
        ~select(ahead.id)
        .where(
            ahead.chat_id == row.chat_id,
            ahead.status.in_([PENDING, LEASED]),
            or_(
                ahead.priority < row.priority,
                (ahead.priority == row.priority) & (ahead.id < row.id),
            ),
        )
        .correlate(row)
        .exists()
    )
    if exclusive is not None:
        if dialect_name(session) == "postgresql":
            await session.execute(select(func.pg_advisory_xact_lock(_CLAIM_LOCK)))
        other = aliased(Delivery)
        held = (
            select(other.id)
            .join(Chat, Chat.id == other.chat_id)
            .where(
                other.chat_id == row.chat_id,
                other.leased_by != worker,
                or_(
                    (other.status == LEASED) & (other.lease_until >= now),
                    (other.status == SENT)
                    & (Chat.type == "private")
                    & (other.sent_at > now - exclusive.private),
                    (other.status == SENT)
                    & (Chat.type != "private")
                    & (other.sent_at > now - exclusive.group),
                ),
            )
            .correlate(row)
        )
        conditions.append(~held.exists())
    due = (
        select(row.id)
        .where(*conditions)
        .order_by(row.priority, row.not_before, row.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=row)
        .scalar_subquery()
    )
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(due))
        .values(
            status=LEASED, lease_until=now + lease, leased_by=worker, attempts=Delivery.attempts + 1
        )
        .returning(
            Delivery.id,
            Delivery.alert_id,
            Delivery.chat_id,
            Delivery.thread_id,
            Delivery.attempts,
            Delivery.reasons,
            Delivery.priority,
        )
        .execution_options(synchronize_session=False)
    )
    rows = [
        Claimed(r.id, r.alert_id, r.chat_id, r.thread_id, r.attempts, decode(r.reasons), r.priority)
        for r in result.all()
    ]
    rows.sort(key=lambda c: (c.priority, c.id))
    return rows


async def extend_lease(
    session: AsyncSession, delivery_id: int, worker: str, until: datetime
) -> bool:
    """Keep a row held while it waits to be sent; False means another worker has it now."""
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == LEASED, Delivery.leased_by == worker)
        .values(lease_until=until)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def release(session: AsyncSession, delivery_id: int, worker: str, *, at: datetime) -> None:
    """Hand a leased row back unsent (its chat must wait): due again at ``at``, no attempt
    counted. The worker stays recorded so its recent sends keep the chat's window."""
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == LEASED, Delivery.leased_by == worker)
        .values(status=PENDING, not_before=at, lease_until=None, attempts=Delivery.attempts - 1)
    )


async def mark_sent(
    session: AsyncSession, delivery_id: int, worker: str, tg_message_id: int | None
) -> bool:
    """Only the lease holder may mark it; False means the lease was lost meanwhile."""
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == LEASED, Delivery.leased_by == worker)
        .values(status=SENT, sent_at=utcnow(), tg_message_id=tg_message_id, lease_until=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def mark_sent_many(
    session: AsyncSession, sent: Mapping[int, int | None], worker: str
) -> set[int]:
    """``mark_sent`` for several rows (row id -> Telegram's message id) in one statement;
    returns the ids marked (a row missing from it had lost its lease)."""
    if not sent:
        return set()
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(list(sent)), Delivery.status == LEASED, Delivery.leased_by == worker)
        .values(
            status=SENT,
            sent_at=utcnow(),
            tg_message_id=case(sent, value=Delivery.id),
            lease_until=None,
        )
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )
    return set(result.scalars())


async def reschedule(
    session: AsyncSession,
    delivery_id: int,
    *,
    at: datetime,
    error: str | None = None,
    count_attempt: bool = True,
) -> None:
    values: dict[str, Any] = {
        "status": PENDING,
        "not_before": at,
        "lease_until": None,
        "leased_by": None,
        "last_error": error,
    }
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


async def alerts_by_id(session: AsyncSession, ids: Collection[int]) -> dict[int, Alert]:
    rows = await session.scalars(select(Alert).where(Alert.id.in_(list(ids))))
    return {a.id: a for a in rows}


async def chats_by_id(session: AsyncSession, ids: Collection[int]) -> dict[int, Chat]:
    """The chats a claimed batch goes to (one query instead of one per row)."""
    rows = await session.scalars(select(Chat).where(Chat.id.in_(list(ids))))
    return {c.id: c for c in rows}


async def counts(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
    return {status: int(n) for status, n in rows.all()}


async def alerts_of_kind(session: AsyncSession, kind: codec.AlertKind) -> list[Alert]:
    """Every alert of ``kind``, oldest first (the replay's summary)."""
    return list(await session.scalars(select(Alert).where(Alert.kind == kind).order_by(Alert.id)))


async def pending_delivery(session: AsyncSession, dedupe_key: str, chat_id: int) -> Delivery | None:
    """The not yet sent delivery of the alert ``dedupe_key`` to ``chat_id``."""
    found: Delivery | None = await session.scalar(
        select(Delivery)
        .join(Alert, Alert.id == Delivery.alert_id)
        .where(
            Alert.dedupe_key == dedupe_key,
            Delivery.chat_id == chat_id,
            Delivery.status == PENDING,
        )
    )
    return found


def add_contradiction(delivery: Delivery, note: codec.ContradictionNote) -> None:
    """Shows ``note`` at the top of ``delivery``'s alert (a new value, so the JSON column sees
    the change)."""
    reasons = codec.reasons_from_json(delivery.reasons).with_contradiction(note)
    delivery.reasons = codec.reasons_to_json(reasons)


async def delivered_elsewhere(
    session: AsyncSession, alert: Alert, chat_id: int, thread_id: int, why: str
) -> bool:
    """Records ``alert`` as shown to ``chat_id`` inside another message (so it is never sent
    on its own); False when the pair was already queued."""
    new_id = await insert_ignore(
        session,
        Delivery.__table__,  # type: ignore[arg-type]
        {
            "alert_id": alert.id,
            "chat_id": chat_id,
            "thread_id": thread_id,
            "priority": alert.priority,
            "status": DROPPED,
            "attempts": 0,
            "not_before": utcnow(),
            "reasons": {},
            "created_at": utcnow(),
            "last_error": why,
        },
        ["alert_id", "chat_id"],
        returning=Delivery.id,
    )
    return new_id is not None
