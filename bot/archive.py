"""Reading the archive back out: stored posts as plain records (export, analysis input)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Post as PostRow
from storage.repos import posts as post_repo

CSV_FIELDS = (
    "channel",
    "id",
    "date",
    "text",
    "edited",
    "deleted",
    "deleted_at",
    "media",
    "versions",
    "forward_channel",
    "forward_id",
    "forward_name",
    "grouped_id",
)
PAGE = 500


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def record(row: PostRow, media_dir: Path) -> dict[str, Any]:
    """One stored post in the export / analyze JSONL shape."""
    forward = None
    if row.fwd_channel or row.fwd_name:
        forward = {"channel": row.fwd_channel, "id": row.fwd_message_id, "name": row.fwd_name}
    return {
        "channel": row.channel.username,
        "id": row.message_id,
        "date": row.date.isoformat(),
        "text": row.text,
        "edited": _iso(row.edit_date),
        "deleted": row.deleted,
        "deleted_at": _iso(row.deleted_at),
        "media": [
            {
                "path": str((media_dir / link.media.path).resolve()),
                "sha256": link.media.sha256,
                "mime": link.media.mime,
                "width": link.media.width,
                "height": link.media.height,
            }
            for link in row.media_links
        ],
        "versions": [
            {"text": v.text, "since": _iso(v.edit_date), "replaced_at": _iso(v.replaced_at)}
            for v in row.versions
        ],
        "forward": forward,
        "grouped_id": row.grouped_id,
    }


async def iter_records(
    sessions: async_sessionmaker[AsyncSession],
    media_dir: Path,
    *,
    channel: str | None = None,
    since: datetime | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Stored posts in (date, id) order, a page at a time so memory stays flat."""
    last: tuple[datetime, int] | None = None
    while True:
        async with sessions() as session:
            rows = await post_repo.export_page(
                session, limit=PAGE, channel=channel, since=since, after=last
            )
            page = [record(row, media_dir) for row in rows]
        if not rows:
            return
        last = (rows[-1].date, rows[-1].id)
        for item in page:
            yield item


def to_jsonl(item: dict[str, Any]) -> str:
    return json.dumps(item, ensure_ascii=False) + "\n"


def to_csv_row(item: dict[str, Any]) -> dict[str, Any]:
    forward = item["forward"] or {}
    return {
        **{
            k: item[k]
            for k in (
                "channel",
                "id",
                "date",
                "text",
                "edited",
                "deleted",
                "deleted_at",
                "grouped_id",
            )
        },
        "media": " ".join(m["path"] for m in item["media"]),
        "versions": json.dumps(item["versions"], ensure_ascii=False) if item["versions"] else "",
        "forward_channel": forward.get("channel"),
        "forward_id": forward.get("id"),
        "forward_name": forward.get("name"),
    }


def csv_header() -> str:
    buf = io.StringIO()
    csv.DictWriter(buf, CSV_FIELDS).writeheader()
    return buf.getvalue()


def csv_line(item: dict[str, Any]) -> str:
    buf = io.StringIO()
    csv.DictWriter(buf, CSV_FIELDS).writerow(to_csv_row(item))
    return buf.getvalue()
