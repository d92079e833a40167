"""`dozor deliver` (outbox workers) and `dozor serve` (the bot's commands), run separately."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
from types import FrameType

from bot.cli.common import settings_from
from bot.deliver.process import DeliverOptions, WebhookOptions, deliver_forever, serve_forever
from bot.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    deliver = sub.add_parser("deliver", help="send queued alerts (N workers; PostgreSQL for N>1)")
    deliver.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes; they share one global budget in PostgreSQL",
    )
    deliver.add_argument(
        "--lease",
        type=float,
        default=60.0,
        help="seconds a claimed row stays with its worker (default 60)",
    )
    deliver.add_argument("--batch", type=int, default=50, help="rows held at once per worker")
    deliver.add_argument(
        "--concurrency", type=int, default=8, help="requests in flight at once per worker"
    )
    deliver.add_argument(
        "--poll", type=float, default=0.2, help="seconds between outbox polls when idle"
    )
    deliver.add_argument(
        "--no-shared-budget",
        action="store_true",
        help="PostgreSQL: pace this worker alone (only when it is the only one)",
    )
    deliver.set_defaults(func=_deliver)

    serve = sub.add_parser("serve", help="run only the bot's commands (polling or webhook)")
    serve.add_argument(
        "--webhook-url", help="public HTTPS URL Telegram posts updates to; without it the bot polls"
    )
    serve.add_argument("--listen", default="0.0.0.0", help="webhook: address to listen on")  # noqa: S104
    serve.add_argument("--port", type=int, default=8443, help="webhook: port to listen on")
    serve.add_argument("--url-path", default="", help="webhook: local path (default: root)")
    serve.add_argument(
        "--secret-token", default=None, help="webhook: X-Telegram-Bot-Api-Secret-Token to require"
    )
    serve.set_defaults(func=_serve)


def _deliver(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if args.workers > 1:
        if not settings.database_url.startswith("postgresql"):
            raise ConfigError(
                "--workers > 1 needs PostgreSQL (DATABASE_URL=postgresql+asyncpg://"
                "…): on SQLite one process delivers"
            )
        return _supervise(args, settings.health_port)
    options = DeliverOptions(
        lease=args.lease,
        batch=args.batch,
        concurrency=args.concurrency,
        idle_poll=args.poll,
        shared_budget=not args.no_shared_budget,
    )
    asyncio.run(deliver_forever(settings, options))
    return 0


def _supervise(args: argparse.Namespace, health_port: int) -> int:
    """N single-worker children; a signal to this process is passed on to all of them.
    Child i serves /healthz on HEALTH_PORT + i, so that they do not compete for one port."""
    child_args = [
        sys.executable,
        "-m",
        "bot",
        *(["-v"] if args.verbose else []),
        "deliver",
        "--workers",
        "1",
        "--lease",
        str(args.lease),
        "--batch",
        str(args.batch),
        "--concurrency",
        str(args.concurrency),
        "--poll",
        str(args.poll),
    ]
    if args.no_shared_budget:
        child_args.append("--no-shared-budget")
    # Our own interpreter and arguments, no shell: nothing untrusted reaches the command.
    children = [
        subprocess.Popen(child_args, env=_child_env(health_port, i))  # noqa: S603
        for i in range(args.workers)
    ]

    def forward(signum: int, _frame: FrameType | None) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    codes = [child.wait() for child in children]
    return max(codes, default=0)


def _child_env(health_port: int, index: int) -> dict[str, str] | None:
    if not health_port:
        return None  # inherit: HEALTH_PORT=0 stays off
    return {**os.environ, "HEALTH_PORT": str(health_port + index)}


def _serve(args: argparse.Namespace) -> int:
    webhook = None
    if args.webhook_url:
        webhook = WebhookOptions(
            url=args.webhook_url,
            listen=args.listen,
            port=args.port,
            url_path=args.url_path,
            secret_token=args.secret_token,
        )
    asyncio.run(serve_forever(settings_from(args), webhook))
    return 0
