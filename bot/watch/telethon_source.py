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
import random
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from telethon import TelegramClient, events
from telethon.errors import FileReferenceExpiredError, FloodWaitError, RPCError
from telethon.tl.functions.channels import JoinChannelRequest

from bot.core.post import MediaFile, Post, normalise_channel
from bot.errors import NotAuthorisedError, SourceError
from bot.media import MediaStore
from bot.outage_log import OutageLog
from bot.watch import telethon_convert as conv
from bot.watch.base import PostSink, SourceMonitor

log = logging.getLogger(__name__)

Download = Callable[[Any], Awaitable[bytes | None]]
T = TypeVar("T")

NOT_AUTHORISED = "the Telegram session is not logged in; run `dozor login`"
ALBUM_LOOKBACK = 10  # an album has at most 10 items, sent together with consecutive ids
_BATCH = 20
_MEDIA_ATTEMPTS = 3  # a photo that fails this often is given up, so a channel never stalls
_CACHE_SIZE = 4096


@dataclass
class _Album:
    channel: str
    grouped_id: int
    messages: dict[int, Any] = field(default_factory=dict)
    key: int | None = None  # id of the stored post, once stored
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    timer: asyncio.Task[None] | None = None


class TelethonSource:
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
        self.media = media
        self.reconcile_seconds = reconcile_seconds
        self.download: Download = download or self._download_media
        self.album_delay = album_delay
        # After a restart the posts just below the last stored id are read again: one lost
        # before the crash while a later one was stored live is found this way.
        self.startup_overlap = startup_overlap
        self.initial_posts = initial_posts
        self.flood_jitter = flood_jitter
        self.media_retry_delay = media_retry_delay  # between a backfill's photo attempts
        self.flood_waits = 0
        self.monitor = monitor  # told each channel's reconcile outcome (source health)
        self.on_flood_wait = on_flood_wait
        self._live: dict[int, str] = {}  # marked channel id -> username: the live filter
        self._entities: dict[str, Any] = {}  # username -> resolved channel entity
        self._known: OrderedDict[int, Any] = OrderedDict()  # marked id -> entity (forwards)
        self._watermark: dict[str, int] = {}
        self._seen: dict[str, set[int]] = {}
        self._albums: OrderedDict[tuple[str, int], _Album] = OrderedDict()
        self._media_cache: OrderedDict[conv.MediaKey, MediaFile] = OrderedDict()
        self._media_failures: OrderedDict[tuple[str, int], int] = OrderedDict()
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

    # -- resolving ---------------------------------------------------------------------------
    async def _resolve(self, channel: str) -> Any:
        entity = self._entities.get(channel)
        if entity is None:
            entity = await self._flood_safe(lambda: self.client.get_entity(channel))
            if getattr(entity, "left", False):
                # Telegram pushes updates only for channels the account has joined.
                await self._flood_safe(lambda: self.client(JoinChannelRequest(entity)))
                log.info("telegram: joined @%s", channel)
            self._entities[channel] = entity
            self._remember([entity])
        if channel in self.channels:
            self._live[conv.marked_id(entity)] = channel
        return entity

    def _remember(self, entities: Iterable[Any]) -> None:
        for entity in entities:
            with contextlib.suppress(TypeError, ValueError):
                self._known[conv.marked_id(entity)] = entity
        while len(self._known) > _CACHE_SIZE:
            self._known.popitem(last=False)

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
            album = self._albums[(channel, group)] = _Album(channel, group)
            self._trim_albums()
        for message in messages:
            album.messages.setdefault(message.id, message)
        if album.timer is not None:
            album.timer.cancel()
            album.timer = None
        if now:
            await self._album_flush(album)
        else:
            album.timer = self._spawn(self._album_later(album))

    async def _album_later(self, album: _Album) -> None:
        await asyncio.sleep(self.album_delay)
        album.timer = None
        try:
            await self._album_flush(album)
        except Exception:  # the reconciler stores it later; a timer has no caller to tell
            log.exception(
                "telegram: album %s in @%s not stored yet", album.grouped_id, album.channel
            )

    async def _album_flush(self, album: _Album) -> None:
        async with album.lock:
            seen = self._seen_of(album.channel)
            pending = [m for i, m in sorted(album.messages.items()) if i not in seen]
            if not pending:
                return
            if album.key is None:
                album.key = min(album.messages)
            files = await self._media_of(album.channel, pending)
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

    def _trim_albums(self) -> None:
        while len(self._albums) > 512:
            (_, oldest) = next(iter(self._albums.items()))
            if oldest.timer is not None or oldest.lock.locked():
                break  # still pending: keep it (and the ones after it) for now
            self._albums.popitem(last=False)

    # -- reconciler --------------------------------------------------------------------------
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

        ids = [int(m.id) for m in await self._flood_safe(newest)]
        return max(0, min(ids, default=1) - 1)

    def _note_album(self, channel: str, unit: Sequence[Any]) -> None:
        album = self._albums.get((channel, int(unit[0].grouped_id)))
        if album is None:
            album = self._albums[(channel, int(unit[0].grouped_id))] = _Album(
                channel, int(unit[0].grouped_id)
            )
            self._trim_albums()
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
            async for unit in self._stream_units(entity, offset_date=since):
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
        """``_convert`` retried until every photo loads or is given up (``_MEDIA_ATTEMPTS``).

        A backfill has no next cycle to retry in, so one bad photo must not end it. None
        (the unit is skipped) only if it still fails, which the give-up rule should prevent.
        """
        attempts = _MEDIA_ATTEMPTS * len(unit)
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
            entity = await self._flood_safe(lambda: self.client.get_entity(channel))
            self._remember([entity])
        return entity

    async def _history(self, entity: Any, **kwargs: Any) -> list[Any]:
        return [m async for m in self._iter_history(entity, **kwargs)]

    async def _iter_history(self, entity: Any, **kwargs: Any) -> AsyncIterator[Any]:
        """``iter_messages(reverse=True)``; a flood wait mid-way resumes after the last id read."""
        last: int | None = None
        while True:
            start = dict(kwargs)
            if last is not None:
                start["min_id"] = max(last, int(start.get("min_id") or 0))
                start.pop("offset_date", None)
            try:
                async for message in self.client.iter_messages(entity, reverse=True, **start):
                    last = int(message.id)
                    yield message
                return
            except FloodWaitError as exc:
                await self._flood_wait(exc)

    async def _stream_units(self, entity: Any, **kwargs: Any) -> AsyncIterator[list[Any]]:
        """Content messages oldest first, an album's (consecutive) items as one unit."""
        unit: list[Any] = []
        async for message in self._iter_history(entity, **kwargs):
            if not conv.is_content(message):
                continue
            group = message.grouped_id
            if unit and group is not None and group == unit[0].grouped_id:
                unit.append(message)
                continue
            if unit:
                yield unit
            unit = [message]
        if unit:
            yield unit

    # -- conversion and media ----------------------------------------------------------------
    async def _convert(self, channel: str, unit: Sequence[Any]) -> Post:
        files = await self._media_of(channel, unit)
        if len(unit) == 1 and unit[0].grouped_id is None:
            return conv.to_post(
                unit[0], channel, entities=self._known, media=files, title=self._title(channel)
            )
        return conv.album_to_post(
            unit, channel, entities=self._known, media=files, title=self._title(channel)
        )

    async def _media_of(self, channel: str, messages: Sequence[Any]) -> list[MediaFile]:
        files: list[MediaFile] = []
        for message in sorted(messages, key=lambda m: int(m.id)):
            stored = await self._media_for(channel, message)
            if stored is not None and stored not in files:
                files.append(stored)
        return files

    async def _media_for(self, channel: str, message: Any) -> MediaFile | None:
        key = conv.media_key(message)
        if key is None:
            return None
        cached = self._media_cache.get(key)
        if cached is not None:
            self._media_cache.move_to_end(key)
            return cached
        ref = (channel, int(message.id))
        try:
            data = await self._download_fresh(channel, message)
        except (RPCError, OSError, ValueError) as exc:
            # Raised (not swallowed) so the post is not stored without its photo while the
            # photo may still be fetched; the reconciler tries again with a fresh reference.
            failures = self._media_failures[ref] = self._media_failures.get(ref, 0) + 1
            self._media_failures.move_to_end(ref)
            while len(self._media_failures) > _CACHE_SIZE:
                self._media_failures.popitem(last=False)
            if failures < _MEDIA_ATTEMPTS:
                raise SourceError(f"@{channel}/{message.id}: photo download failed: {exc}") from exc
            log.warning(
                "telegram: @%s/%s: photo given up after %d attempts: %s",
                channel,
                message.id,
                failures,
                exc,
            )
            return None
        self._media_failures.pop(ref, None)
        if not data:
            return None
        stored = await asyncio.to_thread(self.media.put_bytes, data, conv.mime_hint(message))
        self._media_cache[key] = stored
        if len(self._media_cache) > _CACHE_SIZE:
            self._media_cache.popitem(last=False)
        return stored

    async def _download_fresh(self, channel: str, message: Any) -> bytes | None:
        """Download; on an expired file reference fetch the message again once and retry."""
        try:
            return await self._flood_safe(lambda: self.download(message))
        except FileReferenceExpiredError:
            # References expire after a while (a long backfill, an old edit); the message
            # fetched anew carries a fresh one.
            entity = (
                self._entities.get(channel)
                or self._known.get(conv.marked_id(message.peer_id))
                or message.peer_id
            )
            fresh = await self._flood_safe(
                lambda: self.client.get_messages(entity, ids=int(message.id))
            )
            if fresh is None or conv.media_key(fresh) is None:
                raise
            log.info("telegram: @%s/%s: file reference refreshed", channel, message.id)
            return await self._flood_safe(lambda: self.download(fresh))

    async def _download_media(self, message: Any) -> bytes | None:
        data = await self.client.download_media(message, file=bytes)
        return data if isinstance(data, bytes) else None

    # -- flood waits -------------------------------------------------------------------------
    async def _flood_safe(self, call: Callable[[], Awaitable[T]]) -> T:
        """Run ``call``, waiting out every FloodWaitError: slow is fine, dropped is not."""
        while True:
            try:
                return await call()
            except FloodWaitError as exc:
                await self._flood_wait(exc)

    async def _flood_wait(self, exc: FloodWaitError) -> None:
        delay = exc.seconds + random.uniform(0, self.flood_jitter)
        self.flood_waits += 1
        if self.on_flood_wait is not None:
            self.on_flood_wait()
        log.warning("telegram: flood wait of %ss requested; resuming in %.1fs", exc.seconds, delay)
        await asyncio.sleep(delay)

    # -- bookkeeping -------------------------------------------------------------------------
    def _seen_of(self, channel: str) -> set[int]:
        return self._seen.setdefault(channel, set())

    def _prune_seen(self, channel: str) -> None:
        floor = self._watermark.get(channel, 0) - ALBUM_LOOKBACK
        seen = self._seen_of(channel)
        for stale in [i for i in seen if i < floor]:
            seen.discard(stale)

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
