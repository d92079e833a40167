"""The sections of one chat's digest, picked from what its window's batch read.

Pure selection except where a figure of the past is needed (a side's claim before the day,
a loss counter's previous value): those are read once per pass through ``DigestBatch.once``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest.batch import Day, DigestBatch, about
from bot.matching import ChatMatch
from storage.models import Claim as ClaimRow
from storage.models import Post as PostRow
from storage.models import Subscription
from storage.repos import digest_reads as reads

TOP_PER_ITEM = 3
MAX_ITEMS = 10
MAX_CONTRADICTIONS = 5  # episodes
MAX_CONTRADICTION_PAIRS = 200
MAX_CLAIM_CHANGES = 8
SNIPPET = 500  # characters of a post's text kept in the payload for the renderer's excerpt


def item_ref(sub: Subscription) -> dict[str, Any]:
    """What names a tracked item at send time: its kind and key (a place id is named from
    the gazetteer in the chat's language then), the label it was tracked as as a fallback."""
    return {"kind": sub.kind, "key": sub.key, "label": sub.label}


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


def snippet(row: PostRow, matches: Sequence[ChatMatch]) -> dict[str, Any]:
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


def items(
    subs: Sequence[Subscription],
    matched: Sequence[tuple[PostRow, list[ChatMatch]]],
    contradicted: set[int],
    with_claims: set[int],
) -> list[dict[str, Any]]:
    echoes = Counter((row.origin_channel, row.origin_id) for row, _ in matched)
    by_sub: dict[int, list[tuple[PostRow, list[ChatMatch]]]] = {sub.id: [] for sub in subs}
    for row, ms in matched:
        for m in ms:
            mine_of = by_sub.get(m.subscription_id)
            if mine_of is None:
                continue
            if not mine_of or mine_of[-1][0] is not row:
                mine_of.append((row, []))
            mine_of[-1][1].append(m)
    out: list[dict[str, Any]] = []
    for sub in subs:
        mine = by_sub[sub.id]

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
                | snippet(row, ms)
                | {"contradiction": row.id in contradicted, "echo": echoes[origin]}
            )
            if len(top) >= TOP_PER_ITEM:
                break
        out.append(item_ref(sub) | {"posts": len(mine), "top": top})
    out.sort(key=lambda i: -int(i["posts"]))
    return out[:MAX_ITEMS]


def contradictions(
    day: Day, post_ids: Sequence[int], place_ids: Sequence[str]
) -> list[dict[str, Any]]:
    """The day's pairs about the chat's posts or places (the newest MAX_CONTRADICTION_PAIRS),
    one line per episode: the same place disputed by the same two sides is one story, however
    many post pairs repeat it; the newest pair is linked, the others counted."""
    picked = about(day.pairs_by_post, day.pairs_by_place, post_ids, place_ids)
    episodes: dict[object, dict[str, Any]] = {}
    for i in picked[:MAX_CONTRADICTION_PAIRS]:
        p = day.pairs[i]
        n, o = p.new.row, p.earlier.row
        key = p.pair.episode_id or (p.pair.place_id, frozenset((n.side, o.side)))
        if key in episodes:
            episodes[key]["pairs"] += 1
            continue
        if len(episodes) >= MAX_CONTRADICTIONS:
            continue
        episodes[key] = {
            "place": _place_names(n),
            "why": p.pair.why,
            "why_uk": p.pair.why_uk,
            "new": {"channel": p.new.channel, "id": p.new.message_id, "side": n.side},
            "earlier": {"channel": p.earlier.channel, "id": p.earlier.message_id, "side": o.side},
            "pairs": 1,
        }
    return list(episodes.values())


def _claim_view(row: ClaimRow) -> dict[str, Any]:
    data = row.data or {}
    return {"kind": row.kind, "polarity": row.polarity, "controller": data.get("controller")}


async def claim_changes(
    session: AsyncSession,
    batch: DigestBatch,
    day: Day,
    since: datetime,
    post_ids: Sequence[int],
    place_ids: Sequence[str],
) -> list[dict[str, Any]]:
    """Per (place, side), among the day's claims in the chat's posts or about its places: the
    latest, when it differs from that side's latest claim about the place before the day (or
    there was none)."""
    latest: dict[tuple[str, str | None], int] = {}
    for i in about(day.claims_by_post, day.claims_by_place, post_ids, place_ids):
        row = day.claims[i].row
        latest.setdefault((row.place_id, row.side), i)
    out = []
    for (place_id, side), i in latest.items():
        now = day.claims[i]

        async def before(place_id: str = place_id, side: str | None = side) -> Any:
            row = await reads.claim_before(session, place_id, side, since)
            return _claim_view(row) if row is not None else None

        was = await batch.once(("claim_before", place_id, side, since), before)
        now_view = _claim_view(now.row)
        if was == now_view:
            continue
        out.append(
            {
                "place": _place_names(now.row),
                "side": side,
                "now": now_view,
                "was": was,
                "channel": now.channel,
                "id": now.message_id,
            }
        )
        if len(out) >= MAX_CLAIM_CHANGES:
            break
    return out


async def losses(
    session: AsyncSession, since: datetime, until: datetime
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The window's latest loss report (one post) only: the counters are cumulative; a
    figure without its change gets it from the counter's previous value."""
    rows = await reads.losses_between(session, since, until)
    if not rows:
        return [], None
    newest_post = rows[0].row.post_id
    out = []
    for found in rows:
        row = found.row
        if row.post_id != newest_post:
            continue
        data = row.data or {}
        cumulative = data.get("cumulative")
        change = data.get("change")
        if change is None and cumulative is not None:
            prev = await reads.previous_figure(session, row.place_id, row.asserted_at)
            prev_cum = (prev.data or {}).get("cumulative") if prev is not None else None
            change = int(cumulative) - int(prev_cum) if prev_cum is not None else None
        out.append(
            {
                "metric": data.get("metric") or row.place_name,
                "cumulative": cumulative,
                "change": change,
            }
        )
    return out, {"channel": rows[0].channel, "id": rows[0].message_id}
