"""What goes into one chat's digest, read from the archive into a JSON-able payload.

The payload is language-neutral: the renderer words it for the chat when it is sent. Posts
are those the ingest path recorded as matching the chat's subscriptions (``StoredMatches``),
so a digest counts exactly what the chat would have been alerted about.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import partial
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.analysis.claims.model import Kind
from bot.digest.matches import Matches
from bot.matching import ChatMatch
from storage.models import Channel, Contradiction, Subscription
from storage.models import Claim as ClaimRow
from storage.models import Post as PostRow
from storage.repos import subscriptions as sub_repo

TOP_PER_ITEM = 3
MAX_ITEMS = 10
MAX_CONTRADICTIONS = 5  # episodes
MAX_CONTRADICTION_PAIRS = 200
MAX_CLAIM_CHANGES = 8
SNIPPET = 500  # characters of a post's text kept in the payload for the renderer's excerpt
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


def _ref(row: PostRow) -> dict[str, Any]:
    return {
        "channel": row.channel.username,
        "id": row.message_id,
        "title": row.channel.title,
        "date": row.date.isoformat(),
    }


def _place_names(row: ClaimRow) -> dict[str, str]:
    data = row.data or {}
    return {
        "id": row.place_id,
        "en": row.place_name,
        "uk": str(data.get("place_uk") or row.place_name),
    }


async def _flagged_posts(
    session: AsyncSession, post_ids: Sequence[int]
) -> tuple[set[int], set[int]]:
    """(posts with a claim in a contradiction, posts with any claim other than losses)."""
    if not post_ids:
        return set(), set()
    ids = list(post_ids)
    with_claims = set(
        await session.scalars(
            select(ClaimRow.post_id).where(ClaimRow.post_id.in_(ids), ClaimRow.kind != Kind.LOSSES)
        )
    )
    contradicted = set(
        await session.scalars(
            select(ClaimRow.post_id)
            .join(
                Contradiction,
                or_(
                    Contradiction.claim_id == ClaimRow.id,
                    Contradiction.earlier_claim_id == ClaimRow.id,
                ),
            )
            .where(ClaimRow.post_id.in_(ids))
        )
    )
    return contradicted, with_claims


def _snippet(row: PostRow, matches: Sequence[ChatMatch]) -> dict[str, Any]:
    """Up to SNIPPET characters around the first match, cut between words (the renderer's
    excerpt shortens it further, also between words)."""
    text = row.text
    spans = sorted({s for m in matches for s in m.spans})
    start = 0
    if spans and spans[0][0] > SNIPPET // 2:
        start = spans[0][0] - SNIPPET // 4
        space = text.find(" ", start, spans[0][0])
        start = space + 1 if space >= 0 else spans[0][0]
    end = start + SNIPPET
    if end < len(text):
        space = text.rfind(" ", start, end)
        last_span_end = max((e for s, e in spans if s >= start), default=start)
        end = space if space > max(start, last_span_end) else end
    cut = text[start:end]
    kept = [(s - start, e - start) for s, e in spans if s >= start and e <= start + len(cut)]
    lead = 1 if start else 0
    return {
        "text": ("…" if start else "") + cut,
        "spans": [[s + lead, e + lead] for s, e in kept],
    }


def _items(
    subs: Sequence[Subscription],
    matched: Sequence[tuple[PostRow, list[ChatMatch]]],
    contradicted: set[int],
    with_claims: set[int],
) -> list[dict[str, Any]]:
    echoes = Counter((row.origin_channel, row.origin_id) for row, _ in matched)
    items: list[dict[str, Any]] = []
    for sub in subs:
        mine = [(row, [m for m in ms if m.subscription_id == sub.id]) for row, ms in matched]
        mine = [(row, ms) for row, ms in mine if ms]

        def rank(entry: tuple[PostRow, list[ChatMatch]]) -> tuple[int, int, int, int, float]:
            row = entry[0]
            return (
                row.id in contradicted,
                row.id in with_claims,
                echoes[(row.origin_channel, row.origin_id)],
                row.views or 0,
                row.date.timestamp(),
            )

        top: list[dict[str, Any]] = []
        seen_origins: set[tuple[str, int]] = set()
        for row, ms in sorted(mine, key=rank, reverse=True):
            origin = (row.origin_channel, row.origin_id)
            if origin in seen_origins:  # a forward of a post already listed
                continue
            seen_origins.add(origin)
            top.append(
                _ref(row)
                | _snippet(row, ms)
                | {"contradiction": row.id in contradicted, "echo": echoes[origin]}
            )
            if len(top) >= TOP_PER_ITEM:
                break
        items.append(item_ref(sub) | {"posts": len(mine), "top": top})
    items.sort(key=lambda i: -int(i["posts"]))
    return items[:MAX_ITEMS]


async def _contradictions(
    session: AsyncSession,
    post_ids: Sequence[int],
    place_ids: Sequence[str],
    since: datetime,
    until: datetime,
) -> list[dict[str, Any]]:
    new, old = aliased(ClaimRow), aliased(ClaimRow)
    new_post, old_post = aliased(PostRow), aliased(PostRow)
    new_ch, old_ch = aliased(Channel), aliased(Channel)
    about_chat = [new.post_id.in_(list(post_ids))] if post_ids else []
    if place_ids:
        about_chat.append(Contradiction.place_id.in_(list(place_ids)))
    if not about_chat:
        return []
    stmt = (
        select(
            Contradiction,
            new,
            old,
            new_ch.username,
            new_post.message_id,
            old_ch.username,
            old_post.message_id,
        )
        .join(new, new.id == Contradiction.claim_id)
        .join(old, old.id == Contradiction.earlier_claim_id)
        .join(new_post, new_post.id == new.post_id)
        .join(new_ch, new_ch.id == new_post.channel_id)
        .join(old_post, old_post.id == old.post_id)
        .join(old_ch, old_ch.id == old_post.channel_id)
        .where(new.asserted_at >= since, new.asserted_at < until, or_(*about_chat))
        .order_by(new.asserted_at.desc(), Contradiction.id.desc())
        .limit(MAX_CONTRADICTION_PAIRS)
    )
    # One line per episode: the same place disputed by the same two sides is one story,
    # however many post pairs repeat it; the newest pair is linked, the others counted.
    episodes: dict[object, dict[str, Any]] = {}
    for pair, n, o, n_ch, n_id, o_ch, o_id in (await session.execute(stmt)).all():
        key = pair.episode_id or (pair.place_id, frozenset((n.side, o.side)))
        if key in episodes:
            episodes[key]["pairs"] += 1
            continue
        if len(episodes) >= MAX_CONTRADICTIONS:
            continue
        episodes[key] = {
            "place": _place_names(n),
            "why": pair.why,
            "why_uk": pair.why_uk,
            "new": {"channel": n_ch, "id": n_id, "side": n.side},
            "earlier": {"channel": o_ch, "id": o_id, "side": o.side},
            "pairs": 1,
        }
    return list(episodes.values())


def _claim_view(row: ClaimRow) -> dict[str, Any]:
    data = row.data or {}
    return {"kind": row.kind, "polarity": row.polarity, "controller": data.get("controller")}


async def _claim_changes(
    session: AsyncSession,
    cache: Matches,
    post_ids: Sequence[int],
    place_ids: Sequence[str],
    since: datetime,
    until: datetime,
) -> list[dict[str, Any]]:
    """Per (place, side): the day's latest claim, when it differs from that side's latest
    claim about the place before the day (or there was none)."""
    about_chat = [ClaimRow.post_id.in_(list(post_ids))] if post_ids else []
    if place_ids:
        about_chat.append(ClaimRow.place_id.in_(list(place_ids)))
    if not about_chat:
        return []
    stmt = (
        select(ClaimRow, Channel.username, PostRow.message_id)
        .join(PostRow, PostRow.id == ClaimRow.post_id)
        .join(Channel, Channel.id == PostRow.channel_id)
        .where(
            ClaimRow.asserted_at >= since,
            ClaimRow.asserted_at < until,
            ClaimRow.kind != Kind.LOSSES,
            or_(*about_chat),
        )
        .order_by(ClaimRow.asserted_at.desc(), ClaimRow.id.desc())
    )
    latest: dict[tuple[str, str | None], tuple[ClaimRow, str, int]] = {}
    for row, channel, msg in (await session.execute(stmt)).all():
        latest.setdefault((row.place_id, row.side), (row, channel, msg))
    out = []
    for (place_id, side), (row, channel, msg) in latest.items():
        was = await cache.once(
            ("claim_before", place_id, side, since),
            partial(_claim_before, session, place_id, side, since),
        )
        now_view = _claim_view(row)
        if was == now_view:
            continue
        out.append(
            {
                "place": _place_names(row),
                "side": side,
                "now": now_view,
                "was": was,
                "channel": channel,
                "id": msg,
            }
        )
        if len(out) >= MAX_CLAIM_CHANGES:
            break
    return out


async def _claim_before(
    session: AsyncSession, place_id: str, side: str | None, since: datetime
) -> dict[str, Any] | None:
    """What ``side`` last claimed about the place before ``since`` (shared by every chat)."""
    before = await session.scalar(
        select(ClaimRow)
        .where(
            ClaimRow.place_id == place_id,
            ClaimRow.side.is_(None) if side is None else ClaimRow.side == side,
            ClaimRow.asserted_at < since,
            ClaimRow.kind != Kind.LOSSES,
        )
        .order_by(ClaimRow.asserted_at.desc(), ClaimRow.id.desc())
        .limit(1)
    )
    return _claim_view(before) if before is not None else None


async def _losses(
    session: AsyncSession, since: datetime, until: datetime
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    stmt = (
        select(ClaimRow, Channel.username, PostRow.message_id)
        .join(PostRow, PostRow.id == ClaimRow.post_id)
        .join(Channel, Channel.id == PostRow.channel_id)
        .where(
            ClaimRow.kind == Kind.LOSSES,
            ClaimRow.asserted_at >= since,
            ClaimRow.asserted_at < until,
        )
        .order_by(ClaimRow.asserted_at.desc(), ClaimRow.id)
    )
    rows = (await session.execute(stmt)).all()
    if not rows:
        return [], None
    # The day's latest report (one post) only: the counters are cumulative.
    newest_post = rows[0][0].post_id
    out = []
    for row, _channel, _msg in rows:
        if row.post_id != newest_post:
            continue
        data = row.data or {}
        cumulative = data.get("cumulative")
        change = data.get("change")
        if change is None and cumulative is not None:
            prev = await session.scalar(
                select(ClaimRow)
                .where(ClaimRow.place_id == row.place_id, ClaimRow.asserted_at < row.asserted_at)
                .order_by(ClaimRow.asserted_at.desc())
                .limit(1)
            )
            prev_cum = (prev.data or {}).get("cumulative") if prev is not None else None
            change = int(cumulative) - int(prev_cum) if prev_cum is not None else None
        out.append(
            {
                "metric": data.get("metric") or row.place_name,
                "cumulative": cumulative,
                "change": change,
            }
        )
    return out, {"channel": rows[0][1], "id": rows[0][2]}


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
    cache: Matches,
    chat_id: int,
    days: Sequence[date],
    tz: tzinfo,
    subs: Sequence[Subscription],
) -> dict[str, Any]:
    """Mentions per local day over the last week, per tracked item (keyed by subscription
    id, named when drawn, in the chat's language); falls back to the daily change of the
    personnel loss counter when nothing tracked was mentioned."""
    index = {d: i for i, d in enumerate(days)}
    start = _local_midnight(days[0], tz)
    end = _local_midnight(days[-1] + timedelta(days=1), tz)
    counts: dict[int, list[int]] = {sub.id: [0] * len(days) for sub in subs}
    for sub_id, when in await cache.dates(session, chat_id, start, end):
        idx = index.get(_aware(when).astimezone(tz).date())
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
        figures, _ = await cache.once(
            ("losses", s, u),
            partial(_losses, session, s, u),
        )
        personnel = next((f for f in figures if f["metric"] == "personnel"), None)
        losses.append(int(personnel["change"] or 0) if personnel else 0)
    if any(losses):
        return {
            "kind": "losses",
            "days": iso,
            "series": [{"kind": "metric", "key": "personnel", "label": "", "values": losses}],
        }
    return {}


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def item_ref(sub: Subscription) -> dict[str, Any]:
    """What names a tracked item at send time: its kind and key (a place id is named from
    the gazetteer in the chat's language then), the label it was tracked as as a fallback."""
    return {"kind": sub.kind, "key": sub.key, "label": sub.label}


async def build(
    session: AsyncSession,
    cache: Matches,
    *,
    chat_id: int,
    day: date,
    windows: Sequence[tuple[date, datetime, datetime]],
    tz: tzinfo = UTC,
) -> DigestContent:
    """The digest of ``chat_id`` for the last of ``windows`` (oldest first, one per day:
    (day, since, until)); the week's chart counts posts by their local day in ``tz``."""
    _day, since, until = windows[-1]
    subs = await sub_repo.for_chat(session, chat_id)
    content = DigestContent(
        chat_id, day, since, until, thread_id=min(subs, key=lambda s: s.id).thread_id if subs else 0
    )
    if subs:
        matched = await cache.for_chat(session, chat_id, since, until, subs)
        post_ids = [row.id for row, _ in matched]
        place_ids = [s.key for s in subs if s.kind == "place"]
        contradicted, with_claims = await _flagged_posts(session, post_ids)
        content.items = _items(subs, matched, contradicted, with_claims)
        content.contradictions = await _contradictions(session, post_ids, place_ids, since, until)
        content.claims = await _claim_changes(session, cache, post_ids, place_ids, since, until)
        days = chart_days(since, until, tz)
        content.week = await _week(session, cache, chat_id, days, tz, subs)
    content.losses, content.losses_post = await cache.once(
        ("losses", since, until), lambda: _losses(session, since, until)
    )
    return content


def windows_for(
    slots: Sequence[Any],
) -> list[tuple[date, datetime, datetime]]:
    """(day, since, until) of ``DigestSlot``-like objects."""
    return [(s.day, s.since, s.until) for s in slots]


def week_days(day: date) -> list[date]:
    return [day - timedelta(days=k) for k in range(CHART_DAYS - 1, -1, -1)]
