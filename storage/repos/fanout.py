"""A new post's match record and its per-chat deliveries, the latter written by the database.

The matcher hands over what the post matched once per distinct subscription (kind, key,
label): a few units, however many chats track them. The database joins them with the
subscriptions (through ``ix_subscriptions_fanout``) and writes one row per chat itself, in
one ``INSERT … SELECT``: no Python object, parameter set or JSON document per chat, so a
post that concerns 3,000 chats costs about what one that concerns three does.

A chat's delivery carries the reasons of the units it matched. Chats are grouped by that
set (a bitmask over the units, computed in SQL), so the reasons are built once per distinct
set, in the caller's terms (``reasons_for``), and joined in by the same statement.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, String, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Alert
from storage.repos import matches
from storage.repos._util import dialect_name
from storage.types import UTCDateTime, utcnow

PENDING = "pending"
_BITS = 62  # bits of one signed 64-bit signature word used


@dataclass(frozen=True, slots=True)
class Unit:
    """What a post matched for every subscription with this (kind, key, label): ``reason``
    is the label its delivery gives (the matcher's terms, carried through)."""

    kind: str
    key: str
    label: str
    reason: str
    spans: tuple[tuple[int, int], ...]


def _units_json(units: Sequence[Unit]) -> str:
    return json.dumps(
        [
            {
                "kind": u.kind,
                "key": u.key,
                "label": u.label,
                "w": i // _BITS,
                "bit": 1 << (i % _BITS),
                "spans": [list(s) for s in u.spans],
            }
            for i, u in enumerate(units)
        ],
        ensure_ascii=False,
    )


def _units_source(session: AsyncSession) -> str:
    """The ``:units`` JSON parameter as a relation m(kind, key, label, w, bit, spans)."""
    if dialect_name(session) == "postgresql":
        return (
            "json_to_recordset(CAST(:units AS json)) AS m"
            "(kind text, key text, label text, w int, bit bigint, spans json)"
        )
    return (
        "(SELECT json_extract(value, '$.kind') AS kind, json_extract(value, '$.key') AS key,"
        " json_extract(value, '$.label') AS label, json_extract(value, '$.w') AS w,"
        " json_extract(value, '$.bit') AS bit, json_extract(value, '$.spans') AS spans"
        " FROM json_each(:units)) AS m"
    )


def _matched(session: AsyncSession) -> str:
    """Active chats' subscriptions joined with the units they match."""
    return (
        f"subscriptions s JOIN chats c ON c.id = s.chat_id JOIN {_units_source(session)}"
        " ON s.kind = m.kind AND s.key = m.key AND s.label = m.label"
        " WHERE c.active"
    )


async def record(session: AsyncSession, post_id: int, date: datetime, units: Sequence[Unit]) -> int:
    """The match record of a new post: one row per (kind, key) it matched, whoever tracks it
    (``storage.repos.matches``)."""
    return await matches.record_keys(
        session, post_id, date, [(u.kind, u.key, u.spans) for u in units]
    )


def _signatures(session: AsyncSession, words: int) -> str:
    """Per chat: its oldest matching subscription (its topic wins) and the set of units it
    matched, as ``words`` bitmask columns."""
    sums = ", ".join(
        f"SUM(DISTINCT CASE WHEN m.w = {w} THEN m.bit ELSE 0 END) AS w{w}" for w in range(words)
    )
    return f"SELECT s.chat_id AS chat_id, MIN(s.id) AS first, {sums} FROM {_matched(session)}" + (
        " GROUP BY s.chat_id"
    )


def _bits(signature: Sequence[Any]) -> list[int]:
    out = []
    for w, word in enumerate(signature):
        value = int(word)
        out += [w * _BITS + b for b in range(_BITS) if value >> b & 1]
    return out


async def fan_out(
    session: AsyncSession,
    alert: Alert,
    units: Sequence[Unit],
    reasons_for: Callable[[Sequence[Unit]], dict[str, Any]],
) -> int:
    """Queue ``alert`` for every active chat with a subscription matching one of ``units``
    (once per chat, in the topic of its oldest such subscription); pairs already queued are
    left as they are. Returns how many rows were inserted."""
    if not units:
        return 0
    words = -(-len(units) // _BITS)
    params: dict[str, Any] = {"units": _units_json(units)}
    per_chat = _signatures(session, words)
    cols = [f"w{w}" for w in range(words)]
    distinct = text(f"SELECT DISTINCT {', '.join(cols)} FROM ({per_chat}) p").bindparams(
        bindparam("units", type_=String())
    )
    found = await session.execute(distinct, params)
    sets = []
    for row in found:
        picked = [units[i] for i in _bits(row)]
        sets.append(
            {**{c: int(v) for c, v in zip(cols, row, strict=True)}, "reasons": reasons_for(picked)}
        )
    if not sets:
        return 0
    pg = dialect_name(session) == "postgresql"
    if pg:
        source = (
            "json_to_recordset(CAST(:sets AS json)) AS r("
            + ", ".join(f"{c} numeric" for c in cols)
            + ", reasons json)"
        )
    else:
        fields = ", ".join(f"json_extract(value, '$.{c}') AS {c}" for c in cols)
        source = (
            f"(SELECT {fields}, json_extract(value, '$.reasons') AS reasons"
            " FROM json_each(:sets)) AS r"
        )
    same = " AND ".join(f"r.{c} = p.{c}" for c in cols)
    stmt = text(
        "INSERT INTO deliveries (alert_id, chat_id, thread_id, priority, status, attempts,"
        " not_before, reasons, created_at)"
        " SELECT :alert_id, p.chat_id, f.thread_id, :priority, :status, 0, :now, r.reasons, :now"
        f" FROM ({per_chat}) p JOIN subscriptions f ON f.id = p.first JOIN {source} ON {same}"
        # WHERE true: SQLite reads ON CONFLICT after a join as the join's constraint otherwise.
        " WHERE true ORDER BY p.first"
        " ON CONFLICT (alert_id, chat_id) DO NOTHING"
    ).bindparams(
        bindparam("alert_id", type_=BigInteger()),
        bindparam("priority", type_=Integer()),
        bindparam("status", type_=String()),
        bindparam("now", type_=UTCDateTime()),
        bindparam("units", type_=String()),
        bindparam("sets", type_=String()),
    )
    params |= {
        "sets": json.dumps(sets, ensure_ascii=False),
        "alert_id": alert.id,
        "priority": alert.priority,
        "status": PENDING,
        "now": utcnow(),
    }
    result = await session.execute(stmt, params)
    return int(result.rowcount)  # type: ignore[attr-defined]
