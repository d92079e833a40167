"""Sending one rendered alert through python-telegram-bot.

This is the boundary: python-telegram-bot's errors become our ``DeliveryError`` tree
(``bot/errors.py``), so the dispatcher imports nothing from ``telegram``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import warnings
from datetime import timedelta
from pathlib import Path

import httpx
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.deliver.render import BOT, Rendered
from bot.errors import (
    ChatGone,
    ChatMoved,
    DeliveryError,
    RateLimited,
    Rejected,
    ServerError,
    Unreachable,
)

log = logging.getLogger(__name__)

# 400s that mean the chat itself is out of reach, like a 403: the bot was never there, the
# chat was deleted, or the user deleted their account.
_GONE_400 = ("chat not found", "user not found", "peer_id_invalid", "chat_id_invalid")


def translate(exc: TelegramError) -> DeliveryError:
    """python-telegram-bot's error for one send, as ours."""
    if isinstance(exc, RetryAfter):
        with warnings.catch_warnings():  # PTB 22 deprecates the int form; either is fine here
            warnings.simplefilter("ignore")
            value = exc.retry_after
        seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
        return RateLimited(seconds if math.isfinite(seconds) and seconds >= 0 else 60.0)
    if isinstance(exc, ChatMigrated):
        return ChatMoved(int(exc.new_chat_id))
    if isinstance(exc, Forbidden):
        return ChatGone(exc.message)
    if isinstance(exc, BadRequest):
        if any(marker in exc.message.lower() for marker in _GONE_400):
            return ChatGone(exc.message)
        return Rejected(f"400: {exc.message}")
    if isinstance(exc, TimedOut):
        return Unreachable(f"timed out: {exc.message}", timed_out=True)
    if isinstance(exc, NetworkError) and isinstance(exc.__cause__, httpx.HTTPError):
        # PTB wraps what httpx raised before any answer came (refused, reset, DNS) this way;
        # a 5xx answer is a NetworkError with no httpx cause.
        return Unreachable(exc.message, timed_out=isinstance(exc.__cause__, httpx.TimeoutException))
    if isinstance(exc, NetworkError) and exc.message.startswith("Unknown error in HTTP"):
        return Unreachable(exc.message)
    return ServerError(exc.message)


def markup(msg: Rendered, username: str | None) -> InlineKeyboardMarkup | None:
    """The alert's buttons; a link naming the bot is dropped when its username is unknown."""
    rows = []
    for row in msg.buttons:
        buttons = []
        for b in row:
            if b.url is not None:
                if BOT in b.url and not username:
                    continue
                buttons.append(InlineKeyboardButton(b.text, url=b.url.replace(BOT, username or "")))
            elif b.data is not None:
                buttons.append(InlineKeyboardButton(b.text, callback_data=b.data))
        if buttons:
            rows.append(buttons)
    return InlineKeyboardMarkup(rows) if rows else None


class PtbSender:
    def __init__(self, bot: Bot, media_dir: Path) -> None:
        self.bot = bot
        self.media_dir = media_dir

    def _photo(self, rel: str) -> bytes | None:
        path = self.media_dir / rel
        return path.read_bytes() if path.is_file() else None

    async def _photos(self, rels: tuple[str, ...]) -> list[bytes]:
        # Off the event loop: up to ten maps must not stall polling and pacing meanwhile.
        found = await asyncio.to_thread(lambda: [self._photo(rel) for rel in rels])
        return [data for data in found if data is not None]

    def _username(self) -> str | None:
        try:
            return self.bot.username
        except RuntimeError:  # not initialised (no getMe yet)
            return None

    async def send(self, chat_id: int, thread_id: int, msg: Rendered) -> int:
        """Sends and returns the (first) message id; raises a ``DeliveryError``. The buttons
        go on the last message: the follow-up when there is one (an album cannot carry any)."""
        keyboard = markup(msg, self._username())
        try:
            first = await self._send(chat_id, thread_id, msg, None if msg.follow else keyboard)
        except TelegramError as exc:
            raise translate(exc) from exc
        if msg.follow:
            try:
                await self.bot.send_message(
                    chat_id,
                    msg.follow,
                    parse_mode=ParseMode.HTML,
                    message_thread_id=thread_id or None,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                    reply_markup=keyboard,
                )
            except TelegramError:
                # The photo is delivered and recorded as sent; retrying the whole alert would
                # send it twice. The caption already holds the post's start and its link.
                log.warning("follow-up text to chat %s failed", chat_id, exc_info=True)
        return first

    async def _send(
        self, chat_id: int, thread_id: int, msg: Rendered, keyboard: InlineKeyboardMarkup | None
    ) -> int:
        thread = thread_id or None
        photos = await self._photos(msg.photos)
        if len(photos) > 1:
            media = [
                InputMediaPhoto(
                    data,
                    caption=msg.text if i == 0 else None,
                    parse_mode=ParseMode.HTML if i == 0 else None,
                )
                for i, data in enumerate(photos)
            ]
            sent = await self.bot.send_media_group(chat_id, media, message_thread_id=thread)
            return sent[0].message_id
        if photos:
            message = await self.bot.send_photo(
                chat_id,
                photos[0],
                caption=msg.text,
                parse_mode=ParseMode.HTML,
                message_thread_id=thread,
                reply_markup=keyboard,
            )
            return message.message_id
        message = await self.bot.send_message(
            chat_id,
            msg.text,
            parse_mode=ParseMode.HTML,
            message_thread_id=thread,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            reply_markup=keyboard,
        )
        return message.message_id
