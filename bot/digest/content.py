"""What goes into one chat's digest, read from the archive into a JSON-able payload.

The payload is language-neutral: the renderer words it for the chat when it is sent. Posts
are those the ingest path recorded as matching the chat's subscriptions (the match record),
so a digest counts exactly what the chat would have been alerted about. The reads are shared
by the chats of one window (``bot.digest.batch``); the sections are picked per chat
(``bot.digest.sections``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache, partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest import sections
from bot.digest.batch import ChatPart, DigestBatch
from bot.digest.sections import item_ref

CHART_DAYS = 7


@dataclass
class DigestContent:
    chat_id: int
    day: date
    since: datetime
    until: datetime
    items: list[dict[str, Any]] = field(default_factory=list)
    contradictions: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    losses: list[dict[str, Any]] = field(default_factory=list)
    losses_post: dict[str, Any] | None = None
    week: dict[str, Any] = field(default_factory=dict)  # chart data: days, series
    thread_id: int = 0

    @property
    def empty(self) -> bool:
        """Nothing about what the chat tracks (loss counters alone do not make a digest)."""
        return not (any(i["posts"] for i in self.items) or self.contradictions or self.claims)

    def payload(self, chart: str | None = None) -> dict[str, Any]:
        return {
            "chat_id": self.chat_id,
            "day": self.day.isoformat(),
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "items": self.items,
            "contradictions": self.contradictions,
            "claims": self.claims,
            "losses": self.losses,
            "losses_post": self.losses_post,
            "empty": self.empty,
            "chart": chart,
        }


def chart_days(since: datetime, until: datetime, tz: tzinfo) -> list[date]:
    """The chart's days: the week of local calendar days up to the one the digest's window
    ends in (its last bar may be partial), so each post's bar stands on the day it was
    published in the chat's time zone: a post of 26.04 23:00 under 26.04, not under the
    27.04 of the digest that reports it."""
    last = (until - timedelta(microseconds=1)).astimezone(tz).date()
    return [last - timedelta(days=k) for k in range(CHART_DAYS - 1, -1, -1)]


def _local_midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tz)


async def _week(
    session: AsyncSession,
    batch: DigestBatch,
    part: ChatPart,
    days: Sequence[date],
    tz: tzinfo,
) -> dict[str, Any]:
    """Mentions per local day over the last week, per tracked item (keyed by subscription
    id, named when drawn, in the chat's language); falls back to the daily change of the
    personnel loss counter when nothing tracked was mentioned."""
    index = {d: i for i, d in enumerate(days)}
    start = _local_midnight(days[0], tz)
    end = _local_midnight(days[-1] + timedelta(days=1), tz)
    subs = part.subs
    counts: dict[int, list[int]] = {sub.id: [0] * len(days) for sub in subs}
    for sub_id, when in part.dates:
        if not start <= when < end:
            continue
        idx = index.get(_local_day(when, tz))
        if idx is not None and sub_id in counts:
            counts[sub_id][idx] += 1
    iso = [d.isoformat() for d in days]
    series = [(sub, counts[sub.id]) for sub in subs if any(counts[sub.id])]
    if series:
        top = sorted(series, key=lambda kv: -sum(kv[1]))[:5]
        return {
            "kind": "mentions",
            "days": iso,
            "series": [{**item_ref(sub), "values": values} for sub, values in top],
        }
    losses: list[int] = []
    for d in days:
        s, u = _local_midnight(d, tz), _local_midnight(d + timedelta(days=1), tz)
        figures, _ = await batch.once(("losses", s, u), partial(sections.losses, session, s, u))
        personnel = next((f for f in figures if f["metric"] == "personnel"), None)
        losses.append(int(personnel["change"] or 0) if personnel else 0)
    if any(losses):
        return {
            "kind": "losses",
            "days": iso,
            "series": [{"kind": "metric", "key": "personnel", "label": "", "values": losses}],
        }
    return {}


@lru_cache(maxsize=1 << 16)
def _local_day(when: datetime, tz: tzinfo) -> date:
    """The local day of a post (memoised: every chat of a window counts the same posts)."""
    return _aware(when).astimezone(tz).date()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


async def build(
    session: AsyncSession,
    batch: DigestBatch,
    *,
    chat_id: int,
    day: date,
    windows: Sequence[tuple[date, datetime, datetime]],
    tz: tzinfo = UTC,
) -> DigestContent:
    """The digest of ``chat_id`` for the last of ``windows`` (oldest first, one per day:
    (day, since, until)); the week's chart counts posts by their local day in ``tz``."""
    _day, since, until = windows[-1]
    part = await batch.chat(session, chat_id, since, until)
    subs = part.subs
    content = DigestContent(
        chat_id, day, since, until, thread_id=min(subs, key=lambda s: s.id).thread_id if subs else 0
    )
    if subs:
        shared = await batch.day(session, since, until)
        post_ids = [row.id for row, _ in part.matched]
        place_ids = [s.key for s in subs if s.kind == "place"]
        content.items = sections.items(subs, part.matched, batch.contradicted, batch.with_claims)
        content.contradictions = sections.contradictions(shared, post_ids, place_ids)
        content.claims = await sections.claim_changes(
            session, batch, shared, since, post_ids, place_ids
        )
        days = chart_days(since, until, tz)
        content.week = await _week(session, batch, part, days, tz)
    content.losses, content.losses_post = await batch.once(
        ("losses", since, until), partial(sections.losses, session, since, until)
    )
    return content


def windows_for(
    slots: Sequence[Any],
) -> list[tuple[date, datetime, datetime]]:
    """(day, since, until) of ``DigestSlot``-like objects."""
    return [(s.day, s.since, s.until) for s in slots]


def week_days(day: date) -> list[date]:
    return [day - timedelta(days=k) for k in range(CHART_DAYS - 1, -1, -1)]


__all__ = ["CHART_DAYS", "DigestContent", "build", "chart_days", "item_ref", "week_days"]
