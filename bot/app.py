"""The composition root: the only place that builds engines, clients and the PTB Application.

Nothing here runs at import time; callers decide what to start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import Application, ApplicationBuilder

from bot.config import Settings
from bot.deliver.contradiction import render_contradiction_alert
from bot.deliver.dispatcher import DEFAULT_RENDERERS, Dispatcher, Renderer, Sender
from bot.deliver.pacing import Limits, Pacer
from bot.deliver.prune import prune_forever
from bot.deliver.sender import PtbSender
from bot.digest.render import RENDERERS as DIGEST_RENDERERS
from bot.digest.runner import run_scheduler
from bot.errors import ConfigError
from bot.ingest import IngestService
from bot.matching import SubscriptionMatcher
from bot.media import MediaStore
from bot.search_hook import SearchHook
from bot.services.archive import ArchiveService
from bot.services.chats import ChatService
from bot.services.claims import ClaimsHook
from bot.services.sources import SourceService
from bot.services.subscriptions import SubscriptionService
from bot.watch.runner import run_watchers
from handlers import registry
from handlers.archive import ARCHIVE_KEY
from handlers.context import SERVICES_KEY, Services
from storage.engine import make_engine, make_sessionmaker, upgrade_schema

log = logging.getLogger(__name__)

RENDERERS: dict[str, Renderer] = {
    **DEFAULT_RENDERERS,
    "contradiction": render_contradiction_alert,
    **DIGEST_RENDERERS,
}


@dataclass
class Core:
    """Storage and the ingest path: all the offline commands need."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    media: MediaStore
    ingest: IngestService
    wake_hooks: list[Callable[[], None]] = field(default_factory=list)

    async def close(self) -> None:
        await self.engine.dispose()


def build_core(settings: Settings, *, live: bool = False, quiet: bool = False) -> Core:
    """``live``: fed by watchers, so late-arriving old posts don't alert (imports do).
    ``quiet``: history (backfill) is archived and analysed, never alerted."""
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    media = MediaStore(settings.media_dir)
    wake_hooks: list[Callable[[], None]] = []

    def wake_all() -> None:
        for hook in wake_hooks:
            hook()

    max_age = timedelta(hours=settings.alert_max_age_hours) if live else None
    if quiet:
        max_age = timedelta(0)
    search, claims = SearchHook(), ClaimsHook(settings.side_of)
    ingest = IngestService(
        sessions,
        SubscriptionMatcher(),
        sides=settings.side_of,
        on_enqueued=wake_all,
        max_alert_age=max_age,
        hooks=[claims, search],
        edit_hooks=[claims, search],
    )
    return Core(settings, engine, sessions, media, ingest, wake_hooks)


async def start_core(settings: Settings, *, live: bool = False, quiet: bool = False) -> Core:
    core = build_core(settings, live=live, quiet=quiet)
    await upgrade_schema(core.engine)
    return core


def limits(settings: Settings) -> Limits:
    return Limits(
        settings.rate_global_per_s, settings.rate_private_per_s, settings.rate_group_per_min
    )


def build_dispatcher(
    core: Core, sender: Sender, pacer: Pacer | None = None, **kwargs: Any
) -> Dispatcher:
    kwargs.setdefault("renderers", RENDERERS)
    dispatcher = Dispatcher(
        core.sessions,
        sender,
        pacer or Pacer(limits(core.settings)),
        default_tz=core.settings.default_tz,
        **kwargs,
    )
    core.wake_hooks.append(dispatcher.wake)
    return dispatcher


def build_application(core: Core) -> Application:  # type: ignore[type-arg]
    settings = core.settings
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        raise ConfigError(
            "BOT_TOKEN is not set: create a bot with @BotFather and put its token in .env"
        )
    app = (
        ApplicationBuilder()
        .token(settings.bot_token.get_secret_value())
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.file_url)
        .build()
    )
    app.bot_data[SERVICES_KEY] = Services(
        subscriptions=SubscriptionService(core.sessions),
        chats=ChatService(core.sessions, settings.default_tz),
    )
    app.bot_data[ARCHIVE_KEY] = ArchiveService(core.sessions, admin_ids=settings.admin_ids)
    registry.register(app)
    return app


@dataclass
class Running:
    """The live bot: PTB polling plus the outbox dispatcher, in one event loop."""

    core: Core
    app: Application  # type: ignore[type-arg]
    dispatcher: Dispatcher
    stop: asyncio.Event
    tasks: list[asyncio.Task[None]]


async def start_bot(core: Core, *, poll_interval: float = 0.0, poll_timeout: int = 10) -> Running:
    app = build_application(core)
    dispatcher = build_dispatcher(core, PtbSender(app.bot, core.settings.media_dir))
    await app.initialize()
    await registry.publish_commands(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(
        poll_interval=poll_interval, timeout=poll_timeout, drop_pending_updates=False
    )
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(dispatcher.run(stop), name="dispatcher"),
        asyncio.create_task(run_scheduler(core, stop), name="digests"),
        asyncio.create_task(
            prune_forever(core.sessions, timedelta(days=core.settings.outbox_keep_days), stop),
            name="outbox-prune",
        ),
    ]
    return Running(core, app, dispatcher, stop, tasks)


async def stop_bot(running: Running) -> None:
    running.stop.set()
    for task in running.tasks:
        try:
            await asyncio.wait_for(task, timeout=10)
        except asyncio.CancelledError:
            pass
        except Exception:  # already failed or stuck: log it, and still shut the rest down
            log.exception("task %s did not stop cleanly", task.get_name())
    app = running.app
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()


async def _until_stopped(stop: asyncio.Event, tasks: list[asyncio.Task[None]]) -> None:
    """Wait for a signal, or for a task to fail (its error is re-raised, e.g. not logged in)."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait([stopper, *tasks], return_when=asyncio.FIRST_COMPLETED)
    stop.set()
    stopper.cancel()
    for task in done:
        if task is not stopper and not task.cancelled() and task.exception():
            raise task.exception()  # type: ignore[misc]


async def run_forever(settings: Settings) -> None:
    """`dozor run`: watchers, bot and delivery in one process until SIGINT/SIGTERM."""
    core = await start_core(settings, live=True)
    running = await start_bot(core)
    watch = asyncio.create_task(
        run_watchers(settings, core.ingest, core.media, SourceService(core.sessions), running.stop),
        name="watchers",
    )
    log.info("dozor is running")
    try:
        await _until_stopped(running.stop, [watch, *running.tasks])
    finally:
        running.stop.set()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(watch, timeout=10)
        await stop_bot(running)
        await core.close()


async def watch_forever(settings: Settings) -> None:
    """`dozor watch`: only the watchers (the bot and delivery run elsewhere, on PostgreSQL)."""
    core = await start_core(settings, live=True)
    stop = asyncio.Event()
    watch = asyncio.create_task(
        run_watchers(settings, core.ingest, core.media, SourceService(core.sessions), stop)
    )
    try:
        await _until_stopped(stop, [watch])
    finally:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(watch, timeout=10)
        await core.close()
