"""Claims, contradictions and their episodes.

Candidates for a new claim come from one indexed range scan per place on
``ix_claims_place_time (place_id, asserted_at)``, newest first and cut at
``CANDIDATES_PER_PLACE`` rows: the cost stays flat with the size of the history *and* with the
rate of posting (at 2,000 posts a day an oblast gathers thousands of claims in the 45-day
window; the newest of them are the ones a new claim answers).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import delete, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from bot.analysis.claims.model import Claim, StoredClaimRef
from storage.models import Channel, Episode, Post
from storage.models import Claim as ClaimRow
from storage.models import Contradiction as ContradictionRow
from storage.repos._util import insert_ignore
from storage.types import utcnow

# Claim fields with no column of their own travel in ``data`` under these keys.
_EXTRA = ("controller", "reported_side", "start", "end")


async def delete_for_post(session: AsyncSession, post_id: int) -> None:
    """Forget a post's claims (before re-reading an edited post); pairs go with them."""
    await session.execute(delete(ClaimRow).where(ClaimRow.post_id == post_id))


async def add_claims(session: AsyncSession, post_id: int, claims: Sequence[Claim]) -> list[int]:
    """Store a post's claims; their ids, in order."""
    rows = []
    for c in claims:
        offset = c.asserted_at.utcoffset()
        data: dict[str, Any] = {
            **c.data,
            "controller": c.controller,
            "reported_side": c.reported_side,
            "start": c.start,
            "end": c.end,
            "utcoffset_min": int(offset.total_seconds() // 60) if offset else 0,
        }
        rows.append(
            ClaimRow(
                post_id=post_id,
                place_id=c.place_id,
                place_name=c.place_name,
                kind=c.kind,
                side=c.side,
                polarity=c.polarity,
                asserted_at=c.asserted_at,
                quote=c.quote,
                data=data,
            )
        )
    session.add_all(rows)
    await session.flush()
    return [r.id for r in rows]


def to_claim(row: ClaimRow) -> Claim:
    data = dict(row.data or {})
    extra = {k: data.pop(k, None) for k in _EXTRA}
    tz = timezone(timedelta(minutes=int(data.pop("utcoffset_min", 0) or 0)))
    return Claim(
        kind=row.kind,
        place_id=row.place_id,
        place_name=row.place_name,
        side=row.side,
        controller=extra["controller"],
        polarity=row.polarity,
        asserted_at=row.asserted_at.astimezone(tz),
        quote=row.quote,
        start=int(extra["start"] or 0),
        end=int(extra["end"] or 0),
        reported_side=extra["reported_side"],
        data=data,
    )


_REF_COLUMNS = (ClaimRow, Channel.username, Post.message_id)


def _ref(row: ClaimRow, channel: str, message_id: int) -> StoredClaimRef:
    return StoredClaimRef(to_claim(row), row.id, channel, message_id)


CANDIDATES_PER_PLACE = 100


async def candidates(
    session: AsyncSession,
    place_ids: Sequence[str],
    since: datetime,
    until: datetime,
    *,
    per_place: int = CANDIDATES_PER_PLACE,
) -> list[StoredClaimRef]:
    """Claims about ``place_ids`` asserted in [since, until], oldest first: for each place
    the newest ``per_place`` of them."""
    if not place_ids:
        return []
    # One bounded backward range of the (place, time) index per place.
    newest = [
        select(
            select(ClaimRow.id)
            .where(
                ClaimRow.place_id == place_id,
                ClaimRow.asserted_at >= since,
                ClaimRow.asserted_at <= until,
            )
            .order_by(ClaimRow.asserted_at.desc(), ClaimRow.id.desc())
            .limit(per_place)
            .subquery()
        )
        for place_id in dict.fromkeys(place_ids)
    ]
    stmt = (
        select(*_REF_COLUMNS)
        .join(Post, Post.id == ClaimRow.post_id)
        .join(Channel, Channel.id == Post.channel_id)
        .where(ClaimRow.id.in_(union_all(*newest)))
        .order_by(ClaimRow.asserted_at, ClaimRow.id)
    )
    result = await session.execute(stmt)
    return [_ref(row, channel, msg) for row, channel, msg in result.all()]


async def find_or_open_episode(
    session: AsyncSession, place_id: str, at: datetime, window: timedelta
) -> tuple[Episode, bool]:
    """The episode about ``place_id`` still open at ``at`` (last seen within ``window``),
    stretched to ``at``; or a new one. Returns (episode, opened now)."""
    episode: Episode | None = await session.scalar(
        select(Episode)
        .where(
            Episode.place_id == place_id,
            Episode.last_at >= at - window,
            Episode.started_at <= at + window,
        )
        .order_by(Episode.last_at.desc())
        .limit(1)
    )
    if episode is not None:
        episode.last_at = max(episode.last_at, at)
        episode.started_at = min(episode.started_at, at)
        return episode, False
    episode = Episode(place_id=place_id, started_at=at, last_at=at)
    session.add(episode)
    await session.flush()
    return episode, True


async def add_contradiction(
    session: AsyncSession,
    *,
    claim_id: int,
    earlier_claim_id: int,
    place_id: str,
    why: str,
    episode_id: int | None,
    why_uk: str | None = None,
) -> int | None:
    """Store one pair; None if it was stored already."""
    new_id: int | None = await insert_ignore(
        session,
        ContradictionRow.__table__,  # type: ignore[arg-type]
        {
            "claim_id": claim_id,
            "earlier_claim_id": earlier_claim_id,
            "place_id": place_id,
            "why": why,
            "why_uk": why_uk,
            "episode_id": episode_id,
            "created_at": utcnow(),
        },
        ["claim_id", "earlier_claim_id"],
        returning=ContradictionRow.id,
    )
    return new_id


async def claim_board(
    session: AsyncSession, place_ids: Sequence[str], *, scan: int = 100
) -> dict[str, StoredClaimRef]:
    """The latest claim of each side about any of ``place_ids`` (loss counters excluded),
    among the newest ``scan`` claims of each place: one bounded backward range of the
    (place, time) index per place, so a country's years of claims are never all read."""
    if not place_ids:
        return {}
    newest = [
        select(
            select(ClaimRow.id)
            .where(ClaimRow.place_id == place_id)
            .order_by(ClaimRow.asserted_at.desc(), ClaimRow.id.desc())
            .limit(scan)
            .subquery()
        )
        for place_id in dict.fromkeys(place_ids)
    ]
    stmt = (
        select(*_REF_COLUMNS)
        .join(Post, Post.id == ClaimRow.post_id)
        .join(Channel, Channel.id == Post.channel_id)
        .where(ClaimRow.id.in_(union_all(*newest)))
        .order_by(ClaimRow.asserted_at.desc(), ClaimRow.id.desc())
    )
    board: dict[str, StoredClaimRef] = {}
    for row, channel, msg in (await session.execute(stmt)).all():
        side = row.side or "?"
        if side not in board:
            board[side] = _ref(row, channel, msg)
    return board


async def contradictions_for_episode(
    session: AsyncSession, episode_id: int
) -> list[ContradictionRow]:
    return list(
        await session.scalars(
            select(ContradictionRow)
            .where(ContradictionRow.episode_id == episode_id)
            .order_by(ContradictionRow.id)
        )
    )
