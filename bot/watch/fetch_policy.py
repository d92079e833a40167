"""What the web-preview source may fetch, and how much of it.

A t.me page is input: a post's photo URL could point anywhere (``http://127.0.0.1:…/internal``,
``file:///etc/passwd``), and whatever came back would be stored and sent to subscribers as a
photo. Photos are fetched only from Telegram's own hosts or the configured
``TELEGRAM_WEB_URL``'s origin, never following redirects, and bodies are read in chunks up to
a cap, whatever Content-Length claims.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import aiohttp

from bot.errors import TooLargeError

MAX_PAGE_BYTES = 5 * 1024 * 1024  # a real t.me/s page is ~100 KB
MAX_IMAGE_BYTES = 20 * 1024 * 1024
# Where t.me/s pages point their photos (cdn4.cdn-telegram.org, …) and Telegram's own sites.
TELEGRAM_HOSTS = ("telegram.org", "t.me", "telesco.pe", "cdn-telegram.org", "telegram-cdn.org")


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def photo_refusal(url: str, web_url: str) -> str | None:
    """Why ``url`` may not be fetched as a photo of a page from ``web_url``; None if it may."""
    try:
        scheme, host, port = _origin(url)
    except ValueError:  # a malformed port
        return "malformed URL"
    if (scheme, host, port) == _origin(web_url):
        return None
    if scheme != "https":
        return f"scheme {scheme or '(none)'} not allowed"
    if any(host == h or host.endswith("." + h) for h in TELEGRAM_HOSTS):
        return None
    return f"host {host or '(none)'} is not Telegram's"


async def read_capped(resp: aiohttp.ClientResponse, cap: int) -> bytes:
    """The body, streamed; raises TooLargeError past ``cap`` bytes (before reading them all when
    the server declares its size)."""
    if (resp.content_length or 0) > cap:
        raise TooLargeError(f"{resp.content_length} bytes, over {cap}")
    body = bytearray()
    # read(n) returns what is buffered, not n bytes: collect chunks, counting as they come.
    async for chunk in resp.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > cap:
            raise TooLargeError(f"over {cap} bytes")
    return bytes(body)
