"""Sending one rendered alert through python-telegram-bot."""

from __future__ import annotations

import asyncio
from pathlib import Path

from telegram import Bot, InputMediaPhoto, LinkPreviewOptions
from telegram.constants import ParseMode

from bot.deliver.render import Rendered


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

    async def send(self, chat_id: int, thread_id: int, msg: Rendered) -> int:
        """Sends and returns the (first) message id. Telegram errors propagate as PTB's."""
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
            )
            return message.message_id
        message = await self.bot.send_message(
            chat_id,
            msg.text,
            parse_mode=ParseMode.HTML,
            message_thread_id=thread,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
        return message.message_id
