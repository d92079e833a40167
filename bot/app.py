"""The composition root: the only place that builds engines, clients and the PTB Application.

Nothing here runs at import time; callers decide what to start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application, ApplicationBuilder

from bot.analysis.places import get_gazetteer
from bot.config import Settings
from bot.deliver.dispatcher import Dispatcher, Sender
from bot.deliver.pacing import Limits, Pacer
from bot.deliver.prune import prune_forever
from bot.deliver.renderers import alert_renderers
from bot.deliver.sender import PtbSender
from bot.digest.runner import run_scheduler
from bot.errors import ConfigError
from bot.ingest import IngestService
from bot.matching import SubscriptionMatcher, index_keywords
from bot.media import MediaStore
from bot.ops.metrics import Metrics
from bot.ops.runtime import start_ops
from bot.ops.sources import SourceHealthTracker
from bot.search_hook import SearchHook
from bot.services.archive import ArchiveService
from bot.services.chats import ChatService
from bot.services.claims import ClaimsHook
from bot.services.sources import SourceService
from bot.services.subscriptions import SubscriptionService
from bot.watch.check import ChannelStatus, check_channel
from bot.watch.runner import run_watchers
from handlers import registry
from handlers.archive import ARCHIVE_KEY
from handlers.context import SERVICES_KEY, Services
from handlers.pacing import ReplyPacer, unpaced_context
from handlers.updates import PerChatUpdates
from storage.engine import make_engine, make_sessionmaker, upgrade_schema

log = logging.getLogger(__name__)


@dataclass
class Core:
    """Storage and the ingest path: all the offline commands need."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    media: MediaStore
    ingest: IngestService
    wake_hooks: list[Callable[[], None]] = field(default_factory=list)
    metrics: Metrics = field(default_factory=Metrics)

    def wake_all(self) -> None:
        for hook in self.wake_hooks:
            hook()

    async def close(self) -> None:
        await self.engine.dispose()


def build_core(
    settings: Settings, *, live: bool = False, quiet: bool = False, delivers: bool = False
) -> Core:
    """``live``: fed by watchers, so late-arriving old posts don't alert (imports do).
    ``quiet``: history (backfill) is archived and analysed, never alerted. ``delivers``: the
    same process sends the alerts (`dozor run`), so a burst of posts gives way to them."""
    engine = make_engine(settings.database_url, busy_timeout=settings.sqlite_busy_seconds)
    sessions = make_sessionmaker(engine)
    media = MediaStore(settings.media_dir)
    metrics = Metrics()  # this process's registry, handed to the parts that count
    wake_hooks: list[Callable[[], None]] = []

    def wake_all() -> None:  # the Core's hooks, before there is a Core
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
        yield_ratio=2.0 if delivers else 0.0,
        hooks=[claims, search],
        edit_hooks=[claims, search],
        metrics=metrics,
    )
    return Core(settings, engine, sessions, media, ingest, wake_hooks, metrics)


async def start_core(
    settings: Settings, *, live: bool = False, quiet: bool = False, delivers: bool = False
) -> Core:
    core = build_core(settings, live=live, quiet=quiet, delivers=delivers)
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
    if "renderers" not in kwargs:
        kwargs["renderers"] = alert_renderers(get_gazetteer)
    kwargs.setdefault("retry_cap", core.settings.retry_cap_seconds)
    kwargs.setdefault("metrics", core.metrics)
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
        .rate_limiter(ReplyPacer())
        .concurrent_updates(PerChatUpdates())
        .build()
    )
    app.bot_data[SERVICES_KEY] = Services(
        subscriptions=SubscriptionService(core.sessions),
        chats=ChatService(core.sessions, settings.default_tz),
    )
    web_url = settings.telegram_web_url

    async def channel_check(channel: str) -> ChannelStatus:
        return await check_channel(web_url, channel)

    app.bot_data[ARCHIVE_KEY] = ArchiveService(
        core.sessions, admin_ids=settings.admin_ids, channel_check=channel_check
    )
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


