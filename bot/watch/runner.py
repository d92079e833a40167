"""Choosing and running the source: Telethon with an account, else the public web preview."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp

from bot.config import Settings
from bot.ingest import IngestService
from bot.media import MediaStore
from bot.outage_log import OutageLog
from bot.services.sources import SourceService
from bot.watch.base import SourceMonitor

log = logging.getLogger(__name__)
REFRESH_SECONDS = 30.0


async def _refresh(
    sources: SourceService, stop: asyncio.Event, apply: Callable[[set[str]], Awaitable[None]]
) -> None:
    """Sources added or removed while running take effect without a restart."""
    outages = OutageLog(log)
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), REFRESH_SECONDS)
        if stop.is_set():
            return
        try:
            await apply(set(await sources.active_channels()))
        except Exception as exc:  # a bad channel or a database blip must not end the refreshing
            outages.failed("refreshing the watched channels", exc, expected=False)
        else:
            outages.ok("refreshing the watched channels")


async def _with_refresher(
    run: Awaitable[None],
    sources: SourceService,
    stop: asyncio.Event,
    apply: Callable[[set[str]], Awaitable[None]],
) -> None:
    refresher = asyncio.create_task(_refresh(sources, stop, apply))
    try:
        await run
    finally:
        refresher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await refresher


async def run_web(
    settings: Settings,
    ingest: IngestService,
    media: MediaStore,
    sources: SourceService,
    stop: asyncio.Event,
    monitor: SourceMonitor | None = None,
) -> None:
    from bot.watch.web import WebSource

    async with aiohttp.ClientSession() as http:
        source = WebSource(
            settings.telegram_web_url,
            await sources.active_channels(),
            ingest,
            media,
            http,
            settings.web_poll_seconds,
            retry_base=settings.web_retry_seconds,
            monitor=monitor,
        )

        async def apply(wanted: set[str]) -> None:
            source.channels = sorted(wanted)

        await _with_refresher(source.run(stop), sources, stop, apply)


async def run_telethon(
    settings: Settings,
    ingest: IngestService,
    media: MediaStore,
    sources: SourceService,
    stop: asyncio.Event,
    monitor: SourceMonitor | None = None,
    on_flood_wait: Callable[[], None] | None = None,
) -> None:
    from bot.watch.telethon_login import make_client
    from bot.watch.telethon_source import TelethonSource

    assert settings.tg_api_id is not None and settings.tg_api_hash is not None
    client = make_client(
        Path(settings.tg_session_file.get_secret_value()),
        int(settings.tg_api_id.get_secret_value()),
        settings.tg_api_hash.get_secret_value(),
    )
    await client.connect()
    source = TelethonSource(
        client,
        await sources.active_channels(),
        ingest,
        media,
        reconcile_seconds=settings.reconcile_seconds,
        monitor=monitor,
        on_flood_wait=on_flood_wait,
    )

    async def apply(wanted: set[str]) -> None:
        current = set(source.channels)
        for channel in wanted - current:
            try:
                await source.add_channel(channel)
            except Exception:  # e.g. a username Telegram cannot resolve: skip just that one
                log.exception("cannot watch %s", channel)
        for channel in current - wanted:
            source.remove_channel(channel)

    try:
        await source.start()  # NotAuthorisedError tells the user to run `dozor login`
        await _with_refresher(source.run(stop), sources, stop, apply)
    finally:
        await source.stop()
        await client.disconnect()


async def run_watchers(
    settings: Settings,
    ingest: IngestService,
    media: MediaStore,
    sources: SourceService,
    stop: asyncio.Event,
    *,
    monitor: SourceMonitor | None = None,
    on_flood_wait: Callable[[], None] | None = None,
) -> None:
    """``monitor`` hears every poll's outcome (source health); ``on_flood_wait`` every
    Telethon FloodWait (metrics)."""
    await sources.seed(settings)
    if not await sources.active_channels():
        # Running and watching nothing looks like a quiet day; say why instead.
        log.warning(
            "no channels to watch: SOURCES is empty and none were added; set SOURCES in .env "
            "or run `dozor sources add CHANNEL` (or /sources_add in the bot)"
        )
    if settings.has_telethon_credentials:
        log.info("watching through Telethon")
        await run_telethon(settings, ingest, media, sources, stop, monitor, on_flood_wait)
    else:
        log.info("no Telegram API credentials: watching the public web preview")
        await run_web(settings, ingest, media, sources, stop, monitor)
