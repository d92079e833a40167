"""A loopback stand-in for the public web preview ``t.me/s/<channel>``.

It serves pages in the real markup (studied on real pages of t.me/s/kpszsu, /vanek_nikolaev and
/brieflyru) from an in-memory list of messages:

- ``GET /s/<channel>``: the newest messages; ``?before=N``: the newest of those with id < N;
  ``?after=N``: the oldest of those with id > N. Oldest first within a page, like the site.
- A page holds about ``page_size`` (20) messages, counting each album item, so an album-heavy
  page has fewer blocks, as on the site.
- An album is one block with the first item's id; its items link to ``/<channel>/<id>?single``.
- A ``tme_messages_more`` link with ``data-before`` tops the page while older posts exist.
- An unknown channel answers 302, like the site.
- Photos are real PNG bytes (Pillow) served at ``/img/<key>.png`` by the same server.

Test controls: ``publish``, ``edit``, ``delete``, ``truncate_next_page``, ``serve_garbage_next``,
``fail_next``, ``fail_image``, ``markup_drift``, ``class_rename`` and the request counters.

Usage::

    async with FakeTme() as tme:
        tme.publish("kpszsu", "text")
        ... WebSource(tme.base_url, ...) ...
"""

from __future__ import annotations

import html
import io
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType

from aiohttp import web

PAGE_SIZE = 20
DEFAULT_START = datetime(2026, 9, 22, 5, 0, tzinfo=UTC)


def png_bytes(
    width: int = 64, height: int = 48, color: tuple[int, int, int] = (200, 30, 30)
) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, format="PNG")
    return buf.getvalue()


def format_count(value: int) -> str:
    """Like the site: 702, 4.85K, 79.8K, 129K, 2.62M (three significant digits)."""
    for limit, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if value >= limit:
            scaled = value / limit
            digits = 2 if scaled < 10 else 1 if scaled < 100 else 0
            text = f"{scaled:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{scaled:.0f}"
            return text + suffix
    return str(value)


@dataclass
class FakeMessage:
    id: int
    date: datetime
    text: str = ""  # plain text; rendered escaped, with "\n" as <br/>
    html: str | None = None  # inner HTML of the text div, overriding ``text``
    photos: tuple[str, ...] = ()  # image keys; several make an album
    album_ids: tuple[int, ...] = ()
    forward: tuple[str | None, int | None, str] | None = None  # (channel, id, shown name)
    reply_to: int | None = None
    edited: bool = False
    views: int | None = None
    service: bool = False
    deleted: bool = False

    @property
    def units(self) -> int:
        return max(1, len(self.album_ids))


@dataclass
class FakeChannel:
    name: str
    title: str
    messages: dict[int, FakeMessage] = field(default_factory=dict)
    next_id: int = 1


