"""Entry point of `dozor` and `python -m bot`.

Fast when it can be: `dozor --help` and `dozor --version` import no command module (so
neither Telegram, SQLAlchemy, pymorphy3 nor matplotlib); `dozor COMMAND …` imports only the
module that defines COMMAND.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import re
import sys
from collections.abc import Sequence

from bot import __version__
from bot.errors import DozorError, UserInputError

# Subcommand modules; each exposes register(subparsers).
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
# command -> (its module, its one-line help), for the top-level help without the imports.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("bot.cli.run", "run watcher, bot and delivery in one process"),
    "replay": ("bot.cli.replay", "run the pipeline offline on a file (default: the sample)"),
    "import": ("bot.cli.importer", "import a Telegram Desktop export or a posts JSONL"),
    "db": ("bot.cli.db", "database schema"),
    "analyze": ("bot.cli.analyze", "places, claims and contradictions of JSONL posts"),
    "export": ("bot.cli.export", "dump stored posts with versions and media paths"),
    "watch": ("bot.cli.watch", "run only the watchers"),
    "login": ("bot.cli.watch", "log the Telethon account in once (interactive)"),
    "backfill": ("bot.cli.watch", "fetch a channel's history into the archive"),
    "sources": ("bot.cli.watch", "manage watched channels"),
    "deliver": ("bot.cli.deliver", "send queued alerts (N workers; PostgreSQL for N>1)"),
    "serve": ("bot.cli.deliver", "run only the bot's commands (polling or webhook)"),
    "digest": ("bot.cli.digest", "print a chat's daily digest in the terminal"),
    "schedule": ("bot.cli.digest", "run the digest scheduler (one leader among processes)"),
    "reindex": ("bot.cli.reindex", "rebuild the search index of the archive"),
    "health": ("bot.cli.ops", "exit 0 when this machine's dozor process answers healthy"),
}
# Commands that run until stopped log at LOG_LEVEL; the others are quiet unless -v.
SERVICES = frozenset({"run", "watch", "serve", "deliver", "schedule"})


def _command_of(argv: Sequence[str]) -> str | None:
    return next((a for a in argv if not a.startswith("-")), None)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with ``argv``, only the named command's module is imported."""
    parser = argparse.ArgumentParser(
        prog="dozor", description="Monitor official Telegram channels and alert chats."
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more logging (-v info, -vv debug)"
    )
    parser.add_argument("--version", action="version", version=f"dozor {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    wanted = _command_of(argv) if argv is not None else None
    if argv is not None and wanted not in COMMANDS and wanted is not None:
        modules: tuple[str, ...] = COMMAND_MODULES  # a command this table does not know yet
    elif wanted is None and argv is not None:
        modules = ()
    else:
        modules = (COMMANDS[wanted][0],) if wanted is not None else COMMAND_MODULES
    defined = {name for name, (module, _) in COMMANDS.items() if module in modules}
    for name in modules:
        importlib.import_module(name).register(sub)
    for name, (_module, help_) in COMMANDS.items():
        if name not in defined and name not in sub.choices:
            sub.add_parser(name, help=help_)  # listed in the help; parsed once chosen
    return parser


def _log_level(args: argparse.Namespace) -> int:
    if args.verbose >= 2:
        return logging.DEBUG
    if args.verbose == 1:
        return logging.INFO
    return logging.WARNING


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    args.service = args.command in SERVICES
    # Imported only now: `--help` and `--version` have exited by here. Each command then
    # reads its settings (settings_from), which sets the level and the format.
    from bot import logsafe
    from bot.ops.logs import setup_logging

    setup_logging(_log_level(args))
    logsafe.install()
    try:
        return int(args.func(args) or 0)
    except DozorError as exc:
        print(f"dozor: {logsafe.REDACT(_worded(exc))}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `dozor export | head`: the reader has what it wanted. Point stdout at /dev/null
        # so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        message = describe_failure(exc)
        if message is None:
            raise
        print(f"dozor: {logsafe.REDACT(message)}", file=sys.stderr)
        return 2


def _worded(exc: DozorError) -> str:
    code = getattr(exc, "code", None)
    if isinstance(exc, UserInputError) and code is not None and str(exc) == code:
        from bot.core.i18n import has, t
        from bot.replay import html_to_terminal

        if has(code):
            return html_to_terminal(t("en", code, **exc.params))
    return str(exc)


def describe_failure(exc: BaseException) -> str | None:
    """One readable line for a network or database failure; None for a bug (traceback)."""
    names = {f"{c.__module__}.{c.__qualname__}" for c in type(exc).__mro__}
    text = _no_secrets(exc)
    if any(n.startswith(("telegram.error.", "aiohttp.", "httpx.")) for n in names):
        return f"network error ({type(exc).__name__}): {text}"
    if any(n.startswith("sqlalchemy.exc.") for n in names):
        return f"cannot use the database: {text}"
    if isinstance(exc, ConnectionError | TimeoutError):
        return f"network error ({type(exc).__name__}): {text}"
    if isinstance(exc, OSError):
        return f"cannot use the database or a file: {text}"
    return None


def _no_secrets(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    text = re.sub(r"/bot\d+:[\w-]+", "/bot***", text)  # a Bot API URL carries the token
    return re.sub(r"://([^:/@\s]+):[^@\s]*@", r"://\1:***@", text)
