"""Photos of t.me preview posts: fetched only from Telegram's hosts, cached, given up after
a few failed polls so that one photo that never loads cannot stall its channel."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable

import aiohttp

from bot.core.lru import LRU
from bot.core.post import MediaFile, Post
from bot.errors import SourceError, TooLargeError
from bot.media import MediaStore
from bot.watch.fetch_policy import MAX_IMAGE_BYTES, photo_refusal, read_capped
from bot.watch.tme_parse import ParsedMessage
from bot.watch.web_http import GONE_STATUSES, USER_AGENT, Transient, raise_for_status

log = logging.getLogger("bot.watch.web")

PHOTO_ATTEMPTS = 3  # polls a photo may fail before the post is stored without it
CACHE_SIZE = 4096


class WebPhotos:
    def __init__(
        self,
        base_url: str,
        store: MediaStore,
        http: aiohttp.ClientSession,
        timeout: aiohttp.ClientTimeout,
        retries: int,
        backoff: Callable[[int, float | None], float],
    ) -> None:
        self.base_url = base_url
        self.store = store
        self.http = http
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        # CDN photo URLs are stable while valid: don't download the same photo every poll.
        self.cache: LRU[str, MediaFile] = LRU(CACHE_SIZE)
        # Polls each photo URL has failed in (non-404 4xx, 5xx after retries): a photo that
        # never loads must not fail every poll of its channel forever.
        self.failures: LRU[str, int] = LRU(CACHE_SIZE)

    async def with_media(self, message: ParsedMessage) -> Post:
        if not message.photo_urls:
            return message.post
        files: list[MediaFile] = []
        missing: list[tuple[str, str]] = []
        for url in message.photo_urls:
            stored = await self._photo_or_give_up(url)
            if stored is None:
                missing.append(("photo_unavailable", url))
            else:
                files.append(stored)
        return dataclasses.replace(
            message.post, media=tuple(files), extra=message.post.extra + tuple(missing)
        )

    async def _photo_or_give_up(self, url: str) -> MediaFile | None:
        """``_photo``, but None once ``url`` has failed ``PHOTO_ATTEMPTS`` polls in a row."""
        try:
            stored = await self._photo(url)
        except SourceError as exc:
            failures = self.failures.put(url, (self.failures.get(url) or 0) + 1)
            if failures < PHOTO_ATTEMPTS:
                raise
            # The count is kept: an edit of the post re-tries the photo once, not 3 polls more.
            log.warning(
                "photo %s: given up after %d failed polls (%s); stored without it",
                url,
                failures,
                exc,
            )
            return None
        self.failures.pop(url)
        return stored

    async def _photo(self, url: str) -> MediaFile | None:
        """Download into the media store; None when the file is gone for good (404 and such).

        Transient failures raise after retries, so the poll fails and nothing is handed on
        without its photos while they may still be fetched.
        """
        cached = self.cache.get(url)
        if cached is not None:
            return cached
        data, mime = await self._download_with_retries(url)
        if data is None:
            return None
        stored = await asyncio.to_thread(self.store.put_bytes, data, mime)
        return self.cache.put(url, stored)

    async def _download_with_retries(self, url: str) -> tuple[bytes | None, str | None]:
        for attempt in range(self.retries):
            try:
                return await self._download(url)
            except Transient as exc:
                delay = self.backoff(attempt, exc.retry_after)
                log.warning("photo %s: %s; retrying in %.1fs", url, exc, delay)
                await asyncio.sleep(delay)
        try:
            return await self._download(url)
        except Transient as exc:
            raise SourceError(f"photo {url}: {exc}") from exc

    async def _download(self, url: str) -> tuple[bytes | None, str | None]:
        """(bytes, mime); (None, None) for a permanent failure, which is not retried: a host
        that is not Telegram's, a redirect, gone (403/404/410), a malformed URL, too big."""
        refusal = photo_refusal(url, self.base_url)
        if refusal is not None:
            log.warning("photo %.200s: %s; stored without it", url, refusal)
            return None, None
        try:
            async with self.http.get(
                url,
                headers={"User-Agent": USER_AGENT},
                timeout=self.timeout,
                allow_redirects=False,  # a redirect could lead anywhere
            ) as resp:
                if resp.status in GONE_STATUSES or 300 <= resp.status < 400:
                    log.warning("photo %s: HTTP %d, stored without it", url, resp.status)
                    return None, None
                raise_for_status(resp, url)
                return await read_capped(resp, MAX_IMAGE_BYTES), resp.content_type or None
        except TooLargeError as exc:
            log.warning("photo %s: %s, too large; stored without it", url, exc)
            return None, None
        except (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError) as exc:
            log.warning("photo %.200s: %r; stored without it", url, exc)
            return None, None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise Transient(f"network error: {exc!r}") from exc
