"""Pacing of the bot's command replies, so none is lost to a 429.

PTB's ``AIORateLimiter`` keeps the global (30/s) and per-group (20/min) limits and retries a
429 after the time Telegram asks for; this adds Telegram's limit for one private chat (about
one message a second), which eight commands sent at once would otherwise exceed.

The outbox dispatcher paces its own sends and handles their 429s itself (rescheduling the
row), so its task runs ``unpaced``: its requests pass straight through.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

from bot.core.lru import LRU

REPLY_RETRIES = 5
PRIVATE_PER_S = 1.0
# Telegram counts a message when it arrives; one sent a second after the last may arrive a
# little sooner than a second after it, and be refused.
MARGIN = 1.1
MAX_CHATS = 10_000  # per-chat limiters kept (least recently used dropped)

_SENDING = ("send", "copyMessage", "forwardMessage", "editMessage")
_UNPACED: contextvars.ContextVar[bool] = contextvars.ContextVar("dozor_unpaced", default=False)

Result = bool | dict[str, Any] | list[dict[str, Any]]


def unpaced_context() -> contextvars.Context:
    """A context whose requests skip this pacer: pass it to ``asyncio.create_task``."""
    ctx = contextvars.copy_context()
    ctx.run(_UNPACED.set, True)
    return ctx


class ReplyPacer(AIORateLimiter):
    def __init__(
        self, *, max_retries: int = REPLY_RETRIES, private_per_s: float = PRIVATE_PER_S
    ) -> None:
        super().__init__(max_retries=max_retries)
        self.private_per_s = private_per_s
        self._private: LRU[int, AsyncLimiter] = LRU(MAX_CHATS)

    def _limiter(self, chat_id: int) -> AsyncLimiter:
        limiter = self._private.get(chat_id)
        if limiter is None:
            limiter = self._private.put(chat_id, AsyncLimiter(1, MARGIN / self.private_per_s))
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        if _UNPACED.get() or not endpoint.startswith(_SENDING):
            # Only messages count against Telegram's flood limits; getChatMember, answers to
            # buttons and getUpdates must not queue behind a group's 20 messages a minute.
            return await callback(*args, **kwargs)
        chat_id = data.get("chat_id")
        if isinstance(chat_id, int) and chat_id > 0:
            async with self._limiter(chat_id):
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