async def with_retries(
    what: str, action: Callable[[], Awaitable[None]], stop: asyncio.Event, cap: float
) -> bool:
    """Run ``action`` until it succeeds, backing off 1, 2, 4 … ``cap`` seconds (or as long as
    a 429 says) with one log line per failed attempt. False when ``stop`` came first. A
    refused token is a configuration error, not worth retrying."""
    attempt = 0
    while not stop.is_set():
        attempt += 1
        try:
            await action()
            if attempt > 1:
                log.warning("%s: succeeded on attempt %d", what, attempt)
            return True
        except InvalidToken:
            # PTB's own message carries the full token; ours names what to check.
            raise ConfigError(
                "Telegram refused BOT_TOKEN (401/404): check the token from @BotFather, and "
                "TELEGRAM_API_URL if you use your own Bot API server"
            ) from None
        except (RetryAfter, NetworkError) as exc:
            if isinstance(exc, BadRequest):
                raise
            delay = min(cap, 2.0 ** min(attempt - 1, 16))
            if isinstance(exc, RetryAfter):
                retry = exc.retry_after
                delay = retry.total_seconds() if isinstance(retry, timedelta) else float(retry)
            log.warning(
                "%s: attempt %d failed (%s: %s); retrying in %gs",
                what,
                attempt,
                type(exc).__name__,
                exc,
                delay,
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
    return False


async def start_bot(
    core: Core,
    *,
    poll_interval: float = 0.0,
    poll_timeout: int = 10,
    stop: asyncio.Event | None = None,
) -> Running | None:
    """Connect to the Bot API (getMe, setMyCommands, deleteWebhook), retrying with back-off
    while it is unreachable or refusing, then poll and deliver. None when ``stop`` came
    first."""
    app = build_application(core)
    dispatcher = build_dispatcher(core, PtbSender(app.bot, core.settings.media_dir))
    stop = stop or asyncio.Event()
    cap = core.settings.retry_cap_seconds

    async def connect() -> None:
        await app.initialize()
        await registry.publish_commands(app)

    async def poll() -> None:
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=poll_interval, timeout=poll_timeout, drop_pending_updates=False
        )

    if not await with_retries("Bot API start-up (getMe, setMyCommands)", connect, stop, cap):
        return None
    await app.start()
    if not await with_retries("Bot API polling start (deleteWebhook)", poll, stop, cap):
        await app.stop()
        await app.shutdown()
        return None
    tasks = [
        # The dispatcher paces alerts itself: its sends bypass the replies' pacer.
        asyncio.create_task(dispatcher.run(stop), name="dispatcher", context=unpaced_context()),
        asyncio.create_task(run_scheduler(core, stop), name="digests"),
        asyncio.create_task(
            prune_forever(core.sessions, timedelta(days=core.settings.outbox_keep_days), stop),
            name="outbox-prune",
        ),
    ]
    return Running(core, app, dispatcher, stop, tasks)


async def stop_bot(running: Running, grace: float = 7.0) -> None:
    """Stop within about ``grace`` seconds: the dispatcher finishes the sends under way (its
    own ``stop_grace``), anything still running after that is cancelled."""
    running.stop.set()
    done, pending = await asyncio.wait(running.tasks, timeout=grace)
    for task in pending:
        log.warning("task %s did not stop within %gs; cancelling it", task.get_name(), grace)
        task.cancel()
    for task in done:
        if not task.cancelled() and task.exception() is not None:
            log.error("task %s failed: %s", task.get_name(), task.exception())
    app = running.app
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()


async def _until_stopped(stop: asyncio.Event, tasks: list[asyncio.Task[None]]) -> None:
    """Wait for a signal, or for a task to fail (its error is re-raised, e.g. not logged in)."""
    _on_signals(stop)
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait([stopper, *tasks], return_when=asyncio.FIRST_COMPLETED)
    stop.set()
    stopper.cancel()
    for task in done:
        if task is not stopper and not task.cancelled() and task.exception():
            raise task.exception()  # type: ignore[misc]


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
        on_enqueued=core.wake_all,
    )


def _watchers(core: Core, stop: asyncio.Event) -> asyncio.Task[None]:
    return asyncio.create_task(
        run_watchers(
            core.settings,
            core.ingest,
            core.media,
            SourceService(core.sessions),
            stop,
            monitor=source_health(core),
            on_flood_wait=core.metrics.flood_wait,
        ),
        name="watchers",
    )


async def run_forever(settings: Settings) -> None:
    """`dozor run`: watchers, bot and delivery in one process until SIGINT/SIGTERM. The
    watchers start first and keep archiving (and queueing alerts) while the Bot API is still
    being reached; SIGTERM is honoured within about ten seconds whatever the load."""
    core = await start_core(settings, live=True, delivers=True)
    stop = asyncio.Event()
    _on_signals(stop)
    ops = await start_ops(settings, core.sessions, core.metrics, "run")
    watch = _watchers(core, stop)
    running: Running | None = None
    try:
        starting = asyncio.create_task(start_bot(core, stop=stop), name="bot start-up")
        await asyncio.wait([starting, watch], return_when=asyncio.FIRST_COMPLETED)
        if not starting.done():  # the watchers ended first (an error, or a signal)
            stop.set()
        running = await starting
        if running is not None:
            log.info("dozor is running")
            await _until_stopped(stop, [watch, *running.tasks])
        else:
            await _until_stopped(stop, [watch])
    finally:
        stop.set()
        await _bounded(watch, 3.0)
        await ops.close()
        if running is not None:
            await stop_bot(running)
        await core.close()


async def _bounded(task: asyncio.Task[None], seconds: float) -> None:
    """Give ``task`` ``seconds`` to end on its own, then cancel it: a stop is never held up
    by a burst being ingested."""
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await asyncio.wait_for(task, timeout=seconds)


def _on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)


async def watch_forever(settings: Settings) -> None:
    """`dozor watch`: only the watchers (the bot and delivery run elsewhere, on PostgreSQL)."""
    core = await start_core(settings, live=True)
    ops = await start_ops(settings, core.sessions, core.metrics, "watch")
    stop = asyncio.Event()
    watch = _watchers(core, stop)
    try:
        await _until_stopped(stop, [watch])
    finally:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(watch, timeout=10)
        await ops.close()
        await core.close()
