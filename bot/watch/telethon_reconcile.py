"""The history half of the Telethon source: the reconciler and ``backfill``.

Updates alone lose posts, so every ``reconcile_seconds`` each channel's history above a
watermark of our own is read again and handed to the sink, which stores each (channel, id)
once (see ``telethon_source``). A mixin of ``TelethonSource``: both halves share its resolved
entities, its album buffer and the ids already stored live.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from telethon import TelegramClient
from telethon.errors import RPCError

from bot.core.lru import LRU
from bot.core.post import Post, normalise_channel
from bot.errors import SourceError
from bot.outage_log import OutageLog
from bot.watch import telethon_convert as conv
from bot.watch.base import PostSink, SourceMonitor
from bot.watch.telethon_album import Album
from bot.watch.telethon_flood import FloodGuard
from bot.watch.telethon_history import stream_units
from bot.watch.telethon_media import MEDIA_ATTEMPTS

log = logging.getLogger("bot.watch.telethon_source")

ALBUM_LOOKBACK = 10  # an album has at most 10 items, sent together with consecutive ids
_BATCH = 20


class HistoryMixin:
    client: TelegramClient
    channels: list[str]
    sink: PostSink
    flood: FloodGuard
    monitor: SourceMonitor | None
    outages: OutageLog
    startup_overlap: int
    initial_posts: int
    media_retry_delay: float
    _entities: dict[str, Any]
    _watermark: dict[str, int]
    _albums: LRU[tuple[str, int], Album]

    if TYPE_CHECKING:  # provided by TelethonSource

        async def _resolve(self, channel: str) -> Any: ...
        def _remember(self, entities: Iterable[Any]) -> None: ...
        async def _history(self, entity: Any, **kwargs: Any) -> list[Any]: ...
        async def _convert(self, channel: str, unit: Sequence[Any]) -> Post: ...
        def _seen_of(self, channel: str) -> set[int]: ...

    async def reconcile_all(self) -> int:
        """One pass over every channel; a failing channel is logged and retried next pass."""
        new = 0
        if not self.client.is_connected():
            # Telethon gives up reconnecting after ``connection_retries``; try again each cycle.
            try:
                await self.client.connect()
            except OSError as exc:
                log.warning("telegram: still disconnected (%s); retry next cycle", exc)
                # Every channel missed this pass: an MTProto outage must degrade them all,
                # not look like quiet channels.
                if self.monitor is not None:
                    for channel in list(self.channels):
                        await self.monitor.polled(channel, exc)
                return 0
        for channel in list(self.channels):
            error: BaseException | None = None
            try:
                new += await self.reconcile_channel(channel)
            except asyncio.CancelledError:
                raise
            except (RPCError, SourceError, ValueError, OSError) as exc:
                error = exc
                self.outages.failed(f"telegram: reconciling @{channel}", exc)
            except Exception as exc:
                error = exc
                self.outages.failed(f"telegram: reconciling @{channel}", exc, expected=False)
            else:
                self.outages.ok(f"telegram: reconciling @{channel}")
            if self.monitor is not None:
                await self.monitor.polled(channel, error)
        return new

    async def reconcile_channel(self, channel: str) -> int:
        """Store every post above the watermark not already stored; returns how many were new."""
        channel = normalise_channel(channel)
        entity = await self._resolve(channel)
        if channel not in self._watermark:
            self._watermark[channel] = await self._initial_watermark(channel, entity)
        mark = self._watermark[channel]
        # Read a little below the watermark so an album straddling it is seen whole.
        history = await self._history(entity, min_id=max(0, mark - ALBUM_LOOKBACK))
        seen = self._seen_of(channel)
        new = 0
        batch: list[Post] = []
        top = mark
        try:
            for unit in conv.group_units(history):
                ids = [int(m.id) for m in unit]
                if unit[0].grouped_id is not None:
                    self._note_album(channel, unit)
                if min(ids) <= mark:
                    continue  # handled by an earlier pass (or below the startup overlap)
                if not all(i in seen for i in ids):
                    batch.append(await self._convert(channel, unit))
                top = max(ids)
                if len(batch) >= _BATCH:
                    new += await self._hand_over(channel, batch)
                    batch = []
                    self._watermark[channel] = top
        finally:
            # Posts converted before a failure are stored; the watermark stops below the failure.
            if batch:
                new += await self._hand_over(channel, batch)
                batch = []
            self._watermark[channel] = max(self._watermark[channel], top)
            self._prune_seen(channel)
        if new:
            log.info("telegram: @%s: %d posts recovered by the reconciler", channel, new)
        return new

    async def _initial_watermark(self, channel: str, entity: Any) -> int:
        last = await self.sink.last_id(channel)
        if last:
            return max(0, last - self.startup_overlap)

        # Nothing stored yet: start with the newest few posts, not the channel's whole
        # history (that is what ``backfill`` is for), as the web source does.
        async def newest() -> list[Any]:
            return [m async for m in self.client.iter_messages(entity, limit=self.initial_posts)]

        ids = [int(m.id) for m in await self.flood.call(newest)]
        return max(0, min(ids, default=1) - 1)

    def _note_album(self, channel: str, unit: Sequence[Any]) -> None:
        album = self._albums.get((channel, int(unit[0].grouped_id)))
        if album is None:
            group = int(unit[0].grouped_id)
            album = self._albums.put((channel, group), Album(channel, group))
        for message in unit:
            album.messages.setdefault(message.id, message)
        if album.key is None:
            album.key = min(album.messages)

    async def _hand_over(self, channel: str, posts: Sequence[Post]) -> int:
        new = await self.sink.new_posts(posts)
        seen = self._seen_of(channel)
        for post in posts:
            seen.add(post.id)
            album = self._albums.get((channel, post.grouped_id)) if post.grouped_id else None
            if album is not None:
                seen.update(album.messages)
        return new

    async def backfill(
        self,
        channel: str,
        since: datetime,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Store every post from ``since`` on, oldest first; returns how many were new.

        ``progress`` gets the number of posts handed to the sink at each step (an increment,
        as ``tqdm.update`` takes it).
        """
        if since.tzinfo is None:
            raise ValueError("since must be timezone-aware")
        channel = normalise_channel(channel)
        entity = await self._resolve_for_history(channel)
        new = 0
        batch: list[Post] = []
        try:
            # Streamed, not read whole first: a long history would otherwise wait for hours
            # before its first download, by when its file references have expired.
            async for unit in stream_units(self.client, self.flood, entity, offset_date=since):
                if (conv.aware(unit[0].date) or since) < since:
                    continue
                post = await self._convert_patiently(channel, unit)
                if post is None:
                    continue
                batch.append(post)
                if len(batch) >= _BATCH:
                    new += await self._hand_over(channel, batch)
                    if progress is not None:
                        progress(len(batch))
                    batch = []
        finally:
            # Posts converted before a failure (e.g. of the history request) are kept.
            if batch:
                new += await self._hand_over(channel, batch)
                if progress is not None:
                    progress(len(batch))
        return new

    async def _convert_patiently(self, channel: str, unit: Sequence[Any]) -> Post | None:
        """``_convert`` retried until every photo loads or is given up (``MEDIA_ATTEMPTS``).

        A backfill has no next cycle to retry in, so one bad photo must not end it. None
        (the unit is skipped) only if it still fails, which the give-up rule should prevent.
        """
        attempts = MEDIA_ATTEMPTS * len(unit)
        for attempt in range(1, attempts + 1):
            try:
                return await self._convert(channel, unit)
            except SourceError as exc:
                if attempt == attempts:
                    log.warning("telegram: @%s/%s skipped: %s", channel, unit[0].id, exc)
                    return None
                log.info("telegram: @%s/%s: %s; retrying", channel, unit[0].id, exc)
                await asyncio.sleep(self.media_retry_delay)
        return None

    async def _resolve_for_history(self, channel: str) -> Any:
        """A backfill may name a channel that is not watched: resolve without joining it."""
        entity = self._entities.get(channel)
        if entity is None:
            entity = await self.flood.call(lambda: self.client.get_entity(channel))
            self._remember([entity])
        return entity

    def _prune_seen(self, channel: str) -> None:
        floor = self._watermark.get(channel, 0) - ALBUM_LOOKBACK
        seen = self._seen_of(channel)
        for stale in [i for i in seen if i < floor]:
            seen.discard(stale)
