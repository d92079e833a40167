"""A hostile t.me page: photos only from Telegram's hosts or the configured web origin, no
redirects, permanent failures not retried, pages capped, and linear-time parsing."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.errors import SourceError
from bot.media import MediaStore
from bot.watch import tme_parse
from bot.watch.fetch_policy import MAX_PAGE_BYTES, photo_refusal
from bot.watch.web import WebSource
from tests.tme import FakeTme, png_bytes
from tests.watch.test_web_source import MemorySink


@pytest.fixture
async def tme() -> AsyncIterator[FakeTme]:
    async with FakeTme() as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def internal() -> AsyncIterator[tuple[str, list[str]]]:
    """Another service on loopback (another port): what an SSRF would reach."""
    hits: list[str] = []

    async def secret(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(body=png_bytes(8, 8), content_type="image/png")

    app = web.Application()
    app.router.add_get("/{tail:.*}", secret)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}", hits
    finally:
        await runner.cleanup()


def _source(tme: FakeTme, sink: MemorySink, tmp: Path, http: aiohttp.ClientSession) -> WebSource:
    return WebSource(
        tme.base_url,
        ["chan"],
        sink,
        MediaStore(tmp / "media"),
        http,
        0.05,
        page_delay=0.0,
        retry_base=0.001,
        jitter=0.0,
    )


async def test_photos_from_other_hosts_are_never_fetched(
    tme: FakeTme, http: aiohttp.ClientSession, internal: tuple[str, list[str]], tmp_path: Path
) -> None:
    base, hits = internal
    bad = [f"{base}/internal", "file:///etc/passwd", "https://evil.example/x.png"]
    good = tme.add_image("ok")
    photo_id = tme.publish("chan", "album", photos=[*bad, good])
    sink = MemorySink()
    # Refused for good on the first poll: the channel is not held back retrying them.
    assert await _source(tme, sink, tmp_path, http).poll_once("chan") == 1
    assert hits == []
    post = sink.posts[("chan", photo_id)]
    assert len(post.media) == 1
    assert {u for k, u in post.extra if k == "photo_unavailable"} == set(bad)


async def test_photo_redirects_are_not_followed(
    tme: FakeTme, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    # t.me answers an unknown channel with a 302: a photo URL there must not be followed.
    redirecting = f"{tme.base_url}/s/no_such_channel"
    photo_id = tme.publish("chan", "redirect", photos=[redirecting])
    sink = MemorySink()
    assert await _source(tme, sink, tmp_path, http).poll_once("chan") == 1
    assert sink.posts[("chan", photo_id)].media == ()
    assert tme.page_requests.get("no_such_channel", 0) <= 1


async def test_oversized_page_is_refused(
    tme: FakeTme, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    tme.publish("chan", "x" * (MAX_PAGE_BYTES + 1))
    with pytest.raises(SourceError, match="page refused"):
        await _source(tme, MemorySink(), tmp_path, http).poll_once("chan")


def test_photo_policy() -> None:
    web_url = "https://t.me"
    assert photo_refusal("https://cdn4.cdn-telegram.org/file/x.jpg", web_url) is None
    assert photo_refusal("https://telegram.org/img/t_logo.png", web_url) is None
    assert photo_refusal("https://t.me/i/userpic/320/x.jpg", web_url) is None
    assert photo_refusal("http://cdn4.cdn-telegram.org/file/x.jpg", web_url) is not None
    assert photo_refusal("https://cdn-telegram.org.evil.com/x.jpg", web_url) is not None
    assert photo_refusal("https://eviltelegram.org/x.jpg", web_url) is not None
    assert photo_refusal("http://127.0.0.1:8080/x", "http://127.0.0.1:9090") is not None
    assert photo_refusal("http://127.0.0.1:9090/img/x", "http://127.0.0.1:9090") is None
    assert photo_refusal("http://127.0.0.1:99999999/x", web_url) is not None


@pytest.mark.parametrize("filler", [" " * 50_000, "a" * 50_000, "'" * 50_000])
def test_background_url_pattern_fails_fast_on_hostile_styles(filler: str) -> None:
    # The old pattern backtracked quadratically: 4,000 spaces took 35 s, these would take
    # hours. Linear now, so the suite simply finishes.
    style = "background-image:url(" + filler
    assert tme_parse._BG_URL.search(style) is None
    page = (
        '<section class="tgme_channel_history"><div class="tgme_widget_message" '
        'data-post="chan/1"><a class="tgme_widget_message_photo_wrap" '
        f'style="{style}"></a></div></section>'
    )
    tme_parse.parse_page(page, "chan")  # must return, whatever it makes of the block
    good = "background-image:url('https://cdn4.cdn-telegram.org/file/a.jpg')"
    match = tme_parse._BG_URL.search(good)
    assert match is not None and re.search("a.jpg", match.group(1))
