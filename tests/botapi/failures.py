"""Error answers: the ones methods compute and the ones a test injects with ``fail_next``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class ApiError(Exception):
    """A Telegram-shaped error answer; PTB maps the status and parameters to its exceptions."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters or {}

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            out["parameters"] = self.parameters
        return out


@dataclass(frozen=True)
class Failure:
    """What an injected failure does. ``delay`` > 0 with ``error`` None is a slow, then normal,
    answer; the work (e.g. the message being sent) happens after the delay even if the client
    gave up, as with real Telegram. ``delay`` with an ``error`` waits, then fails."""

    name: str
    error: ApiError | None = None
    delay: float = 0.0


def retry_after(seconds: int = 1) -> Failure:
    return Failure(
        "429",
        ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}),
    )


def bad_request(description: str = "Bad Request: chat not found") -> Failure:
    return Failure("400", ApiError(400, description))


def blocked(description: str = "Forbidden: bot was blocked by the user") -> Failure:
    return Failure("403", ApiError(403, description))


def migrate(migrate_to_chat_id: int) -> Failure:
    return Failure(
        "migrate",
        ApiError(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": migrate_to_chat_id},
        ),
    )


def server_error(status: int = 500) -> Failure:
    text = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
    return Failure(str(status), ApiError(status, text.get(status, "Server Error")))


def slow(seconds: float) -> Failure:
    return Failure("slow", None, delay=seconds)


def hang(seconds: float = 3600.0) -> Failure:
    """No answer for ``seconds`` (the client times out first), and nothing is sent: a chat
    whose requests hang. Ends with a 504 should the client still be waiting."""
    return Failure("hang", ApiError(504, "Gateway Timeout"), delay=seconds)


_SHORTCUTS: dict[str, Callable[[], Failure]] = {
    "429": retry_after,
    "retry_after": retry_after,
    "400": bad_request,
    "bad_request": bad_request,
    "403": blocked,
    "blocked": blocked,
    "500": lambda: server_error(500),
    "502": lambda: server_error(502),
}


def as_failure(kind: Failure | str | int) -> Failure:
    if isinstance(kind, Failure):
        return kind
    try:
        return _SHORTCUTS[str(kind)]()
    except KeyError:
        raise ValueError(
            f"unknown failure kind {kind!r}; use one of {sorted(_SHORTCUTS)}, "
            "or migrate(chat_id) / slow(seconds) / retry_after(n) / bad_request(text)"
        ) from None


@dataclass
class _Pending:
    method: str
    chat_id: int | str | None
    failure: Failure
    times: int


@dataclass
class FailurePlan:
    """Queued failures, consumed first-in first-out by matching calls."""

    pending: list[_Pending] = field(default_factory=list)

    def add(self, method: str, chat_id: int | str | None, failure: Failure, times: int) -> None:
        self.pending.append(_Pending(method.lower(), chat_id, failure, times))

    def take(self, method: str, chat_id: int | str | None) -> Failure | None:
        for item in self.pending:
            if item.method != method.lower():
                continue
            if item.chat_id is not None and str(item.chat_id) != str(chat_id):
                continue
            item.times -= 1
            if item.times <= 0:
                self.pending.remove(item)
            return item.failure
        return None
