"""The one logging setup: one line per event, plain text or JSON (``LOG_FORMAT=json``)."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from datetime import UTC, datetime

from bot.logsafe import REDACT

PLAIN = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Third-party clients log request URLs, and the Bot API URL contains the token.
_QUIET = ("httpx", "httpcore")


class JsonFormatter(logging.Formatter):
    """One JSON object per line; a traceback goes into ``exc`` (newlines escaped). Secrets
    are redacted from the whole line (``bot.logsafe``)."""

    redacts = True

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return REDACT(json.dumps(entry, ensure_ascii=False, default=str))


class _OneLine(logging.Formatter):
    """Plain text; a multi-line message or traceback stays one line (``\\n`` escaped), so a
    log line is always one event. Secrets are redacted from the whole line."""

    redacts = True

    def format(self, record: logging.LogRecord) -> str:
        return REDACT(super().format(record)).replace("\n", "\\n")


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """stderr, whose own failures (a closed stream) are reported in one redacted line:
    logging's default prints the record's arguments raw, and they may hold a secret."""

    def handleError(self, record: logging.LogRecord) -> None:
        stream = sys.__stderr__
        with contextlib.suppress(Exception):
            error = sys.exc_info()[1]
            if stream is not None:
                stream.write(REDACT(f"logging failed for {record.name}: {error!r}\n"))


def setup_logging(level: str | int = logging.WARNING, fmt: str = "plain") -> None:
    """Install (or replace) the root handler on stderr; safe to call again with settings."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "_dozor", False)), None)
    if handler is not None and getattr(handler, "stream", None) is not sys.stderr:
        # stderr was replaced since (and the old one may be closed): start afresh.
        root.removeHandler(handler)
        handler = None
    if handler is None:
        handler = _Handler(sys.stderr)
        handler._dozor = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    handler.setFormatter(JsonFormatter() if fmt == "json" else _OneLine(PLAIN))
    root.setLevel(level.upper() if isinstance(level, str) else level)
    # Python's warnings become log events too, in the same format, one line each.
    logging.captureWarnings(True)
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
