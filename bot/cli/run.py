"""`dozor run`: the whole bot in one process."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.common import settings_from


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("run", help="run watcher, bot and delivery in one process")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from bot.compose.processes import run_forever

    asyncio.run(run_forever(settings_from(args)))
    return 0
