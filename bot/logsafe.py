"""No secret in any output: log lines, tracebacks and the CLI's own error lines are redacted.

Libraries put secrets where we cannot stop them: PTB logs "Set Bot API URL: …/bot<token>" at
DEBUG and raises "The token `<token>` was rejected"; database drivers echo URLs with their
password. Rather than chase each message, every line leaves through one formatter (and
uncaught tracebacks through one hook) that replaces the configured secrets, and anything shaped
like a bot token, with ``***``.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import traceback
from collections.abc import Iterable
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # this module stays light: the CLI installs it before any heavy import
    from bot.config import Settings

MASK = "***"
# A Telegram bot token: the bot's numeric id, a colon, 35 characters of base64url.
_TOKEN_SHAPE = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}")
_URL_PASSWORD = re.compile(r"://([^:/@\s]+):[^@\s]*@")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class Redactor:
    """Replaces known secret values, token-shaped strings and URL passwords."""

    def __init__(self) -> None:
        self._secrets: list[str] = []

    def add(self, values: Iterable[str | None]) -> None:
        for value in values:
            # Very short values would mask ordinary words; real secrets are never that short.
            if value and len(value) >= 6 and value not in self._secrets:
                self._secrets.append(value)
        self._secrets.sort(key=len, reverse=True)  # a secret containing another goes first

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        text = _TOKEN_SHAPE.sub(MASK, text)
        return _URL_PASSWORD.sub(rf"://\1:{MASK}@", text)


REDACT = Redactor()


class RedactingFormatter(logging.Formatter):
    """Formats as usual (message, arguments, traceback), then redacts the whole text."""

    redacts = True  # formatters that redact themselves (bot.ops.logs) carry this too

    def format(self, record: logging.LogRecord) -> str:
        return REDACT(super().format(record))


def secrets_of(settings: Settings) -> list[str | None]:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    values: list[str | None] = []
    for secret in (settings.bot_token, settings.tg_api_hash, settings.webhook_secret):
        if secret is not None:
            values.append(secret.get_secret_value().strip())
    with contextlib.suppress(ArgumentError):  # an unparsable URL fails later, on its own
        values.append(make_url(settings.database_url).password)
    return values


def _excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    """Through the root logger when logging is set up: one event in the configured format (a
    single JSON line with LOG_FORMAT=json), redacted by its formatter like every other line."""
    root = logging.getLogger()
    if root.handlers and all(getattr(h.formatter, "redacts", False) for h in root.handlers):
        root.critical("uncaught exception", exc_info=(kind, value, tb))
        return
    sys.stderr.write(REDACT("".join(traceback.format_exception(kind, value, tb))))


def install(settings: Settings | None = None) -> None:
    """Redact every handler of the root logger and uncaught tracebacks; remember the
    secrets of ``settings``. Idempotent; called by the CLI before any command runs."""
    if settings is not None:
        REDACT.add(secrets_of(settings))
    root = logging.getLogger()
    for handler in root.handlers:
        if not getattr(handler.formatter, "redacts", False):
            fmt = handler.formatter._fmt if handler.formatter else LOG_FORMAT
            handler.setFormatter(RedactingFormatter(fmt))
    sys.excepthook = _excepthook
