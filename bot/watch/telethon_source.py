"""The live Telethon source: pushed updates for speed, a history reconciler so nothing is lost.

Updates alone lose posts (Telethon #4345/#4235; nothing at all after ChannelDifferenceTooLong),
so every ``reconcile_seconds`` each channel's history above a watermark is read again with
``iter_messages(min_id=..., reverse=True)`` and handed to the sink, which stores each
(channel, id) once. The watermark is our own, advanced only by the reconciler: a live post
stored ahead of a lost one must not move it past the lost one (the sink's ``last_id`` would).
Ids stored live are remembered so that the reconciler does not download their photos again.

Handlers are registered without ``chats=``: Telethon would resolve those usernames itself,
which is flood-limited. Each handler checks the message's marked channel id against the live
set instead, which ``add_channel``/``remove_channel`` change at run time.

Albums: every item fires ``NewMessage`` and Telethon's ``Album`` fires as well. Both feed one
buffer per album; it is stored as ONE post (see ``telethon_convert``) when ``Album`` arrives or
``album_delay`` after its last item, whichever is first. Items already stored are never
downloaded or stored again; a late item is added to the post already stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from telethon import TelegramClient, events
from telethon.errors import RPCError
from telethon.tl.functions.channels import JoinChannelRequest

from bot.core.lru import LRU
from bot.core.post import Post, normalise_channel
from bot.errors import NotAuthorisedError, SourceError
from bot.media import MediaStore
from bot.outage_log import OutageLog
from bot.watch import telethon_convert as conv
from bot.watch.base import PostSink, SourceMonitor
from bot.watch.telethon_album import Album, settled
from bot.watch.telethon_flood import FloodGuard
from bot.watch.telethon_history import read_history
from bot.watch.telethon_media import Download, TelethonMedia
from bot.watch.telethon_reconcile import ALBUM_LOOKBACK, HistoryMixin

log = logging.getLogger(__name__)

NOT_AUTHORISED = "the Telegram session is not logged in; run `dozor login`"
_CACHE_SIZE = 4096
_ALBUMS = 512


class TelethonSource(HistoryMixin):
    def __init__(
        self,
        client: TelegramClient,
        channels: Iterable[str],
        sink: PostSink,
        media: MediaStore,
        reconcile_seconds: float = 300.0,
        *,
        download: Download | None = None,
        album_delay: float = 1.0,
        startup_overlap: int = 20,
        initial_posts: int = 20,
        flood_jitter: float = 3.0,
        media_retry_delay: float = 2.0,
        monitor: SourceMonitor | None = None,
        on_flood_wait: Callable[[], None] | None = None,
    ) -> None:
        self.client = client
        self.outages = OutageLog(log)  # one line when a channel's reconciling starts failing
        self.channels = [normalise_channel(c) for c in channels]
        self.sink = sink
        self.reconcile_seconds = reconcile_seconds
        self.album_delay = album_delay
        # After a restart the posts just below the last stored id are read again: one lost
        # before the crash while a later one was stored live is found this way.
        self.startup_overlap = startup_overlap
        self.initial_posts = initial_posts
        self.media_retry_delay = media_retry_delay  # between a backfill's photo attempts
        self.monitor = monitor  # told each channel's reconcile outcome (source health)
        self.flood = FloodGuard(flood_jitter, on_flood_wait)
        self._live: dict[int, str] = {}  # marked channel id -> username: the live filter
        self._entities: dict[str, Any] = {}  # username -> resolved channel entity
        self._known: LRU[int, Any] = LRU(_CACHE_SIZE)  # marked id -> entity (forwards)
        self._watermark: dict[str, int] = {}
        self._seen: dict[str, set[int]] = {}
        # A pending album (timer running or being stored) is never evicted.
        self._albums: LRU[tuple[str, int], Album] = LRU(_ALBUMS, evictable=settled)
        self.media = TelethonMedia(client, media, self.flood, self._entity_of, download)
        self._tasks: set[asyncio.Task[None]] = set()
        self._handlers: list[tuple[Callable[[Any], Awaitable[None]], Any]] = []

    # -- life cycle --------------------------------------------------------------------------
    async def start(self) -> None:
        """Check the session, resolve and join the channels once, register the handlers."""
        if not self.client.is_connected():
            await self.client.connect()
        if not await self.client.is_user_authorized():
            raise NotAuthorisedError(NOT_AUTHORISED)
        for channel in self.channels:
            try:
                await self._resolve(channel)
            except (RPCError, ValueError) as exc:  # retried by every reconcile cycle
                log.warning("telegram: cannot resolve @%s yet: %s", channel, exc)
        self._handlers = [
            (_guarded(self._on_new_message), events.NewMessage()),
            (_guarded(self._on_album), events.Album()),
            (_guarded(self._on_edited), events.MessageEdited()),
            (_guarded(self._on_deleted), events.MessageDeleted()),
        ]
        for callback, builder in self._handlers:
            self.client.add_event_handler(callback, builder)

    async def stop(self) -> None:
        for callback, builder in self._handlers:
            self.client.remove_event_handler(callback, builder)
        self._handlers = []
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run(self, stop: asyncio.Event) -> None:
        """Reconcile at once, then every ``reconcile_seconds``, until ``stop`` is set."""
        while not stop.is_set():
            await self.reconcile_all()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.reconcile_seconds)

    async def add_channel(self, channel: str) -> None:
        channel = normalise_channel(channel)
        if channel not in self.channels:
            self.channels.append(channel)
        await self._resolve(channel)

    def remove_channel(self, channel: str) -> None:
        channel = normalise_channel(channel)
        if channel in self.channels:
            self.channels.remove(channel)
        self._live = {cid: name for cid, name in self._live.items() if name != channel}

    @property
    def live_ids(self) -> frozenset[int]:
        return frozenset(self._live)

    @property
    def flood_waits(self) -> int:
        return self.flood.waits

    # -- resolving ---------------------------------------------------------------------------
    async def _resolve(self, channel: str) -> Any:
        entity = self._entities.get(channel)
        if entity is None:
            entity = await self.flood.call(lambda: self.client.get_entity(channel))
            if getattr(entity, "left", False):
                # Telegram pushes updates only for channels the account has joined.
                await self.flood.call(lambda: self.client(JoinChannelRequest(entity)))
                log.info("telegram: joined @%s", channel)
            self._entities[channel] = entity
            self._remember([entity])
        if channel in self.channels:
            self._live[conv.marked_id(entity)] = channel
        return entity

    def _remember(self, entities: Iterable[Any]) -> None:
        for entity in entities:
            with contextlib.suppress(TypeError, ValueError):
                self._known.put(conv.marked_id(entity), entity)

    def _channel_of(self, event: Any) -> str | None:
        channel = self._live.get(event.chat_id) if event.chat_id is not None else None
        if channel is not None:
            self._remember((getattr(event, "_entities", None) or {}).values())
        return channel

    def _title(self, channel: str) -> str | None:
        entity = self._entities.get(channel)
        return getattr(entity, "title", None)

    # -- live handlers -----------------------------------------------------------------------
    async def _on_new_message(self, event: Any) -> None:
        channel = self._channel_of(event)
        if channel is None:
            return
        message = event.message
        if message.grouped_id is not None:
            await self._album_add(channel, [message], now=False)
            return
        if message.id in self._seen_of(channel):
            return
        post = await self._convert(channel, [message])
        await self.sink.new_posts([post])
        self._seen_of(channel).add(message.id)

    async def _on_album(self, event: Any) -> None:
        channel = self._channel_of(event)
        if channel is not None:
            await self._album_add(channel, list(event.messages), now=True)

    async def _on_edited(self, event: Any) -> None:
        channel = self._channel_of(event)
        if channel is None:
            return
        message = event.message
        key = int(message.id)
        if message.grouped_id is not None:
            if not message.message:
                # A caption-less album item: its edit changed a photo, not the album's text.
                log.debug("telegram: ignored edit of caption-less album item %s", message.id)
                return
            key = await self._album_key(channel, message)
        try:
            post = await self._convert(channel, [message])
        except SourceError as exc:
            # The new text matters more than a photo we cannot fetch now: keep the text.
            log.warning(
                "telegram: edit of @%s/%s stored without its photo: %s", channel, message.id, exc
            )
            post = conv.to_post(message, channel, entities=self._known, title=self._title(channel))
        await self.sink.edited(_with_id(post, key))

    async def _on_deleted(self, event: Any) -> None:
        channel = self._channel_of(event)
        if channel is not None and event.deleted_ids:
            await self.sink.deleted(channel, list(event.deleted_ids), datetime.now(UTC))

    # -- albums ------------------------------------------------------------------------------
    async def _album_add(self, channel: str, messages: Sequence[Any], *, now: bool) -> None:
        group = int(messages[0].grouped_id)
        album = self._albums.get((channel, group))
        if album is None:
            album = self._albums.put((channel, group), Album(channel, group))
        for message in messages:
            album.messages.setdefault(message.id, message)
        if album.timer is not None:
            album.timer.cancel()
            album.timer = None
        if now:
            await self._album_flush(album)
        else:
            album.timer = self._spawn(self._album_later(album))

    async def _album_later(self, album: Album) -> None:
        await asyncio.sleep(self.album_delay)
        album.timer = None
        try:
            await self._album_flush(album)
        except Exception:  # the reconciler stores it later; a timer has no caller to tell
            log.exception(
                "telegram: album %s in @%s not stored yet", album.grouped_id, album.channel
            )

    async def _album_flush(self, album: Album) -> None:
        async with album.lock:
            seen = self._seen_of(album.channel)
            pending = [m for i, m in sorted(album.messages.items()) if i not in seen]
            if not pending:
                return
            if album.key is None:
                album.key = min(album.messages)
            files = await self.media.files_of(album.channel, pending)
            post = conv.album_to_post(
                album.messages.values(),
                album.channel,
                entities=self._known,
                media=files,
                title=self._title(album.channel),
            )
            await self.sink.new_posts([_with_id(post, album.key)])
            seen.update(m.id for m in pending)

    async def _album_key(self, channel: str, message: Any) -> int:
        """The id an album item's post is stored under (its album's lowest id)."""
        album = self._albums.get((channel, int(message.grouped_id)))
        if album is not None and album.key is not None:
            return album.key
        entity = await self._resolve(channel)
        around = await self._history(
            entity, min_id=max(0, message.id - ALBUM_LOOKBACK), max_id=message.id + ALBUM_LOOKBACK
        )
        ids = [m.id for m in around if getattr(m, "grouped_id", None) == message.grouped_id]
        return min(ids, default=int(message.id))

    async def _history(self, entity: Any, **kwargs: Any) -> list[Any]:
        return await read_history(self.client, self.flood, entity, **kwargs)

    # -- conversion ------------------------------------------------------------------------
    async def _convert(self, channel: str, unit: Sequence[Any]) -> Post:
        files = await self.media.files_of(channel, unit)
        if len(unit) == 1 and unit[0].grouped_id is None:
            return conv.to_post(
                unit[0], channel, entities=self._known, media=files, title=self._title(channel)
            )
        return conv.album_to_post(
            unit, channel, entities=self._known, media=files, title=self._title(channel)
        )

    def _entity_of(self, channel: str, message: Any) -> Any:
        return (
            self._entities.get(channel)
            or self._known.get(conv.marked_id(message.peer_id))
            or message.peer_id
        )

    # -- bookkeeping -------------------------------------------------------------------------
    def _seen_of(self, channel: str) -> set[int]:
        return self._seen.setdefault(channel, set())

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task


def _guarded(handler: Callable[[Any], Awaitable[None]]) -> Callable[[Any], Awaitable[None]]:
    """Expected failures of a live handler are warnings: the reconciler stores the post later."""

    async def guarded(event: Any) -> None:
        try:
            await handler(event)
        except (SourceError, RPCError, OSError) as exc:
            log.warning("telegram: live update not stored yet (%s); the reconciler retries", exc)

    guarded.__name__ = handler.__name__
    return guarded


def _with_id(post: Post, key: int) -> Post:
    return post if post.id == key else replace(post, id=key)
