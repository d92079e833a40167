"""What digests read, for many chats at once: one hour's batch of chats shares each query.

Chat-scoped reads take a list of chat ids and join their subscriptions with the match record
(``ix_post_key_matches_key_date``) once per chunk of ``CHUNK`` chats; window-scoped reads (the
day's claims and contradictions) run once per window through ``ix_claims_asserted_at`` and are
shared by every chat of the window.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import Text, and_, cast, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload

from bot.analysis.claims.model import Kind
from storage.models import Channel, Contradiction, DigestRun, PostMatch, Subscription
from storage.models import Claim as ClaimRow
from storage.models import Post as PostRow

CHUNK = 500  # ids per IN list: within every database's parameter limit
T = TypeVar("T")


def _chunks(items: Sequence[T]) -> Iterator[list[T]]:
    for lo in range(0, len(items), CHUNK):
        yield list(items[lo : lo + CHUNK])


@dataclass(frozen=True, slots=True)
class ClaimAt:
    """A stored claim and the post that made it (channel username, message id)."""

    row: ClaimRow
    channel: str
    message_id: int


@dataclass(frozen=True, slots=True)
class PairAt:
    """A stored contradiction with both claims and where each was made."""

    pair: Contradiction
    new: ClaimAt
    earlier: ClaimAt


async def subscriptions(
    session: AsyncSession, chat_ids: Sequence[int]
) -> dict[int, list[Subscription]]:
    """Each chat's subscriptions, in id order."""
    out: dict[int, list[Subscription]] = defaultdict(list)
    for ids in _chunks(sorted(set(chat_ids))):
        stmt = select(Subscription).where(Subscription.chat_id.in_(ids)).order_by(Subscription.id)
        for sub in await session.scalars(stmt):
            out[sub.chat_id].append(sub)
    return out


async def matches(
    session: AsyncSession, chat_ids: Sequence[int], since: datetime, until: datetime
) -> list[tuple[int, int, int, str]]:
    """(chat, post, subscription, spans as JSON text) of the chats' matches in [since,
    until), oldest post first; deleted posts included (the caller knows which are live).
    The spans stay text: a digest shows a few posts per item, and the same post matched for
    the same words has the same text in every chat, so the caller parses each once."""
    out: list[tuple[int, int, int, str]] = []
    for ids in _chunks(sorted(set(chat_ids))):
        # The match record is per (post, kind, key): a chat's matches are those of its own
        # subscriptions' keys (``ix_post_key_matches_key_date`` gives each key's window).
        stmt = (
            select(Subscription.chat_id, PostMatch.post_id, Subscription.id)
            .add_columns(cast(PostMatch.spans, Text))
            .select_from(Subscription)
            .join(
                PostMatch,
                and_(PostMatch.kind == Subscription.kind, PostMatch.key == Subscription.key),
            )
            .where(
                Subscription.chat_id.in_(ids),
                PostMatch.date >= since,
                PostMatch.date < until,
            )
            .order_by(PostMatch.date, PostMatch.post_id, Subscription.id)
        )
        out += [
            (int(c), int(p), int(s), str(j or "[]")) for c, p, s, j in await session.execute(stmt)
        ]
    return out


async def live_post_dates(
    session: AsyncSession, since: datetime, until: datetime
) -> dict[int, datetime]:
    """Id -> date of the not deleted posts dated in [since, until): one range of
    ``ix_posts_date`` shared by every chat of a window."""
    stmt = select(PostRow.id, PostRow.date).where(
        PostRow.date >= since, PostRow.date < until, PostRow.deleted.is_(False)
    )
    return {int(i): d for i, d in await session.execute(stmt)}


async def posts(session: AsyncSession, post_ids: Sequence[int]) -> dict[int, PostRow]:
    """Posts by id, each with its channel loaded."""
    out: dict[int, PostRow] = {}
    for ids in _chunks(sorted(set(post_ids))):
        stmt = select(PostRow).options(joinedload(PostRow.channel)).where(PostRow.id.in_(ids))
        for row in await session.scalars(stmt):
            out[row.id] = row
    return out


async def flagged_posts(
    session: AsyncSession, post_ids: Sequence[int]
) -> tuple[set[int], set[int]]:
    """(posts with a claim in a contradiction, posts with any claim other than losses)."""
    contradicted: set[int] = set()
    with_claims: set[int] = set()
    for ids in _chunks(sorted(set(post_ids))):
        with_claims.update(
            await session.scalars(
                select(ClaimRow.post_id).where(
                    ClaimRow.post_id.in_(ids), ClaimRow.kind != Kind.LOSSES
                )
            )
        )
        contradicted.update(
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


async def claims_between(session: AsyncSession, since: datetime, until: datetime) -> list[ClaimAt]:
    """Claims other than loss counters asserted in [since, until), newest first."""
    stmt = (
        select(ClaimRow, Channel.username, PostRow.message_id)
        .join(PostRow, PostRow.id == ClaimRow.post_id)
        .join(Channel, Channel.id == PostRow.channel_id)
        .where(
            ClaimRow.asserted_at >= since,
            ClaimRow.asserted_at < until,
            ClaimRow.kind != Kind.LOSSES,
        )
        .order_by(ClaimRow.asserted_at.desc(), ClaimRow.id.desc())
    )
    return [ClaimAt(row, ch, msg) for row, ch, msg in await session.execute(stmt)]


async def losses_between(session: AsyncSession, since: datetime, until: datetime) -> list[ClaimAt]:
    """Loss counter figures asserted in [since, until): the newest report first, each
    report's figures in the order they were stored."""
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
    return [ClaimAt(row, ch, msg) for row, ch, msg in await session.execute(stmt)]


async def contradictions_between(
    session: AsyncSession, since: datetime, until: datetime
) -> list[PairAt]:
    """Pairs whose newer claim was asserted in [since, until), newest first."""
    new, old = aliased(ClaimRow), aliased(ClaimRow)
    new_post, old_post = aliased(PostRow), aliased(PostRow)
    new_ch, old_ch = aliased(Channel), aliased(Channel)
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
        .where(new.asserted_at >= since, new.asserted_at < until)
        .order_by(new.asserted_at.desc(), Contradiction.id.desc())
    )
    return [
        PairAt(pair, ClaimAt(n, n_ch, n_id), ClaimAt(o, o_ch, o_id))
        for pair, n, o, n_ch, n_id, o_ch, o_id in await session.execute(stmt)
    ]


async def claim_before(
    session: AsyncSession, place_id: str, side: str | None, since: datetime
) -> ClaimRow | None:
    """What ``side`` last claimed about the place before ``since`` (losses excluded)."""
    row: ClaimRow | None = await session.scalar(
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
    return row


async def previous_figure(session: AsyncSession, place_id: str, at: datetime) -> ClaimRow | None:
    """The claim about ``place_id`` (a loss counter) last asserted before ``at``."""
    row: ClaimRow | None = await session.scalar(
        select(ClaimRow)
        .where(ClaimRow.place_id == place_id, ClaimRow.asserted_at < at)
        .order_by(ClaimRow.asserted_at.desc())
        .limit(1)
    )
    return row


async def runs_since(session: AsyncSession, day: date) -> set[tuple[int, date]]:
    """(chat, day) pairs of digest runs recorded from ``day`` on: one query for all chats."""
    rows = await session.execute(
        select(DigestRun.chat_id, DigestRun.day).where(DigestRun.day >= day)
    )
    return {(int(c), d) for c, d in rows.all()}
