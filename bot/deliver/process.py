"""`dozor deliver` and `dozor serve` as processes of their own (PostgreSQL deployments).

``deliver`` runs only the outbox dispatcher; several of them share the global send budget
through the database and never share a chat inside its limit window. ``serve`` runs only the
PTB bot (commands), by long polling or by webhook, in our own event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass
from datetime import timedelta

from telegram import Bot
from telegram.request import HTTPXRequest

from bot.app import build_application, build_dispatcher, limits, start_core, with_retries
from bot.config import Settings
from bot.deliver.budget import DbBudget
from bot.deliver.pacing import Pacer
from bot.deliver.prune import prune_forever
from bot.deliver.sender import PtbSender
from bot.deliver.wakeup import listen_for_work
from bot.errors import ConfigError
from bot.ops.runtime import start_ops
from handlers import registry
from storage.repos.outbox import ChatWindows

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliverOptions:
    lease: float = 60.0  # seconds a claimed row stays ours
    batch: int = 50
    concurrency: int = 8
    idle_poll: float = 0.2  # nothing wakes a separate process on new rows: poll the outbox
    shared_budget: bool = True  # on PostgreSQL: one global budget for all deliver processes


@dataclass(frozen=True)
class WebhookOptions:
    url: str  # the public URL Telegram posts updates to
    listen: str = "0.0.0.0"  # noqa: S104 - a webhook server listens on all interfaces
    port: int = 8443
    url_path: str = ""


def _on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)


async def _until_signal(stop: asyncio.Event, task: asyncio.Task[None] | None = None) -> None:
    _on_signals(stop)
    waiters: list[asyncio.Task[object]] = [asyncio.create_task(stop.wait())]
    if task is not None:
        waiters.append(task)
    await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    stop.set()


def _bot(settings: Settings, pool: int) -> Bot:
    if settings.bot_token is None:
        raise ConfigError("BOT_TOKEN is not set")
    return Bot(
        settings.bot_token.get_secret_value(),
        base_url=settings.telegram_api_url,
        base_file_url=settings.file_url,
        request=HTTPXRequest(connection_pool_size=pool),
    )


async def deliver_forever(
    settings: Settings,
    options: DeliverOptions = DeliverOptions(),
    stop: asyncio.Event | None = None,
) -> None:
    """One deliver worker until SIGINT/SIGTERM (or ``stop``); sends under way finish first."""
    async with contextlib.AsyncExitStack() as closing:  # closed in reverse, each one surely
        core = await start_core(settings)
        closing.push_async_callback(core.close)
        # /healthz and systemd's READY/watchdog from here on: a Bot API outage at start-up
        # must not look like a dead process (/healthz reports the database and the loop).
        ops = await start_ops(settings, core.sessions, core.metrics, "deliver")
        closing.push_async_callback(ops.close)
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
        stop = stop or asyncio.Event()
        _on_signals(stop)
        bot = _bot(settings, options.concurrency + 2)
        closing.push_async_callback(bot.shutdown)
        cap = settings.retry_cap_seconds
        if not await with_retries("Bot API start-up (getMe)", bot.initialize, stop, cap):
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
        task = asyncio.create_task(dispatcher.run(stop), name="dispatcher")
        keep = timedelta(days=settings.outbox_keep_days)
        upkeep = [
            asyncio.create_task(prune_forever(core.sessions, keep, stop), name="outbox-prune"),
            asyncio.create_task(
                listen_for_work(core.engine, dispatcher.wake, stop), name="outbox-listen"
            ),
        ]
        log.info("deliver worker %s running", dispatcher.worker)
        try:
            await _until_signal(stop, task)
        finally:
            stop.set()
            try:
                await task
            finally:
                await asyncio.gather(*upkeep, return_exceptions=True)


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
    async with contextlib.AsyncExitStack() as closing:  # closed in reverse, each one surely
        core = await start_core(settings)
        closing.push_async_callback(core.close)
        # /healthz from here on, also while the Bot API cannot be reached at start-up.
        ops = await start_ops(settings, core.sessions, core.metrics, "serve")
        closing.push_async_callback(ops.close)
        app = build_application(core)
        stop = stop or asyncio.Event()
        _on_signals(stop)
        cap = settings.retry_cap_seconds

        async def connect() -> None:
            await app.initialize()
            await registry.publish_commands(app)

        async def poll() -> None:
            assert app.updater is not None
            await app.updater.start_polling(
                poll_interval=0.0, timeout=10, drop_pending_updates=False
            )

        async def stop_app() -> None:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            with contextlib.suppress(RuntimeError):  # not initialised (e.g. BOT_TOKEN missing)
                await app.shutdown()

        closing.push_async_callback(stop_app)
        if not await with_retries("Bot API start-up (getMe, setMyCommands)", connect, stop, cap):
            return
        await app.start()
        assert app.updater is not None
        if webhook is None:
            if not await with_retries("Bot API polling start (deleteWebhook)", poll, stop, cap):
                return
        else:
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
        log.info("bot serving by %s", "webhook" if webhook else "polling")
        await _until_signal(stop)
