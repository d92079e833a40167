"""`dozor import FILE`: store a Desktop export (or a JSONL of posts) in the archive."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.app import start_core
from bot.cli.common import settings_from
from bot.config import Settings
from bot.watch.jsonl import detect_and_read

BATCH = 200


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("import", help="import a Telegram Desktop export or a posts JSONL")
    parser.add_argument("file", type=Path, help="result.json of a Desktop export, or .jsonl")
    parser.add_argument("--channel", help="channel username to file the posts under")
    parser.set_defaults(func=_run)


async def import_file(settings: Settings, path: Path, channel: str | None) -> tuple[int, int]:
    """Returns (posts read, posts newly stored). Safe to repeat: stored posts are skipped."""
    core = await start_core(settings)
    try:
        read = stored = 0
        batch = []
        for post in detect_and_read(path, core.media, channel=channel, tz=settings.default_tz):
            batch.append(post)
            if len(batch) >= BATCH:
                read += len(batch)
                stored += await core.ingest.new_posts(batch)
                batch = []
        if batch:
            read += len(batch)
            stored += await core.ingest.new_posts(batch)
        return read, stored
    finally:
        await core.close()


def _run(args: argparse.Namespace) -> int:
    read, stored = asyncio.run(import_file(settings_from(args), args.file, args.channel))
    print(f"read {read} posts, stored {stored} new")
    return 0
