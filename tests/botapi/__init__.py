"""A loopback fake of the Telegram Bot API that python-telegram-bot really talks to.

    async with BotApiServer() as srv:
        app = ApplicationBuilder().token(T).base_url(srv.base_url)
              .base_file_url(srv.base_file_url).build()
        srv.inject_message(42, "/start")                 # a user writes
        msgs = await srv.wait_for_sent(1, chat_id=42)     # the bot answered
        srv.fail_next("sendMessage", chat_id=42, kind=retry_after(3))

Modules: server (HTTP, recording, failures, limits), inject (updates from users), methods (the
Bot API methods), state (what is remembered), limits (flood windows), failures (error answers),
markup (parse_mode HTML), params (request decoding), objects/updates (JSON builders),
fixtures (pytest fixtures and PTB helpers).
"""

from tests.botapi.failures import (
    ApiError,
    Failure,
    bad_request,
    blocked,
    hang,
    migrate,
    retry_after,
    server_error,
    slow,
)
from tests.botapi.limits import Limits, ManualClock
from tests.botapi.objects import BOT_ID, BOT_USERNAME
from tests.botapi.server import BotApiServer
from tests.botapi.state import Call

__all__ = [
    "BOT_ID",
    "BOT_USERNAME",
    "ApiError",
    "BotApiServer",
    "Call",
    "Failure",
    "Limits",
    "ManualClock",
    "bad_request",
    "blocked",
    "hang",
    "migrate",
    "retry_after",
    "server_error",
    "slow",
]