class FakeTme:
    def __init__(self, *, page_size: int = PAGE_SIZE, host: str = "127.0.0.1") -> None:
        self.page_size = page_size
        self.host = host
        self.channels: dict[str, FakeChannel] = {}
        self.images: dict[str, bytes] = {}
        self.page_requests: Counter[str] = Counter()  # per channel
        self.image_requests: Counter[str] = Counter()  # per image key
        self.requests: list[str] = []  # path?query of every page request, in order
        self.user_agents: Counter[str] = Counter()
        self._truncate = 0
        self._garbage = 0
        # True: pages come in a changed markup (message blocks under another class), which
        # parses as a page without posts: what a redesign of t.me would look like to us.
        self.markup_drift = False
        # True: every t.me class renamed (a full redesign): the page arrives whole, yet the
        # parser finds neither message blocks nor the history section.
        self.class_rename = False
        self._failures: list[tuple[int, str | None]] = []
        self._image_failures: dict[str, tuple[int, int | None]] = {}  # key -> (status, left)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self, port: int = 0) -> str:
        app = web.Application()
        app.router.add_get("/s/{channel}", self._page)
        app.router.add_get("/img/{key}", self._image)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, port)
        await site.start()
        host, real_port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{real_port}"
        return self.base_url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTme:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- content -----------------------------------------------------------------------------
    def add_channel(self, name: str, title: str | None = None, first_id: int = 1) -> FakeChannel:
        key = name.lower()
        if key not in self.channels:
            self.channels[key] = FakeChannel(name=name, title=title or name, next_id=first_id)
        return self.channels[key]

    def add_image(
        self,
        key: str,
        data: bytes | None = None,
        *,
        width: int = 64,
        height: int = 48,
        color: tuple[int, int, int] = (200, 30, 30),
    ) -> str:
        """Register image bytes (a fresh PNG by default); returns the key to pass as a photo."""
        self.images[key] = data if data is not None else png_bytes(width, height, color)
        return key

    def image_url(self, key: str) -> str:
        """A key of ``add_image``, or a whole URL, used as it is (hostile pages name any)."""
        return key if "://" in key else f"{self.base_url}/img/{key}.png"

    def publish(
        self,
        channel: str,
        text: str = "",
        *,
        html_text: str | None = None,
        photos: tuple[str, ...] | list[str] = (),
        forward: tuple[str | None, int | None, str] | None = None,
        reply_to: int | None = None,
        views: int | None = 1200,
        date: datetime | None = None,
        edited: bool = False,
        service: bool = False,
    ) -> int:
        """Post a message; returns its id. An album takes one id per photo, as in Telegram."""
        chan = self.add_channel(channel)
        first = chan.next_id
        photos = tuple(photos)
        count = max(1, len(photos))
        chan.next_id += count
        if date is None:
            date = DEFAULT_START + timedelta(minutes=first)
        chan.messages[first] = FakeMessage(
            id=first,
            date=date,
            text=text,
            html=html_text,
            photos=photos,
            album_ids=tuple(range(first, first + count)) if len(photos) > 1 else (),
            forward=forward,
            reply_to=reply_to,
            edited=edited,
            views=views,
            service=service,
        )
        return first

    def edit(
        self,
        channel: str,
        message_id: int,
        text: str | None = None,
        *,
        html_text: str | None = None,
    ) -> None:
        msg = self.channels[channel.lower()].messages[message_id]
        self.channels[channel.lower()].messages[message_id] = replace(
            msg, text=msg.text if text is None else text, html=html_text, edited=True
        )

    def delete(self, channel: str, message_id: int) -> None:
        self.channels[channel.lower()].messages[message_id].deleted = True

    def skip_ids(self, channel: str, count: int) -> None:
        """Burn ids (messages deleted before anyone saw them): gaps in the numbering."""
        self.add_channel(channel).next_id += count

    # -- faults ------------------------------------------------------------------------------
    def truncate_next_page(self, count: int = 1) -> None:
        self._truncate += count

    def serve_garbage_next(self, count: int = 1) -> None:
        self._garbage += count

    def fail_next(self, status: int = 429, count: int = 1, retry_after: str | None = "0") -> None:
        self._failures.extend([(status, retry_after)] * count)

    def fail_image(self, key: str, status: int = 500, times: int | None = None) -> None:
        """Answer the next ``times`` requests for image ``key`` (all, if None) with ``status``."""
        self._image_failures[key] = (status, times)

    # -- handlers ----------------------------------------------------------------------------
    async def _image(self, request: web.Request) -> web.Response:
        key = request.match_info["key"].removesuffix(".png")
        self.image_requests[key] += 1
        self.user_agents[request.headers.get("User-Agent", "")] += 1
        failing = self._image_failures.get(key)
        if failing is not None:
            status, left = failing
            if left is None or left > 0:
                if left is not None:
                    self._image_failures[key] = (status, left - 1)
                return web.Response(status=status, text="image failure")
            del self._image_failures[key]
        data = self.images.get(key)
        if data is None:
            return web.Response(status=404, text="no such file")
        return web.Response(body=data, content_type="image/png")

    async def _page(self, request: web.Request) -> web.Response:
        name = request.match_info["channel"].lower()
        self.page_requests[name] += 1
        self.requests.append(request.path_qs)
        self.user_agents[request.headers.get("User-Agent", "")] += 1
        if self._failures:
            status, retry_after = self._failures.pop(0)
            headers = {"Retry-After": retry_after} if retry_after is not None else {}
            return web.Response(status=status, text="Too Many Requests", headers=headers)
        chan = self.channels.get(name)
        if chan is None:
            raise web.HTTPFound(f"/{name}")
        if self._garbage:
            self._garbage -= 1
            return web.Response(
                body=b"\x00\xffnot a page <<<\xfe>>> <div", content_type="text/html"
            )
        before = _int_or_none(request.query.get("before"))
        after = _int_or_none(request.query.get("after"))
        body = self.render_page(chan, before=before, after=after)
        if self.markup_drift:
            body = re.sub(r"\btgme_widget_message\b(?!_)", "tgme_widget_post", body)
        if self.class_rename:
            body = re.sub(r"\btgme_|\btme_", "tgx_", body)
        if self._truncate:
            self._truncate -= 1
            body = body[: int(len(body) * 0.6)]
        return web.Response(text=body, content_type="text/html", charset="utf-8")

    # -- rendering ---------------------------------------------------------------------------
    def select(
        self, chan: FakeChannel, *, before: int | None, after: int | None
    ) -> tuple[list[FakeMessage], bool, bool]:
        """The page's messages (ascending), and whether older / newer ones exist beyond it."""
        visible = sorted((m for m in chan.messages.values() if not m.deleted), key=lambda m: m.id)
        if after is not None:
            pool = [m for m in visible if m.id > after]
            picked: list[FakeMessage] = []
            units = 0
            for m in pool:
                if units >= self.page_size:
                    break
                picked.append(m)
                units += m.units
            page = picked
        else:
            pool = [m for m in visible if before is None or m.id < before]
            picked = []
            units = 0
            for m in reversed(pool):
                if units >= self.page_size:
                    break
                picked.append(m)
                units += m.units
            page = list(reversed(picked))
        if not page:
            return [], False, False
        older = any(m.id < page[0].id for m in visible)
        newer = any(m.id > page[-1].id for m in visible)
        return page, older, newer

    def render_page(
        self, chan: FakeChannel, *, before: int | None = None, after: int | None = None
    ) -> str:
        page, older, newer = self.select(chan, before=before, after=after)
        esc_title = html.escape(chan.title)
        parts = [
            '<!DOCTYPE html>\n<html>\n  <head>\n    <meta charset="utf-8">\n',
            f"    <title>{esc_title} – Telegram</title>\n",
            f'<meta property="og:title" content="{esc_title}">\n',
        ]
        if page and older:
            parts.append(f'    <link rel="prev" href="/s/{chan.name}?before={page[0].id}">\n')
        parts.append(
            '  </head>\n  <body class="widget_frame_base tgme_webpreview emoji_image '
            'thin_box_shadow tme_mode no_transitions">\n'
            '    <header class="tgme_header search_collapsed"><div class="tgme_container">'
            '<div class="tgme_channel_info_header_title_wrap"><div class="'
            f'tgme_channel_info_header_title"><span dir="auto">{esc_title}</span></div></div>'
            "</div></header>\n"
            f'<main class="tgme_main" data-url="/{chan.name}">\n  <div class="tgme_container">\n'
            '    <section class="tgme_channel_history js-message_history">\n'
        )
        if page and older:
            parts.append(
                '      <div class="tgme_widget_message_centered js-messages_more_wrap">'
                f'<a href="/s/{chan.name}?before={page[0].id}" class="tme_messages_more '
                f'js-messages_more" data-before="{page[0].id}"></a></div>'
            )
        if not page:
            parts.append('<div class="tme_no_messages_found">No posts found</div>')
        for msg in page:
            parts.append(self.render_block(chan, msg))
        if page and newer and (before is not None or after is not None):
            parts.append(
                '<div class="tgme_widget_message_centered js-messages_more_wrap">'
                f'<a href="/s/{chan.name}?after={page[-1].id}" class="tme_messages_more '
                f'js-messages_more" data-after="{page[-1].id}"></a></div>'
            )
        parts.append(
            "\n    </section>\n  </div>\n</main>\n"
            '    <script src="//telegram.org/js/telegram-web.js?14"></script>\n'
            "  </body>\n</html>\n<!-- page generated in 1.00ms -->\n"
        )
        return "".join(parts)

    def render_block(self, chan: FakeChannel, msg: FakeMessage) -> str:
        name = chan.name
        title = html.escape(chan.title)
        link = f"https://t.me/{name}/{msg.id}"
        service = " service_message" if msg.service else ""
        out = [
            '<div class="tgme_widget_message_wrap js-widget_message_wrap">'
            f'<div class="tgme_widget_message text_not_supported_wrap{service} js-widget_message" '
            f'data-post="{name}/{msg.id}" data-view="eyJjIjoxfQ">\n'
            f'  <div class="tgme_widget_message_user"><a href="https://t.me/{name}">'
            '<i class="tgme_widget_message_user_photo bgcolor2" data-content="T"></i></a></div>\n'
            '  <div class="tgme_widget_message_bubble">\n'
            '    <i class="tgme_widget_message_bubble_tail"><svg class="bubble_icon" width="9px" '
            'height="20px" viewBox="0 0 9 20"><g fill="none"><path class="background" '
            'fill="#ffffff" d="M8,1 L9,1 L9,20 Z"></path></g></svg></i>\n'
            '    <div class="tgme_widget_message_author accent_color"><a class="'
            f'tgme_widget_message_owner_name" href="https://t.me/{name}"><span dir="auto">'
            f"{title}</span></a></div>\n"
        ]
        if msg.forward is not None:
            f_chan, f_id, f_name = msg.forward
            if f_chan:
                href = f"https://t.me/{f_chan}" + (f"/{f_id}" if f_id else "")
                inner = (
                    f'<a class="tgme_widget_message_forwarded_from_name" href="{href}">'
                    f'<span dir="auto">{html.escape(f_name)}</span></a>'
                )
            else:
                inner = (
                    f'<span class="tgme_widget_message_forwarded_from_name">'
                    f"{html.escape(f_name)}</span>"
                )
            out.append(
                '<div class="tgme_widget_message_forwarded_from accent_color">'
                f"Forwarded from&nbsp;{inner}</div>\n"
            )
        if msg.reply_to is not None:
            parent = chan.messages.get(msg.reply_to)
            quoted = html.escape(parent.text if parent else "")
            # The site really emits the stray quote before '>' here.
            out.append(
                f'<a class="tgme_widget_message_reply user-color-default" '
                f'href="https://t.me/{name}/{msg.reply_to}" ">\n'
                '<div class="tgme_widget_message_author accent_color">\n  <span class="'
                f'tgme_widget_message_author_name" dir="auto">{title}</span>\n</div>\n'
                '<div class="tgme_widget_message_text js-message_reply_text" dir="auto">'
                f"{quoted}</div>\n</a>\n"
            )
        if len(msg.photos) > 1:
            out.append(
                '<div class="tgme_widget_message_grouped_wrap js-message_grouped_wrap" '
                'data-margin-w="2" data-margin-h="2" style="width:453px;">'
                '<div class="tgme_widget_message_grouped js-message_grouped" '
                'style="padding-top:93.819%"><div class="tgme_widget_message_grouped_layer '
                'js-message_grouped_layer" style="width:453px;height:425px">'
            )
            for item_id, key in zip(msg.album_ids, msg.photos, strict=True):
                out.append(
                    '<a class="tgme_widget_message_photo_wrap grouped_media_wrap blured '
                    'js-message_photo" style="left:0px;top:0px;width:225px;height:212px;'
                    f"margin-right:2px;margin-bottom:2px;background-image:url('"
                    f'{self.image_url(key)}\')" data-ratio="1.0" '
                    f'href="https://t.me/{name}/{item_id}?single"><div class="'
                    'tgme_widget_message_photo grouped_media" style="left:0;right:0;"></div></a>'
                )
            out.append("</div></div></div>")
        elif msg.photos:
            out.append(
                '<a class="tgme_widget_message_photo_wrap 5300751734131072068 '
                f'1234177438_460004420" href="{link}" style="width:800px;'
                f"background-image:url('{self.image_url(msg.photos[0])}')\">\n"
                '  <div class="tgme_widget_message_photo" style="padding-top:75%"></div>\n</a>'
            )
        body = msg.html if msg.html is not None else html.escape(msg.text).replace("\n", "<br/>")
        if body:
            out.append(
                f'<div class="tgme_widget_message_text js-message_text" dir="auto">{body}</div>\n'
            )
        out.append(
            '<div class="tgme_widget_message_footer compact js-message_footer">\n'
            '  <div class="tgme_widget_message_info short js-message_info">\n    '
        )
        if msg.views is not None:
            out.append(
                f'<span class="tgme_widget_message_views">{format_count(msg.views)}'
                '</span><span class="copyonly"> views</span>'
            )
        edited = "edited &nbsp;" if msg.edited else ""
        stamp = msg.date.astimezone(UTC)
        out.append(
            f'<span class="tgme_widget_message_meta">{edited}<a class="tgme_widget_message_date" '
            f'href="{link}"><time datetime="{stamp.isoformat()}" class="time">'
            f"{stamp:%H:%M}</time></a></span>\n  </div>\n</div>\n  </div>\n  \n</div></div>"
        )
        return "".join(out)


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


async def _serve(port: int, channel: str, posts: int, every: float) -> None:
    import asyncio

    tme = FakeTme()
    await tme.start(port)
    try:
        for i in range(posts):
            tme.publish(channel, f"test post {i}")
        print(f"serving {tme.base_url}/s/{channel}", flush=True)
        n = posts
        while True:
            await asyncio.sleep(every if every > 0 else 3600)
            if every > 0:
                tme.publish(channel, f"test post {n}")
                n += 1
    finally:
        await tme.close()


def main() -> None:
    """``python -m tests.tme.server --port 8099 --channel demo --posts 30 --every 10``:
    a stand-alone fake t.me for trying ``TELEGRAM_WEB_URL=http://127.0.0.1:8099`` by hand."""
    import argparse
    import asyncio

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--channel", default="demo")
    parser.add_argument("--posts", type=int, default=30)
    parser.add_argument("--every", type=float, default=0.0, help="publish a post every N s")
    args = parser.parse_args()
    asyncio.run(_serve(args.port, args.channel, args.posts, args.every))


if __name__ == "__main__":
    main()
