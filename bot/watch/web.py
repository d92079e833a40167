"""The web-preview source: polls ``{TELEGRAM_WEB_URL}/s/<channel>``; needs no Telegram account.

Losing nothing rests on one rule: posts reach the sink in ascending id order, and only after
every page between the last stored id and the newest post has been read. The sink's
``last_id`` is therefore always the top of a contiguous stored range, so a crash at any point
(even mid catch-up) is repaired by the next poll, which pages back with ``?before=`` until it
meets that id again.

A cut-off (truncated) page is never used: it would hide the posts after the cut while the
posts before it move ``last_id`` past them. It is fetched again, and the poll fails if it stays
cut, which the run loop retries with backoff.

Limits of the web preview: edits are seen only on the pages fetched (the newest ~20 posts),
with no edit time (see ``tme_parse``); deletions are not reported at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

import aiohttp

from bot.core.lru import LRU
from bot.core.post import normalise_channel
from bot.errors import MalformedSourceError, MarkupDriftError, SourceError, TooLargeError
from bot.media import MediaStore
from bot.outage_log import OutageLog
from bot.watch.base import PostSink, SourceMonitor
from bot.watch.fetch_policy import (
    MAX_PAGE_BYTES,
    read_capped,
)
from bot.watch.tme_parse import ParsedMessage, ParsedPage, is_complete, parse_page
from bot.watch.web_http import USER_AGENT, Transient, raise_for_status
from bot.watch.web_photos import WebPhotos

log = logging.getLogger(__name__)

_BATCH = 20


class _Unrecognised(MalformedSourceError):
    """A complete page in which the parser found no message blocks at all."""


class WebSource:
    def __init__(
        self,
        base_url: str,
        channels: Iterable[str],
        sink: PostSink,
        media: MediaStore,
        http: aiohttp.ClientSession,
        poll_seconds: float = 60.0,
        *,
        page_delay: float = 1.0,
        retries: int = 4,
        retry_base: float = 2.0,
        max_backoff: float = 600.0,
        jitter: float = 0.1,
        request_timeout: float = 30.0,
        monitor: SourceMonitor | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.outages = OutageLog(log)  # one line when a channel's polls start failing
        self.channels = [normalise_channel(c) for c in channels]
        self.sink = sink
        self.media = media
        self.http = http
        self.poll_seconds = poll_seconds
        self.page_delay = page_delay  # pause between page requests, to stay polite
        self.retries = retries
        self.retry_base = retry_base
        self.max_backoff = max_backoff
        self.jitter = jitter
        self.timeout = aiohttp.ClientTimeout(total=request_timeout)
        self.monitor = monitor  # told every poll's outcome (source health)
        self.pages_fetched = 0
        self.photos = WebPhotos(self.base_url, media, http, self.timeout, retries, self._backoff)
        # What this process already handed to the sink, so an unchanged page is not re-sent
        # every poll. A changed text, edit marker or photo set is sent again (an edit).
        self._handed: LRU[tuple[str, int], _Fingerprint] = LRU(20_000)

    # -- public ------------------------------------------------------------------------------
    async def poll_once(self, channel: str) -> int:
        """Fetch the newest page and, after downtime, older pages down to the last stored id.

        With nothing stored yet only the newest page is taken (use ``backfill`` for history).
        Returns how many posts the sink reported as new.
        """
        channel = normalise_channel(channel)
        last = await self.sink.last_id(channel)
        try:
            found = await self._collect(channel, stop_at=last or None, since=None)
        except _Unrecognised as exc:
            if last:  # a whole page, none of it recognised, where posts were stored before
                raise MarkupDriftError(str(exc)) from exc
            raise
        if not found and last:
            # Parsed without error, yet empty where posts were stored before.
            raise MarkupDriftError(f"t.me/s/{channel}: the page yields no posts")
        return await self._deliver(found, None)

    async def backfill(
        self,
        channel: str,
        since: datetime,
        progress: Callable[[int], None] | None = None,
        fetched: Callable[[int], None] | None = None,
    ) -> int:
        """Page back until posts are older than ``since``; store every post from ``since`` on.

        ``fetched`` is called after each page with the number of posts on it, while paging;
        ``progress`` with the number of posts handed to the sink at each step (increments, as
        ``tqdm.update`` takes them). Returns how many posts were new.
        """
        if since.tzinfo is None:
            raise ValueError("since must be timezone-aware")
        channel = normalise_channel(channel)
        found = await self._collect(channel, stop_at=None, since=since, fetched=fetched)
        wanted = [m for m in found if m.post.date >= since]
        return await self._deliver(wanted, progress)

    async def run(self, stop: asyncio.Event) -> None:
        """Poll every channel every ``poll_seconds`` (with jitter) until ``stop`` is set.

        A channel that fails is logged and retried with exponential backoff; the loop itself
        never ends on an error. ``self.channels`` may be replaced while it runs.
        """
        loop = asyncio.get_running_loop()
        due: dict[str, float] = {}
        failures: dict[str, int] = {}
        while not stop.is_set():
            for channel in list(self.channels):
                if stop.is_set():
                    break
                if due.get(channel, 0.0) > loop.time():
                    continue
                error: BaseException | None = None
                try:
                    new = await self.poll_once(channel)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # one channel's failure must not stop the others
                    error = exc
                    count = failures[channel] = failures.get(channel, 0) + 1
                    # Capped at a few poll intervals: a channel that is gone for a while (or
                    # a t.me outage) is picked up again soon after it is back.
                    cap = min(self.max_backoff, max(3 * self.poll_seconds, self.retry_base))
                    delay = self._jittered(min(cap, self.retry_base * 2 ** min(count, 30)))
                    where = f"t.me/s/{channel}: poll"
                    self.outages.failed(where, exc, expected=isinstance(exc, SourceError))
                else:
                    failures.pop(channel, None)
                    self.outages.ok(f"t.me/s/{channel}: poll")
                    delay = self._jittered(self.poll_seconds)
                    if new:
                        log.info("t.me/s/%s: %d new posts", channel, new)
                if self.monitor is not None:
                    await self.monitor.polled(channel, error)
                due[channel] = loop.time() + delay
                # Spread the channels out rather than firing at t.me in one burst.
                await _wait(stop, self.page_delay)
            now = loop.time()
            wake = min((due.get(c, now) for c in self.channels), default=now + self.poll_seconds)
            await _wait(stop, max(wake - now, 0.05))

    # -- pages -------------------------------------------------------------------------------
    async def fetch_page(self, channel: str, before: int | None = None) -> ParsedPage:
        """One page, retried on rate limits, server errors, timeouts and cut-off HTML."""
        url = f"{self.base_url}/s/{channel}"
        params = {"before": str(before)} if before is not None else None
        for attempt in range(self.retries):
            try:
                return await self._get_page(url, params, channel)
            except Transient as exc:
                delay = self._backoff(attempt, exc.retry_after)
                # The poll's outcome is what is logged (once per outage, see ``run``).
                log.debug("%s before=%s: %s; retrying in %.1fs", url, before, exc, delay)
                await asyncio.sleep(delay)
        try:
            return await self._get_page(url, params, channel)
        except Transient as exc:
            raise SourceError(f"{url} before={before}: {exc}") from exc

    async def _get_page(self, url: str, params: dict[str, str] | None, channel: str) -> ParsedPage:
        try:
            async with self.http.get(
                url,
                params=params,
                headers={"User-Agent": USER_AGENT},
                allow_redirects=False,
                timeout=self.timeout,
            ) as resp:
                raise_for_status(resp, url)
                body = (await read_capped(resp, MAX_PAGE_BYTES)).decode("utf-8", errors="replace")
        except TooLargeError as exc:
            raise SourceError(f"{url}: page refused: {exc}") from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise Transient(f"network error: {_why(exc)}") from exc
        try:
            # A page is ~100 KB of HTML: parse it off the event loop.
            page = await asyncio.to_thread(parse_page, body, channel)
        except MalformedSourceError as exc:
            if is_complete(body):
                # The whole page arrived and still holds nothing we know: fetching it again
                # will not change the markup.
                raise _Unrecognised(str(exc)) from exc
            raise Transient(str(exc)) from exc
        if not page.complete:
            raise Transient(f"page cut off after {len(page.messages)} posts")
        self.pages_fetched += 1
        return page

    async def _collect(
        self,
        channel: str,
        *,
        stop_at: int | None,
        since: datetime | None,
        fetched: Callable[[int], None] | None = None,
    ) -> list[ParsedMessage]:
        """Newest page, then ``?before=`` pages until ``stop_at`` or ``since`` is reached."""
        page = await self.fetch_page(channel)
        found = {m.post.id: m for m in page.messages}
        if fetched is not None:
            fetched(len(page.messages))
        previous: int | None = None
        while stop_at is not None or since is not None:
            if page.messages:
                oldest = page.messages[0].post
                if stop_at is not None and oldest.id <= stop_at:
                    break
                if since is not None and oldest.date < since:
                    break
            cursor = page.before
            if cursor is None:
                break  # the channel's first post is on this page
            if stop_at is not None and cursor <= stop_at + 1:
                break  # older pages hold only ids we already have
            if previous is not None and cursor >= previous:
                raise SourceError(f"t.me/s/{channel}: 'before' link {cursor} does not go back")
            previous = cursor
            if self.page_delay > 0:
                await asyncio.sleep(self.page_delay)
            page = await self.fetch_page(channel, before=cursor)
            for m in page.messages:
                found.setdefault(m.post.id, m)
            if fetched is not None:
                fetched(len(page.messages))
        return [found[i] for i in sorted(found)]

    # -- delivery ----------------------------------------------------------------------------
    async def _deliver(
        self,
        messages: Sequence[ParsedMessage],
        progress: Callable[[int], None] | None,
    ) -> int:
        new = 0
        for start in range(0, len(messages), _BATCH):
            batch = messages[start : start + _BATCH]
            todo = [m for m in batch if self._handed.get(_key(m)) != _fingerprint(m)]
            if todo:
                posts = [await self.photos.with_media(m) for m in todo]
                new += await self.sink.new_posts(posts)
                for m in todo:
                    self._handed.put(_key(m), _fingerprint(m))
            if progress is not None:
                progress(len(batch))
        return new

    # -- timing ------------------------------------------------------------------------------
    def _jittered(self, seconds: float) -> float:
        return seconds * random.uniform(1 - self.jitter, 1 + self.jitter)

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        delay = self._jittered(self.retry_base * 2**attempt)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return min(delay, self.max_backoff)


_Fingerprint = tuple[str, datetime | None, tuple[str, ...]]


def _why(exc: BaseException) -> str:
    """A network failure in one line: "Cannot connect to host t.me:443 ssl:default [...]"."""
    return " ".join(str(exc).split()) or type(exc).__name__


def _key(message: ParsedMessage) -> tuple[str, int]:
    return message.post.channel, message.post.id


def _fingerprint(message: ParsedMessage) -> _Fingerprint:
    # Views change on every poll and mean nothing to the sink: left out.
    return message.post.text, message.post.edit_date, message.photo_urls


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
