"""Is a channel public? Asked of the t.me web preview before a channel is added as a source.

t.me/s/<name> shows a public channel's posts; for a name that is no channel, a private
channel or a user, it redirects to t.me/<name>. No account is needed to ask.
"""

from __future__ import annotations

import enum
import logging

import aiohttp

from bot.core.post import normalise_channel
from bot.watch.web_http import USER_AGENT

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 15.0
_REDIRECTS = (301, 302, 303, 307, 308)


class ChannelStatus(enum.Enum):
    PUBLIC = "public"  # its web preview shows it
    MISSING = "missing"  # no such public channel (absent, private, or a user)
    UNREACHABLE = "unreachable"  # t.me could not be asked (network, 429, 5xx)


async def check_channel(
    base_url: str, name: str, *, seconds: float = CHECK_TIMEOUT
) -> ChannelStatus:
    url = f"{base_url.rstrip('/')}/s/{normalise_channel(name)}"
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(
                url,
                headers={"User-Agent": USER_AGENT},
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=seconds),
            ) as resp,
        ):
            if resp.status in _REDIRECTS or resp.status == 404:
                return ChannelStatus.MISSING
            if resp.status != 200:
                log.warning("checking %s: HTTP %s", url, resp.status)
                return ChannelStatus.UNREACHABLE
            body = await resp.text(errors="replace")
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("checking %s: %s", url, " ".join(str(exc).split()) or type(exc).__name__)
        return ChannelStatus.UNREACHABLE
    # A public channel's preview carries its header (title) even before its first post.
    return ChannelStatus.PUBLIC if "tgme_channel_info" in body else ChannelStatus.MISSING
