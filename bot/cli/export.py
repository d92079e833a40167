"""`dozor export [--channel C] [--since DATE] --format jsonl|csv [-o FILE]`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.cli.common import settings_from
from bot.core.post import normalise_channel

if TYPE_CHECKING:
    from bot.config import Settings


def parse_date(value: str) -> datetime:
    """An ISO date or datetime; a bare date is midnight UTC."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("export", help="dump stored posts with versions and media paths")
    parser.add_argument("--channel", type=normalise_channel)
    parser.add_argument("--since", type=parse_date, help="ISO date, e.g. 2025-04-01")
    parser.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    parser.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    parser.set_defaults(func=_run)


async def export(
    settings: Settings, out: TextIO, fmt: str, channel: str | None, since: datetime | None
) -> int:
    from bot.app import start_core
    from bot.archive import csv_header, csv_line, iter_records, to_jsonl

    core = await start_core(settings)
    count = 0
    try:
        if fmt == "csv":
            out.write(csv_header())
        async for item in iter_records(
            core.sessions, settings.media_dir, channel=channel, since=since
        ):
            out.write(to_jsonl(item) if fmt == "jsonl" else csv_line(item))
            count += 1
    finally:
        await core.close()
    return count


def _run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if args.output:
        with args.output.open("w", encoding="utf-8", newline="") as fh:
            count = asyncio.run(export(settings, fh, args.format, args.channel, args.since))
        print(f"exported {count} posts to {args.output}", file=sys.stderr)
    else:
        asyncio.run(export(settings, sys.stdout, args.format, args.channel, args.since))
    return 0
