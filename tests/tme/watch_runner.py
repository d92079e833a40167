"""Run the web source into a SQLite database until killed: the process a kill -9 test kills.

``python -m tests.tme.watch_runner BASE_URL DB_PATH MEDIA_DIR CHANNEL [CHANNEL ...]``
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import aiohttp

from bot.ingest import IngestService
from bot.matching import SubscriptionMatcher
from bot.media import MediaStore
from bot.watch.web import WebSource
from storage.engine import make_engine, make_sessionmaker, upgrade_schema


async def _main(base_url: str, db_path: str, media_dir: str, channels: list[str]) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{db_path}")
    await upgrade_schema(engine)
    ingest = IngestService(make_sessionmaker(engine), SubscriptionMatcher())
    async with aiohttp.ClientSession() as http:
        source = WebSource(
            base_url,
            channels,
            ingest,
            MediaStore(Path(media_dir)),
            http,
            0.05,
            page_delay=0.0,
            retry_base=0.02,
            jitter=0.0,
        )
        print("ready", flush=True)
        await source.run(asyncio.Event())


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(_main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]))
