"""`dozor reindex`: rebuild the archive's search index from the stored posts.

Migration 0002 indexes the posts stored before it, and the ingest hook every post after;
this is for the rest: an index emptied by hand, or terms computed by an older
``bot.core.tokens`` (``--all`` recomputes every post).
"""

from __future__ import annotations

import argparse
import asyncio
import time

from bot.cli.common import settings_from
from storage.engine import make_engine, make_sessionmaker, upgrade_schema
from storage.repos.search import REINDEX_BATCH, index_for


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("reindex", help="rebuild the search index of the archive")
    parser.add_argument(
        "--all",
        action="store_true",
        help="recompute every post (default: only posts with no terms)",
    )
    parser.add_argument("--batch", type=int, default=REINDEX_BATCH, help="posts per batch")
    parser.add_argument("--db", help="database URL (default: DATABASE_URL)")
    parser.set_defaults(func=_run)


async def reindex(url: str, *, everything: bool, batch: int) -> int:
    engine = make_engine(url)
    try:
        await upgrade_schema(engine)
        sessions = make_sessionmaker(engine)
        async with sessions() as session, session.begin():
            return await index_for(session).reindex(
                session, only_missing=not everything, batch=max(1, batch)
            )
    finally:
        await engine.dispose()


def _run(args: argparse.Namespace) -> int:
    settings = settings_from(args, database_url=args.db)
    started = time.perf_counter()
    done = asyncio.run(reindex(settings.database_url, everything=args.all, batch=args.batch))
    print(f"indexed {done} posts in {time.perf_counter() - started:.1f} s")
    return 0
