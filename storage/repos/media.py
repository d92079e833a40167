"""Media files, content-addressed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.post import MediaFile
from storage.models import Media
from storage.repos._util import insert_ignore


async def ensure(session: AsyncSession, media: MediaFile) -> Media:
    """The row for this content; a file seen before (same sha256) is reused."""
    await insert_ignore(
        session,
        Media.__table__,  # type: ignore[arg-type]
        {
            "sha256": media.sha256,
            "path": media.path,
            "mime": media.mime,
            "size": media.size,
            "width": media.width,
            "height": media.height,
        },
        ["sha256"],
    )
    row = await session.scalar(select(Media).where(Media.sha256 == media.sha256))
    assert row is not None
    return row


def to_file(row: Media) -> MediaFile:
    return MediaFile(
        sha256=row.sha256,
        path=row.path,
        mime=row.mime,
        size=row.size,
        width=row.width,
        height=row.height,
    )
