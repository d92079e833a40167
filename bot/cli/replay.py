"""`dozor replay [FILE] [--track TEXT ...]`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.cli.common import settings_from
from bot.media import MediaStore
from bot.replay import replay, scratch_settings
from bot.watch.jsonl import detect_and_read
from bot.watch.sample import SAMPLE_POSTS, default_tracks


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "replay", help="run the pipeline offline on a file (default: the bundled sample)"
    )
    parser.add_argument("file", nargs="?", type=Path, help="Desktop export result.json or JSONL")
    parser.add_argument(
        "--track",
        action="append",
        default=[],
        metavar="TEXT",
        help="what to track (repeatable); default: the sample's places",
    )
    parser.add_argument("--channel", help="channel username for a Desktop export")
    parser.add_argument("--db", help="database URL to use instead of a scratch SQLite file")
    parser.add_argument("--lang", choices=("uk", "en"), default="en", help="alert language")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    path: Path = args.file or SAMPLE_POSTS
    tracks = args.track or default_tracks()
    with scratch_settings(settings_from(args), args.db, None) as settings:
        posts = list(
            detect_and_read(
                path, MediaStore(settings.media_dir), channel=args.channel, tz=settings.default_tz
            )
        )
        result = asyncio.run(replay(settings, posts, tracks, sys.stdout, lang=args.lang))
    print(
        f"replayed {result.posts} posts ({result.stored} stored), tracking "
        f"{', '.join(tracks)}: {result.alerts} alerts"
    )
    found = len(result.contradictions)
    print(f"{found} contradiction{'' if found == 1 else 's'} found" + (":" if found else "."))
    for line in result.contradictions:
        print(f"  ⚠️ {line}")
    return 0
