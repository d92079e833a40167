"""The processes, each put together from the composition root's parts (``bot/app.py``) and
run through the one start/stop sequence (``bot/compose/lifecycle.py``):

* `dozor run`: watchers, bot and delivery in one process (SQLite or PostgreSQL);
* `dozor serve`: the bot's commands only, by long polling or by webhook;
* `dozor deliver`: the outbox dispatcher only; several share the global send budget through
  PostgreSQL and never share a chat inside its limit window;
* `dozor watch`: the watchers only; `dozor schedule`: the digest scheduler only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from telegram.ext import Application

from bot.app import Core, build_application, build_bot, build_dispatcher, digests, limits
from bot.app import watchers as watcher_task
from bot.compose.lifecycle import Tasks, lifetime, with_retries
from bot.config import Settings
from bot.deliver.budget import DbBudget
from bot.deliver.dispatcher import Dispatcher
from bot.deliver.pacing import Pacer
from bot.deliver.process import DeliverOptions, WebhookOptions
from bot.deliver.prune import prune_forever
from bot.deliver.sender import PtbSender
from bot.deliver.wakeup import listen_for_work
from bot.errors import ConfigError
from handlers import registry
from handlers.pacing import unpaced_context
from storage.repos.outbox import ChatWindows

log = logging.getLogger(__name__)

WATCHERS_GRACE = 3.0  # a stop is never held up by a burst being ingested
TASKS_GRACE = 7.0  # the dispatcher finishes the sends under way within its own stop_grace


async def open_bot(
    app: Application,  # type: ignore[type-arg]
    stop: asyncio.Event,
    *,
    cap: float,
    webhook: WebhookOptions | None = None,
    secret: str | None = None,
    poll_interval: float = 0.0,
    poll_timeout: int = 10,
) -> bool:
    """Connect (getMe, setMyCommands), start, then take updates by polling (deleteWebhook)
    or by webhook; retrying with back-off while the Bot API is unreachable or refusing.
    False when ``stop`` came first. Close it with :func:`close_bot` in any case."""

    async def connect() -> None:
        await app.initialize()
        await registry.publish_commands(app)

    async def poll() -> None:
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=poll_interval, timeout=poll_timeout, drop_pending_updates=False
        )

    if not await with_retries("Bot API start-up (getMe, setMyCommands)", connect, stop, cap):
        return False
    await app.start()
    assert app.updater is not None
    if webhook is None:
        return await with_retries("Bot API polling start (deleteWebhook)", poll, stop, cap)
    try:
        await app.updater.start_webhook(
            listen=webhook.listen,
            port=webhook.port,
            url_path=webhook.url_path,
            webhook_url=webhook.url,
            secret_token=secret,
        )
    except RuntimeError as exc:  # PTB without its "webhooks" extra (tornado)
        raise ConfigError(f"webhook mode unavailable: {exc}") from None
    return True


async def close_bot(app: Application) -> None:  # type: ignore[type-arg]
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    with contextlib.suppress(RuntimeError):  # never initialised (stopped while connecting)
        await app.shutdown()


@dataclass
class Running:
    """The live bot: PTB polling plus the outbox dispatcher and the digest scheduler."""

    core: Core
    app: Application  # type: ignore[type-arg]
    dispatcher: Dispatcher
    stop: asyncio.Event
    group: Tasks

    @property
    def tasks(self) -> list[asyncio.Task[None]]:
        return self.group.tasks


async def start_bot(
    core: Core,
    *,
    poll_interval: float = 0.0,
    poll_timeout: int = 10,
    stop: asyncio.Event | None = None,
    group: Tasks | None = None,
) -> Running | None:
    """The bot part of `dozor run`: commands by polling, and the alerts sent from this
    process. None (the app closed again) when ``stop`` came first. Its tasks join ``group``
    (the process's own, in `dozor run`) when given."""
    app = build_application(core)
    dispatcher = build_dispatcher(core, PtbSender(app.bot, core.settings.media_dir))
    stop = stop or asyncio.Event()
    cap = core.settings.retry_cap_seconds
    await asyncio.to_thread(core.places.load)
    try:
        opened = await open_bot(
            app, stop, cap=cap, poll_interval=poll_interval, poll_timeout=poll_timeout
        )
    except BaseException:
        await close_bot(app)
        raise
    if not opened:
        await close_bot(app)
        return None
    group = group or Tasks(stop)
    # The dispatcher paces alerts itself: its sends bypass the replies' pacer.
    group.spawn("dispatcher", dispatcher.run(stop), grace=TASKS_GRACE, context=unpaced_context())
    group.spawn("digests", digests(core, stop), grace=TASKS_GRACE)
    keep = timedelta(days=core.settings.outbox_keep_days)
    group.spawn("outbox-prune", prune_forever(core.sessions, keep, stop), grace=TASKS_GRACE)
    return Running(core, app, dispatcher, stop, group)


async def stop_bot(running: Running) -> None:
    """Stop within about seven seconds: the dispatcher finishes the sends under way (its own
    ``stop_grace``), anything still running after that is cancelled; then the app."""
    await running.group.end()
    await close_bot(running.app)


async def run_forever(settings: Settings) -> None:
    """`dozor run` until SIGINT/SIGTERM. The watchers start first and keep archiving (and
    queueing alerts) while the Bot API is still being reached; SIGTERM is honoured within
    about ten seconds whatever the load."""
    async with lifetime(settings, "run", live=True, delivers=True) as life:
        life.spawn("watchers", watcher_task(life.core, life.stop), grace=WATCHERS_GRACE)
        running = await start_bot(life.core, stop=life.stop, group=life.tasks)
        if running is not None:
            # After the tasks (the dispatcher's sends use the app's bot) have ended.
            life.closing.push_async_callback(close_bot, running.app)
            log.info("dozor is running")
        await life.until_stopped()


async def watch_forever(settings: Settings) -> None:
    """`dozor watch`: only the watchers (the bot and delivery run elsewhere, on PostgreSQL)."""
    async with lifetime(settings, "watch", live=True) as life:
        life.spawn("watchers", watcher_task(life.core, life.stop), grace=10.0)
        await life.until_stopped()


async def schedule_forever(settings: Settings, refresh: float, lock_poll: float) -> None:
    """`dozor schedule`: the digest scheduler, leader-elected among its peers."""
    async with lifetime(settings, "schedule") as life:
        work = digests(life.core, life.stop, refresh_seconds=refresh, lock_poll=lock_poll)
        life.spawn("digests", work, grace=10.0)
        await life.until_stopped()


async def deliver_forever(
    settings: Settings,
    options: DeliverOptions | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """One deliver worker until SIGINT/SIGTERM (or ``stop``); sends under way finish first."""
    options = options or DeliverOptions()
    async with lifetime(settings, "deliver", stop=stop) as life:
        core = life.core
        postgres = core.engine.dialect.name == "postgresql"
        budget = (
            DbBudget(core.sessions, settings.rate_global_per_s)
            if postgres and options.shared_budget
            else None
        )
        # On SQLite one process owns delivery, so there is nobody to share chats with.
        exclusive = (
            ChatWindows(
                private=timedelta(seconds=1 / settings.rate_private_per_s),
                group=timedelta(minutes=1),
            )
            if postgres
            else None
        )
        bot = build_bot(settings, options.concurrency + 2)
        life.closing.push_async_callback(bot.shutdown)
        cap = settings.retry_cap_seconds
        if not await with_retries("Bot API start-up (getMe)", bot.initialize, life.stop, cap):
            return
        dispatcher = build_dispatcher(
            core,
            PtbSender(bot, settings.media_dir),
            Pacer(limits(settings), budget=budget),
            batch=options.batch,
            concurrency=options.concurrency,
            lease=timedelta(seconds=options.lease),
            idle_poll=options.idle_poll,
            exclusive=exclusive,
        )
        # Its own stop_grace bounds the sends under way; the grace here only backs it up.
        life.spawn("dispatcher", dispatcher.run(life.stop), grace=dispatcher.stop_grace + 5)
        keep = timedelta(days=settings.outbox_keep_days)
        upkeep = prune_forever(core.sessions, keep, life.stop)
        life.spawn("outbox-prune", upkeep, grace=TASKS_GRACE, essential=False)
        # Rows queued by other processes: PostgreSQL NOTIFY wakes this one's dispatcher.
        listen = listen_for_work(core.engine, core.wake, life.stop)
        life.spawn("outbox-listen", listen, grace=TASKS_GRACE, essential=False)
        log.info("deliver worker %s running", dispatcher.worker)
        await life.until_stopped()


async def serve_forever(
    settings: Settings,
    webhook: WebhookOptions | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """The bot's command handlers only (alerts are sent by `dozor deliver`), until
    SIGINT/SIGTERM or ``stop``.

    A webhook listens on a public port, so it requires WEBHOOK_SECRET: without it anyone could
    POST forged updates (a /track from any chat id). PTB answers 403 to a request whose
    X-Telegram-Bot-Api-Secret-Token header is missing or wrong."""
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    if webhook is not None and not secret:
        raise ConfigError(
            "webhook mode needs WEBHOOK_SECRET (16-256 characters of A-Z, a-z, 0-9, _ and -) "
            "in the environment or .env"
        )
    async with lifetime(settings, "serve", stop=stop) as life:
        app = build_application(life.core)
        life.closing.push_async_callback(close_bot, app)
        await asyncio.to_thread(life.core.places.load)
        cap = settings.retry_cap_seconds
        if not await open_bot(app, life.stop, cap=cap, webhook=webhook, secret=secret):
            return
        log.info("bot serving by %s", "webhook" if webhook else "polling")
        await life.until_stopped()
