"""The composition root: the only place that builds engines, clients, services, the
dispatcher and the PTB Application, and hands each part what it needs.

Nothing here runs at import time; callers decide what to start. The processes (`dozor run`,
`serve`, `deliver`, `watch`, `schedule`) are put together from these parts in
``bot/compose/processes.py``, each through the one start/stop sequence of
``bot/compose/lifecycle.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.deliver.dispatcher import Dispatcher, Sender
from bot.deliver.pacing import Limits, Pacer
from bot.deliver.renderers import alert_renderers
from bot.digest.service import DigestService
from bot.errors import ConfigError
from bot.ingest import IngestService
from bot.matching import SubscriptionMatcher, index_keywords
from bot.media import MediaStore
from bot.ops.metrics import Metrics
from bot.ops.sources import SourceHealthTracker
from bot.places import Places
from bot.search_hook import SearchHook
from bot.services.archive import ArchiveService
from bot.services.chats import ChatService
from bot.services.claims import ClaimsHook
from bot.services.subscriptions import SubscriptionService
from bot.watch.check import ChannelStatus, check_channel
from handlers import registry
from handlers.context import BotData
from handlers.pacing import ReplyPacer
from handlers.updates import PerChatUpdates
from storage.engine import make_engine, make_sessionmaker, upgrade_schema

# Every message the bot's handlers send: Telegram HTML, links without previews.
DEFAULTS = Defaults(
    parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
)


@dataclass
class Core:
    """Storage, places and the ingest path: what every process needs.

    ``wakeup`` is set by whatever queues outbox rows (the ingest and its hooks, digests,
    source-health alerts) and awaited by the dispatcher built on this core: it exists before
    either, so nobody registers with anybody after construction."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    media: MediaStore
    places: Places
    ingest: IngestService
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    metrics: Metrics = field(default_factory=Metrics)

    def wake(self) -> None:
        self.wakeup.set()

    async def close(self) -> None:
        await self.engine.dispose()


def build_places() -> Places:
    """The process's gazetteer and place matcher, loaded on first use (from the cache
    directory the command line set, else built from the bundled data)."""
    from bot.analysis.places import get_gazetteer

    return Places(get_gazetteer)


def build_core(
    settings: Settings,
    *,
    live: bool = False,
    quiet: bool = False,
    delivers: bool = False,
    places: Places | None = None,
) -> Core:
    """``live``: fed by watchers, so late-arriving old posts don't alert (imports do).
    ``quiet``: history (backfill) is archived and analysed, never alerted. ``delivers``: the
    same process sends the alerts (`dozor run`), so a burst of posts gives way to them."""
    engine = make_engine(settings.database_url, busy_timeout=settings.sqlite_busy_seconds)
    sessions = make_sessionmaker(engine)
    places = places or build_places()
    metrics = Metrics()  # this process's registry, handed to the parts that count
    wakeup = asyncio.Event()
    max_age = timedelta(hours=settings.alert_max_age_hours) if live else None
    if quiet:
        max_age = timedelta(0)
    claims = ClaimsHook(settings.side_of, tools=places.claim_tools())
    search = SearchHook()
    ingest = IngestService(
        sessions,
        SubscriptionMatcher(places=places),
        sides=settings.side_of,
        on_enqueued=wakeup.set,
        max_alert_age=max_age,
        yield_ratio=2.0 if delivers else 0.0,
        hooks=[claims, search],
        edit_hooks=[claims, search],
        metrics=metrics,
        places=places,
    )
    media = MediaStore(settings.media_dir)
    return Core(settings, engine, sessions, media, places, ingest, wakeup, metrics)


async def start_core(
    settings: Settings,
    *,
    live: bool = False,
    quiet: bool = False,
    delivers: bool = False,
    places: Places | None = None,
) -> Core:
    core = build_core(settings, live=live, quiet=quiet, delivers=delivers, places=places)
    await upgrade_schema(core.engine)
    async with core.sessions() as session, session.begin():
        # Keyword subscriptions stored before their index existed (or by an older version).
        await index_keywords(session)
    return core


def limits(settings: Settings) -> Limits:
    return Limits(
        settings.rate_global_per_s,
        settings.rate_private_per_s,
        settings.rate_group_per_min,
        settings.rate_group_per_s,
    )


