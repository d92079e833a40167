"""Sending one rendered alert through python-telegram-bot."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.deliver.render import BOT, Rendered

log = logging.getLogger(__name__)


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
        """Sends and returns the (first) message id. Telegram errors propagate as PTB's.
        The buttons go on the last message: the follow-up when there is one (an album
        cannot carry any)."""
        keyboard = markup(msg, self._username())
        first = await self._send(chat_id, thread_id, msg, None if msg.follow else keyboard)
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
