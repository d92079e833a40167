"""HTTP rules shared by the t.me page reader and its photo downloader."""

from __future__ import annotations

import aiohttp

from bot import __version__
from bot.errors import SourceError

USER_AGENT = (
    f"Dozor/{__version__} (public Telegram channel monitor; reads the t.me/s web preview; "
    "polls about once a minute)"
)
RETRY_STATUSES = frozenset({408, 425, 429})
GONE_STATUSES = frozenset({403, 404, 410})


class Transient(Exception):
    """A failure worth retrying (rate limit, 5xx, timeout, cut-off page)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def raise_for_status(resp: aiohttp.ClientResponse, url: str) -> None:
    status = resp.status
    if status == 200:
        return
    if status in RETRY_STATUSES or status >= 500:
        raise Transient(f"HTTP {status}", retry_after(resp.headers.get("Retry-After")))
    if 300 <= status < 400:
        # t.me redirects a name that is not a public channel to its plain page.
        where = resp.headers.get("Location", "?")
        raise SourceError(f"{url}: HTTP {status} to {where}; not a public channel?")
    raise SourceError(f"{url}: HTTP {status}")


def retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: rare here; our own backoff applies