def build_dispatcher(
    core: Core, sender: Sender, pacer: Pacer | None = None, **kwargs: Any
) -> Dispatcher:
    """The outbox dispatcher, woken by the core's ``wakeup`` (what queues rows sets it)."""
    if "renderers" not in kwargs:
        places = core.places
        kwargs["renderers"] = alert_renderers(lambda: places.gazetteer)
    kwargs.setdefault("retry_cap", core.settings.retry_cap_seconds)
    kwargs.setdefault("metrics", core.metrics)
    return Dispatcher(
        core.sessions,
        sender,
        pacer or Pacer(limits(core.settings)),
        default_tz=core.settings.default_tz,
        wakeup=core.wakeup,
        **kwargs,
    )


def _token(settings: Settings) -> str:
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        raise ConfigError(
            "BOT_TOKEN is not set: create a bot with @BotFather and put its token in .env"
        )
    return settings.bot_token.get_secret_value()


def build_bot(settings: Settings, pool: int) -> Bot:
    """A bare Bot for a process that only sends (`dozor deliver`): no updates, no handlers."""
    return Bot(
        _token(settings),
        base_url=settings.telegram_api_url,
        base_file_url=settings.file_url,
        request=HTTPXRequest(connection_pool_size=pool),
    )


def build_bot_data(core: Core) -> BotData:
    """The services the handlers call, on the core's sessions and places."""
    settings = core.settings
    web_url = settings.telegram_web_url

    async def channel_check(channel: str) -> ChannelStatus:
        return await check_channel(web_url, channel)

    return BotData(
        subscriptions=SubscriptionService(core.sessions, core.places),
        chats=ChatService(core.sessions, settings.default_tz),
        archive=ArchiveService(
            core.sessions,
            admin_ids=settings.admin_ids,
            channel_check=channel_check,
            places=core.places,
        ),
    )


def build_application(core: Core) -> Application:  # type: ignore[type-arg]
    settings = core.settings
    data = build_bot_data(core)

    class Prepared(BotData):
        """PTB makes ``bot_data`` by calling its type with no arguments: this one is ours."""

        def __init__(self) -> None:
            super().__init__(data.subscriptions, data.chats, data.archive, data.limiter)

    app = (
        ApplicationBuilder()
        .token(_token(settings))
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.file_url)
        .defaults(DEFAULTS)
        .context_types(ContextTypes(bot_data=Prepared))
        .rate_limiter(ReplyPacer())
        .concurrent_updates(PerChatUpdates())
        .build()
    )
    registry.register(app)
    return app


def digest_service(core: Core) -> DigestService:
    return DigestService(
        core.sessions,
        core.ingest.matcher,
        core.media,
        default_tz=core.settings.default_tz,
        default_time=core.settings.default_digest_time,
        on_enqueued=core.wake,
        metrics=core.metrics,
    )


def source_health(core: Core) -> SourceHealthTracker:
    settings = core.settings
    return SourceHealthTracker(
        core.sessions,
        core.metrics,
        degraded_after=settings.source_degraded_after,
        dead_after=settings.source_dead_after,
        recover_after=settings.source_recover_after,
        alert_min_interval=timedelta(seconds=settings.source_alert_min_interval),
        admin_ids=settings.admin_ids,
        on_enqueued=core.wake,
    )


def watchers(core: Core, stop: asyncio.Event) -> Coroutine[Any, Any, None]:
    """The watchers (Telethon, else the web preview) feeding the core's ingest."""
    from bot.services.sources import SourceService
    from bot.watch.runner import run_watchers

    return run_watchers(
        core.settings,
        core.ingest,
        core.media,
        SourceService(core.sessions),
        stop,
        monitor=source_health(core),
        on_flood_wait=core.metrics.flood_wait,
    )


def digests(
    core: Core, stop: asyncio.Event, *, refresh_seconds: float = 60.0, lock_poll: float = 5.0
) -> Coroutine[Any, Any, None]:
    """The digest scheduler (leader-elected) queueing digests into the core's outbox."""
    from bot.digest.runner import run_scheduler

    return run_scheduler(
        core.sessions,
        core.engine,
        digest_service(core),
        stop,
        metrics=core.metrics,
        refresh_seconds=refresh_seconds,
        lock_poll_seconds=lock_poll,
    )
