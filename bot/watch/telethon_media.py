"""Photos of Telethon messages: downloaded once, retried a few times, then given up.

A photo that keeps failing must not stall its channel for ever, and one that failed once must
not be stored without its photo while a fresh file reference may still fetch it: the first
``MEDIA_ATTEMPTS - 1`` failures raise (the reconciler tries the post again next cycle), the
last one stores the post without the photo.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telethon import TelegramClient
from telethon.errors import FileReferenceExpiredError, RPCError

from bot.core.lru import LRU
from bot.core.post import MediaFile
from bot.errors import SourceError
from bot.media import MediaStore
from bot.watch import telethon_convert as conv
from bot.watch.telethon_flood import FloodGuard

log = logging.getLogger("bot.watch.telethon_source")

Download = Callable[[Any], Awaitable[bytes | None]]
EntityOf = Callable[[str, Any], Any]  # (channel, message) -> the entity to fetch it from again

MEDIA_ATTEMPTS = 3
CACHE_SIZE = 4096


class TelethonMedia:
    def __init__(
        self,
        client: TelegramClient,
        store: MediaStore,
        flood: FloodGuard,
        entity_of: EntityOf,
        download: Download | None = None,
    ) -> None:
        self.client = client
        self.store = store
        self.flood = flood
        self.entity_of = entity_of
        self.download: Download = download or self._download_media
        self.cache: LRU[conv.MediaKey, MediaFile] = LRU(CACHE_SIZE)
        self.failures: LRU[tuple[str, int], int] = LRU(CACHE_SIZE)

    async def files_of(self, channel: str, messages: Sequence[Any]) -> list[MediaFile]:
        files: list[MediaFile] = []
        for message in sorted(messages, key=lambda m: int(m.id)):
            stored = await self.file_of(channel, message)
            if stored is not None and stored not in files:
                files.append(stored)
        return files

    async def file_of(self, channel: str, message: Any) -> MediaFile | None:
        key = conv.media_key(message)
        if key is None:
            return None
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        ref = (channel, int(message.id))
        try:
            data = await self._download_fresh(channel, message)
        except (RPCError, OSError, ValueError) as exc:
            # Raised (not swallowed) so the post is not stored without its photo while the
            # photo may still be fetched; the reconciler tries again with a fresh reference.
            failures = self.failures.put(ref, (self.failures.get(ref) or 0) + 1)
            if failures < MEDIA_ATTEMPTS:
                raise SourceError(f"@{channel}/{message.id}: photo download failed: {exc}") from exc
            log.warning(
                "telegram: @%s/%s: photo given up after %d attempts: %s",
                channel,
                message.id,
                failures,
                exc,
            )
            return None
        self.failures.pop(ref)
        if not data:
            return None
        stored = await asyncio.to_thread(self.store.put_bytes, data, conv.mime_hint(message))
        return self.cache.put(key, stored)

    async def _download_fresh(self, channel: str, message: Any) -> bytes | None:
        """Download; on an expired file reference fetch the message again once and retry."""
        try:
            return await self.flood.call(lambda: self.download(message))
        except FileReferenceExpiredError:
            # References expire after a while (a long backfill, an old edit); the message
            # fetched anew carries a fresh one.
            entity = self.entity_of(channel, message)
            fresh = await self.flood.call(
                lambda: self.client.get_messages(entity, ids=int(message.id))
            )
            if fresh is None or conv.media_key(fresh) is None:
                raise
            log.info("telegram: @%s/%s: file reference refreshed", channel, message.id)
            return await self.flood.call(lambda: self.download(fresh))

    async def _download_media(self, message: Any) -> bytes | None:
        data = await self.client.download_media(message, file=bytes)
        return data if isinstance(data, bytes) else None
