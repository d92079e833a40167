"""Posts, their earlier versions and their media links."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.core.post import ForwardOrigin, Post
from storage.models import Channel, PostMedia, PostVersion
from storage.models import Post as PostRow
from storage.repos import channels as channel_repo
from storage.repos import media as media_repo


async def get(session: AsyncSession, channel_id: int, message_id: int) -> PostRow | None:
    row: PostRow | None = await session.scalar(
        select(PostRow)
        .where(PostRow.channel_id == channel_id, PostRow.message_id == message_id)
        .options(selectinload(PostRow.media_links))
    )
    return row


async def get_by_ref(session: AsyncSession, channel: str, message_id: int) -> PostRow | None:
    row: PostRow | None = await session.scalar(
        select(PostRow)
        .join(Channel, Channel.id == PostRow.channel_id)
        .where(Channel.username == channel, PostRow.message_id == message_id)
        .options(selectinload(PostRow.media_links))
    )
    return row


async def insert(session: AsyncSession, channel: Channel, post: Post) -> PostRow:
    origin_channel, origin_id = post.origin
    fwd = post.forward
    row = PostRow(
        channel_id=channel.id,
        message_id=post.id,
        date=post.date,
        text=post.text,
        edit_date=post.edit_date,
        deleted=False,
        grouped_id=post.grouped_id,
        fwd_channel=fwd.channel if fwd else None,
        fwd_message_id=fwd.message_id if fwd else None,
        fwd_name=fwd.name if fwd else None,
        origin_channel=origin_channel,
        origin_id=origin_id,
        views=post.views,
        media_links=[],  # known empty: no lazy load (async sessions can't lazy-load)
    )
    session.add(row)
    await session.flush()
    await attach_media(session, row, post)
    await channel_repo.raise_last_id(session, channel.id, post.id)
    return row


async def attach_media(session: AsyncSession, row: PostRow, post: Post) -> None:
    # Through the collection, not session.add: a PostMedia outside its parent's collection
    # counts as an orphan and the delete-orphan cascade would silently drop it.
    existing = {link.media_id for link in row.media_links}
    for media in post.media:
        media_row = await media_repo.ensure(session, media)
        if media_row.id in existing:
            continue
        row.media_links.append(PostMedia(media_id=media_row.id, position=len(existing)))
        existing.add(media_row.id)
    await session.flush()


async def record_edit(session: AsyncSession, row: PostRow, post: Post) -> str:
    """Keep the current text as a version and take the new one; returns the old text."""
    old_text = row.text
    session.add(PostVersion(post_id=row.id, text=old_text, edit_date=row.edit_date or row.date))
    row.text = post.text
    row.edit_date = post.edit_date
    await session.flush()
    return old_text


async def mark_deleted(
    session: AsyncSession, channel_id: int, message_ids: Sequence[int], when: datetime
) -> int:
    result = await session.execute(
        update(PostRow)
        .where(
            PostRow.channel_id == channel_id,
            PostRow.message_id.in_(list(message_ids)),
            PostRow.deleted.is_(False),
        )
        .values(deleted=True, deleted_at=when)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def last_id(session: AsyncSession, channel: str) -> int:
    value = await session.scalar(
        select(func.max(PostRow.message_id))
        .join(Channel, Channel.id == PostRow.channel_id)
        .where(Channel.username == channel)
    )
    return int(value or 0)


async def versions(session: AsyncSession, post_id: int) -> list[PostVersion]:
    return list(
        await session.scalars(
            select(PostVersion).where(PostVersion.post_id == post_id).order_by(PostVersion.id)
        )
    )


async def recent(
    session: AsyncSession,
    *,
    channel: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
    newest_first: bool = False,
) -> list[PostRow]:
    stmt = (
        select(PostRow)
        .join(Channel, Channel.id == PostRow.channel_id)
        .options(selectinload(PostRow.media_links))
    )
    if channel:
        stmt = stmt.where(Channel.username == channel)
    if since:
        stmt = stmt.where(PostRow.date >= since)
    if until:
        stmt = stmt.where(PostRow.date < until)
    order = (PostRow.date.desc(), PostRow.id.desc()) if newest_first else (PostRow.date, PostRow.id)
    stmt = stmt.order_by(*order)
    if limit:
        stmt = stmt.limit(limit)
    return list(await session.scalars(stmt))


def to_post(row: PostRow) -> Post:
    """The stored row as our frozen record (media from the links)."""
    forward = None
    if row.fwd_channel or row.fwd_name or row.fwd_message_id:
        forward = ForwardOrigin(row.fwd_channel, row.fwd_message_id, row.fwd_name)
    return Post(
        channel=row.channel.username,
        id=row.message_id,
        date=row.date,
        text=row.text,
        edit_date=row.edit_date,
        media=tuple(media_repo.to_file(link.media) for link in row.media_links),
        grouped_id=row.grouped_id,
        forward=forward,
        channel_title=row.channel.title,
        views=row.views,
    )


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> list[PostRow]:
    """The rows of ``ids`` in that order (ids no longer stored are left out)."""
    if not ids:
        return []
    found = {r.id: r for r in await session.scalars(select(PostRow).where(PostRow.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


async def export_page(
    session: AsyncSession,
    *,
    limit: int,
    channel: str | None = None,
    since: datetime | None = None,
    after: tuple[datetime, int] | None = None,
) -> list[PostRow]:
    """Up to ``limit`` posts in (date, id) order after the key ``after``, with their media
    and versions loaded: the export reads the archive a page at a time (keyset paging)."""
    stmt = (
        select(PostRow)
        .join(Channel, Channel.id == PostRow.channel_id)
        .options(selectinload(PostRow.media_links), selectinload(PostRow.versions))
        .order_by(PostRow.date, PostRow.id)
        .limit(limit)
    )
    if channel:
        stmt = stmt.where(Channel.username == channel)
    if since:
        stmt = stmt.where(PostRow.date >= since)
    if after is not None:
        stmt = stmt.where(
            (PostRow.date > after[0]) | ((PostRow.date == after[0]) & (PostRow.id > after[1]))
        )
    return list(await session.scalars(stmt))
