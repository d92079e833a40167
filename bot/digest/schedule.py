"""When a chat's digest is due: pure date arithmetic on zoneinfo, DST-correct.

A digest is identified by the chat's *local* date it is due on. Local wall-clock times are
turned into instants here, once, so a chat at 02:30 on a spring-forward night (02:30 does not
exist) still gets exactly one digest that day (at 03:30 local, the same instant an hour-late
clock would show), and a chat at 03:30 on a fall-back night (it happens twice) gets it at the
first occurrence only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class DigestSlot:
    """One digest of one chat: the local day it is due on, and the window it covers."""

    day: date
    due: datetime  # UTC instant the digest is sent
    since: datetime  # UTC: the previous day's due instant (23, 24 or 25 hours earlier)

    @property
    def until(self) -> datetime:
        return self.due


def due_at(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of ``at`` local time on ``day``.

    A time inside a spring-forward gap is read with the offset in force before the gap
    (fold=0), which lands it after the gap by the gap's length; an ambiguous time takes its
    first occurrence. Both keep exactly one instant per local day.
    """
    local = datetime.combine(day, at.replace(tzinfo=None), tzinfo=tz).replace(fold=0)
    return local.astimezone(UTC)


def slot(day: date, at: time, tz: ZoneInfo) -> DigestSlot:
    return DigestSlot(day, due_at(day, at, tz), due_at(day - timedelta(days=1), at, tz))


def local_day(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


def last_slot(now: datetime, at: time, tz: ZoneInfo) -> DigestSlot:
    """The most recent digest due at or before ``now``."""
    today = local_day(now, tz)
    for day in (
        today + timedelta(days=1),
        today,
        today - timedelta(days=1),
        today - timedelta(days=2),
    ):
        s = slot(day, at, tz)
        if s.due <= now:
            return s
    raise AssertionError("unreachable: a digest is due at least every 25 hours")


def next_slot(now: datetime, at: time, tz: ZoneInfo) -> DigestSlot:
    """The first digest due strictly after ``now``."""
    today = local_day(now, tz)
    for day in (
        today - timedelta(days=1),
        today,
        today + timedelta(days=1),
        today + timedelta(days=2),
    ):
        s = slot(day, at, tz)
        if s.due > now:
            return s
    raise AssertionError("unreachable: a digest is due at least every 25 hours")


def catch_up_slot(
    now: datetime, at: time, tz: ZoneInfo, *, max_late: timedelta, not_before: datetime | None
) -> DigestSlot | None:
    """The missed digest to send now, if any: only the most recent one, only if it is at most
    ``max_late`` overdue, and never one due before the chat existed (``not_before``).
    Whether it was already sent is the caller's business (the digest_runs table)."""
    s = last_slot(now, at, tz)
    if now - s.due > max_late:
        return None
    if not_before is not None and s.due < not_before:
        return None
    return s
