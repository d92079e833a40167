"""`dozor deliver` (outbox workers) and `dozor serve` (the bot's commands), run separately."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import ctypes.util
import logging
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from types import FrameType

from bot.cli.common import settings_from
from bot.deliver.process import DeliverOptions, WebhookOptions
from bot.errors import ConfigError

log = logging.getLogger(__name__)


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
    # The supervisor gives child i its own port (HEALTH_PORT + i) on its command line.
    deliver.add_argument("--health-port", type=int, default=None, help=argparse.SUPPRESS)
    deliver.set_defaults(func=_deliver)

    serve = sub.add_parser(
        "serve",
        help="run only the bot's commands (polling, or webhook with WEBHOOK_SECRET set)",
    )
    serve.add_argument(
        "--webhook-url", help="public HTTPS URL Telegram posts updates to; without it the bot polls"
    )
    serve.add_argument("--listen", default="0.0.0.0", help="webhook: address to listen on")  # noqa: S104
    serve.add_argument("--port", type=int, default=8443, help="webhook: port to listen on")
    serve.add_argument("--url-path", default="", help="webhook: local path (default: root)")
    serve.set_defaults(func=_serve)


def _deliver(args: argparse.Namespace) -> int:
    settings = settings_from(args, health_port=args.health_port)
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
    from bot.compose.processes import deliver_forever

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
    return Supervisor(child_args, args.workers, lambda slot: _child_args(health_port, slot)).run()


class Supervisor:
    """Keeps ``count`` children running: one that dies is logged and started again (after a
    pause growing to 30 s while it keeps dying young). A signal to the supervisor is passed on
    to all children, and each child is told by the kernel to stop should the supervisor die
    without a word (kill -9), so no child outlives it."""

    def __init__(
        self,
        command: list[str],
        count: int,
        args_for: Callable[[int], list[str]] = lambda _slot: [],
    ) -> None:
        self.command = command
        self.args_for = args_for  # a slot's own arguments, after ``command``'s
        self.children: list[subprocess.Popen[bytes]] = []
        self.started: list[float] = []
        self.crashes: list[int] = [0] * count
        self.count = count
        self.stopping = False

    def _spawn(self, slot: int) -> subprocess.Popen[bytes]:
        # Our own interpreter and arguments, no shell: nothing untrusted reaches the command.
        return subprocess.Popen(  # noqa: S603
            [*self.command, *self.args_for(slot)],
            preexec_fn=_die_with_parent,  # noqa: PLW1509
        )

    def _forward(self, signum: int, _frame: FrameType | None) -> None:
        self.stopping = True
        for child in self.children:
            if child.poll() is None:
                child.send_signal(signum)

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._forward)
        signal.signal(signal.SIGINT, self._forward)
        for slot in range(self.count):
            self.children.append(self._spawn(slot))
            self.started.append(time.monotonic())
        due: dict[int, float] = {}  # slot -> when its replacement starts
        while True:
            now = time.monotonic()
            for slot, child in enumerate(self.children):
                code = child.poll()
                if code is None or self.stopping:
                    continue
                if slot not in due:
                    young = now - self.started[slot] < 10
                    self.crashes[slot] = self.crashes[slot] + 1 if young else 0
                    pause = min(30.0, 0.5 * 2 ** self.crashes[slot]) if young else 0.0
                    log.warning(
                        "deliver worker %d (pid %d) exited with %s; restarting in %gs",
                        slot,
                        child.pid,
                        code,
                        pause,
                    )
                    due[slot] = now + pause
                if now >= due[slot]:
                    del due[slot]
                    self.children[slot] = self._spawn(slot)
                    self.started[slot] = time.monotonic()
                    log.info("deliver worker %d restarted (pid %d)", slot, self.children[slot].pid)
            if self.stopping and all(c.poll() is not None for c in self.children):
                break
            time.sleep(0.2)
        return max((c.returncode or 0 for c in self.children), default=0)


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the supervisor dies (Linux prctl)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


_PR_SET_PDEATHSIG = 1


def _child_args(health_port: int, index: int) -> list[str]:
    if not health_port:
        return []  # HEALTH_PORT=0 stays off in every child
    return ["--health-port", str(health_port + index)]


def _serve(args: argparse.Namespace) -> int:
    webhook = None
    if args.webhook_url:
        webhook = WebhookOptions(
            url=args.webhook_url,
            listen=args.listen,
            port=args.port,
            url_path=args.url_path,
        )
    from bot.compose.processes import serve_forever

    asyncio.run(serve_forever(settings_from(args), webhook))
    return 0
