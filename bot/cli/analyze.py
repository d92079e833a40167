"""`dozor analyze FILE|- [--db URL]`: JSONL posts in, one JSON line per post out, in order.

Input lines are ``{"channel", "id", "date" (ISO-8601 with offset), "text"}`` (the
`dozor export --format jsonl` shape). Output: the places contract of
``bot.analysis.analyze`` plus ``claims`` and ``contradicts``, the latter naming earlier posts
of the same input, and with ``--db`` also claims already stored in that database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

from bot.cli.common import settings_from
from bot.config import Settings
from bot.errors import MalformedSourceError, SourceError

if TYPE_CHECKING:
    from bot.places import Places


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "analyze", help="places, claims and contradictions of JSONL posts; '-' reads stdin"
    )
    parser.add_argument("file", help="JSONL file of {channel, id, date, text}, or '-'")
    parser.add_argument("--db", help="also check claims stored in this database (URL)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    try:
        if args.file == "-":
            return run_stream(sys.stdin, sys.stdout, settings, args.db)
        try:
            fh = open(args.file, encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise SourceError(f"cannot read {args.file}: {exc.strerror}") from exc
        with fh:
            return run_stream(fh, sys.stdout, settings, args.db)
    except BrokenPipeError:  # `dozor analyze f | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _records(src: IO[str]) -> Iterator[tuple[int, dict[str, Any], datetime]]:
    for lineno, line in enumerate(src, 1):
        if not line.strip():
            continue
        try:
            post = json.loads(line)
        except json.JSONDecodeError as exc:
            raise MalformedSourceError(f"line {lineno}: not JSON ({exc.msg})") from exc
        if not isinstance(post, dict):
            raise MalformedSourceError(f"line {lineno}: expected a JSON object")
        try:
            date = datetime.fromisoformat(str(post["date"]))
        except (KeyError, ValueError):
            raise MalformedSourceError(
                f"line {lineno}: 'date' must be ISO-8601 with a UTC offset"
            ) from None
        if date.tzinfo is None:
            raise MalformedSourceError(f"line {lineno}: 'date' needs a UTC offset")
        if not isinstance(post.get("channel"), str) or not post["channel"]:
            raise MalformedSourceError(f"line {lineno}: 'channel' must be a channel name")
        if isinstance(post.get("id"), bool) or not isinstance(post.get("id"), int):
            raise MalformedSourceError(f"line {lineno}: 'id' must be an integer message id")
        yield lineno, post, date


def run_stream(src: IO[str], dst: IO[str], settings: Settings, db: str | None = None) -> int:
    from bot.analysis.analyze import analyze_post
    from bot.analysis.claims.analyze import ClaimHistory
    from bot.app import build_places

    places = build_places()
    history = ClaimHistory(places.claim_tools())
    if db:
        return asyncio.run(_run_with_db(src, dst, settings, db, history, places))
    for _lineno, post, date in _records(src):
        out = analyze_post(post, places.matcher)
        channel = str(post["channel"])
        found = history.analyze(
            channel=channel,
            message_id=int(post["id"]),
            date=date,
            text=str(post.get("text") or ""),
            channel_side=settings.side_of(channel),
        )
        out.update(found.fields())
        dst.write(json.dumps(out, ensure_ascii=False) + "\n")
    dst.flush()
    return 0


async def _run_with_db(
    src: IO[str], dst: IO[str], settings: Settings, db: str, history: Any, places: Places
) -> int:
    from bot.analysis.analyze import analyze_post
    from bot.services.claims import analyze_with_db
    from storage.engine import make_engine, make_sessionmaker

    engine = make_engine(db)
    sessions = make_sessionmaker(engine)
    try:
        for _lineno, post, date in _records(src):
            out = analyze_post(post, places.matcher)
            channel = str(post["channel"])
            async with sessions() as session:
                found = await analyze_with_db(
                    session,
                    history,
                    channel=channel,
                    message_id=int(post["id"]),
                    date=date,
                    text=str(post.get("text") or ""),
                    channel_side=settings.side_of(channel),
                )
            out.update(found.fields())
            dst.write(json.dumps(out, ensure_ascii=False) + "\n")
    finally:
        await engine.dispose()
    dst.flush()
    return 0
