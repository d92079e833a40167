"""Entry point of `dozor` and `python -m bot`."""

from __future__ import annotations

import argparse
import importlib
import logging
import re
import sys
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from bot.errors import DozorError
from bot.ops.logs import setup_logging

# Subcommand modules; each exposes register(subparsers). Heavy imports (the gazetteer,
# Telethon, matplotlib) happen inside the commands, so `dozor --help` stays fast.
COMMAND_MODULES = (
    "bot.cli.run",
    "bot.cli.replay",
    "bot.cli.importer",
    "bot.cli.db",
    "bot.cli.analyze",
    "bot.cli.export",
    "bot.cli.watch",
    "bot.cli.deliver",
    "bot.cli.digest",
    "bot.cli.reindex",
    "bot.cli.ops",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dozor", description="Monitor official Telegram channels and alert chats."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # Settings are read by each command (settings_from), which sets the level and format.
    setup_logging(logging.DEBUG if args.verbose else logging.WARNING)
    try:
        return int(args.func(args) or 0)
    except DozorError as exc:
        print(f"dozor: {exc}", file=sys.stderr)
        return 2
    except (OSError, SQLAlchemyError) as exc:
        # An unreachable or misconfigured database: say so, without the URL's password.
        print(f"dozor: cannot use the database: {_no_secrets(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _no_secrets(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return re.sub(r"://([^:/@\s]+):[^@\s]*@", r"://\1:***@", text)
