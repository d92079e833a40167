"""`dozor health`: ask a running process's /healthz (the container's and systemd's check)."""

from __future__ import annotations

import argparse
import asyncio
import sys

import aiohttp

from bot.cli.common import settings_from
from bot.config import Settings


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    health = sub.add_parser(
        "health", help="exit 0 when the local process's /healthz says healthy, else 1"
    )
    health.add_argument("--url", help="default: http://HEALTH_HOST:HEALTH_PORT/healthz")
    health.add_argument("--timeout", type=float, default=5.0, help="seconds (default 5)")
    health.add_argument("-q", "--quiet", action="store_true", help="print nothing")
    health.set_defaults(func=_health)


def health_url(settings: Settings) -> str:
    host = settings.health_host
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - listening everywhere: ask locally
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.health_port}/healthz"


async def check(url: str, seconds: float) -> tuple[int, str]:
    """The status and body of ``url``; (0, reason) when nothing answered in time."""
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=seconds)) as http,
            http.get(url) as resp,
        ):
            return resp.status, await resp.text()
    except (aiohttp.ClientError, TimeoutError) as exc:
        return 0, f"no answer from {url}: {exc!r}"


def _health(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if not args.url and not settings.health_port:
        print("HEALTH_PORT is 0: this deployment serves no /healthz", file=sys.stderr)
        return 1
    status, body = asyncio.run(check(args.url or health_url(settings), args.timeout))
    if not args.quiet:
        print(body, file=sys.stdout if status == 200 else sys.stderr)
    return 0 if status == 200 else 1
