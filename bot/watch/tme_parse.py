"""Parse one page of the public web preview ``t.me/s/<channel>`` into our records.

Pure: HTML text in, data out. Downloading the photos is the poller's job, so each message
comes back as a ``Post`` without media plus the photo URLs it showed.

What the web preview shows, and how it maps onto ``Post``:

- One block per message: ``div.tgme_widget_message`` with ``data-post="<channel>/<id>"``.
- An album is ONE block whose id is its first item's; each item is a link
  ``https://t.me/<channel>/<id>?single``. We give every photo to that one post and set
  ``grouped_id`` to the block's id, so the album stays one unit whichever source stored it.
- The "edited" marker carries no time. We set ``edit_date`` to the post's own date (the earliest
  the edit can have happened): a stable value, so polling the same page again never looks like
  a new edit. ``extra`` gets ``("edit_date", "unknown")`` so readers can tell.
- Views are rounded by the site ("1.2K"); we keep the rounded figure.

Broken blocks are skipped with a warning. Only a page with no usable structure at all raises
``MalformedSourceError``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from bs4 import BeautifulSoup, Tag

from bot.core.post import ForwardOrigin, Post, normalise_channel
from bot.errors import MalformedSourceError

log = logging.getLogger(__name__)

_DATA_POST = re.compile(r"^\s*([A-Za-z0-9_]+)/(\d+)\s*$")
# Linear time: the URL cannot start with or contain whitespace, so the optional spaces around
# it and the URL itself never compete for the same characters (the old pattern let them, and
# "url(" + 4,000 spaces took 35 s to fail).
_BG_URL = re.compile(r"background-image\s*:\s*url\(\s*['\"]?([^'\")\s]+)['\"]?\s*\)")
_TME_LINK = re.compile(
    r"^(?:https?:)?//(?:t\.me|telegram\.me)/(?:s/)?([A-Za-z][A-Za-z0-9_]{2,})(?:/(\d+))?/?(?:[?#].*)?$"
)
_SINGLE_ID = re.compile(r"/(\d+)(?:\?|$)")
_COUNT = re.compile(r"^\s*([\d.,]+)\s*([KMB]?)\s*$", re.IGNORECASE)
_MULTIPLIER = {"": 1, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000}
_DOC_END = re.compile(r"</html\s*>|</section\s*>|</main\s*>|</body\s*>", re.IGNORECASE)
EDIT_DATE_UNKNOWN = ("edit_date", "unknown")


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    post: Post  # ``media`` is empty: the poller downloads ``photo_urls`` and fills it
    photo_urls: tuple[str, ...] = ()
    album_ids: tuple[int, ...] = ()  # every message id the album block stands for


@dataclass(frozen=True, slots=True)
class ParsedPage:
    channel: str
    messages: tuple[ParsedMessage, ...]  # ascending id
    before: int | None  # ``data-before`` of the "more" link: fetch ``?before=`` for older posts
    after: int | None  # ``data-after``: newer posts exist beyond this page
    title: str | None
    complete: bool  # the end of the document was seen; False means the page was cut off
    skipped: int = 0  # broken blocks left out
    empty_marker: bool = False  # the site said "No posts found"

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(m.post.id for m in self.messages)

    @property
    def min_id(self) -> int | None:
        return self.messages[0].post.id if self.messages else None

    @property
    def max_id(self) -> int | None:
        return self.messages[-1].post.id if self.messages else None


def parse_count(value: str) -> int | None:
    """'129K' -> 129000, '1.2K' -> 1200, '2.62M' -> 2620000, '702' -> 702."""
    match = _COUNT.match(value)
    if match is None:
        return None
    number, suffix = match.groups()
    try:
        amount = Decimal(number.replace(",", "."))
    except InvalidOperation:
        return None
    return int(amount * _MULTIPLIER[suffix.upper()])


def parse_page(html: str, channel: str) -> ParsedPage:
    """Parse a whole ``t.me/s/<channel>`` page (or a fragment holding message blocks)."""
    expected = normalise_channel(channel)
    soup = BeautifulSoup(html, "html.parser")
    blocks = soup.select("div.tgme_widget_message")
    history = soup.select_one("section.tgme_channel_history") is not None
    empty = soup.select_one(".tme_no_messages_found") is not None
    if not blocks and not history and not empty:
        raise MalformedSourceError(f"t.me/s/{expected}: no message blocks in the page")

    messages: dict[int, ParsedMessage] = {}
    skipped = 0
    page_title = _page_title(soup)
    for block in blocks:
        try:
            parsed = parse_block(block, expected, page_title)
        except _BrokenBlock as exc:
            skipped += 1
            log.warning("t.me/s/%s: skipped a broken message block: %s", expected, exc)
            continue
        if parsed is not None:
            messages[parsed.post.id] = parsed
    if blocks and not messages and skipped and not history:
        raise MalformedSourceError(f"t.me/s/{expected}: every message block is broken")

    return ParsedPage(
        channel=expected,
        messages=tuple(messages[i] for i in sorted(messages)),
        before=_more_link(soup, "data-before"),
        after=_more_link(soup, "data-after"),
        title=page_title,
        complete=is_complete(html),
        skipped=skipped,
        empty_marker=empty,
    )


class _BrokenBlock(Exception):
    pass


def parse_block(block: Tag, channel: str, page_title: str | None = None) -> ParsedMessage | None:
    """One ``div.tgme_widget_message``; None for service messages ("Channel created")."""
    ref = _attr(block, "data-post")
    match = _DATA_POST.match(ref or "")
    if match is None:
        raise _BrokenBlock(f"no usable data-post ({ref!r})")
    block_channel, raw_id = match.groups()
    if normalise_channel(block_channel) != channel:
        raise _BrokenBlock(f"data-post {ref!r} is not from channel {channel!r}")
    message_id = int(raw_id)
    if "service_message" in _classes(block):
        log.debug("t.me/s/%s: service message %s ignored", channel, message_id)
        return None

    date = _date_of(block)
    if date is None:
        raise _BrokenBlock(f"{ref}: no <time datetime> (truncated?)")

    photos = _photo_urls(block)
    album_ids = _album_ids(block) if block.select_one(".tgme_widget_message_grouped_wrap") else ()
    is_album = bool(album_ids) or len(photos) > 1
    edited = _is_edited(block)
    views_node = block.select_one(".tgme_widget_message_views")
    owner = block.select_one(".tgme_widget_message_owner_name")

    post = Post(
        channel=channel,
        id=message_id,
        date=date,
        text=_message_text(block),
        edit_date=date if edited else None,
        grouped_id=message_id if is_album else None,
        forward=_forward_of(block),
        channel_title=(owner.get_text(" ", strip=True) if owner else None) or page_title,
        views=parse_count(views_node.get_text()) if views_node else None,
        extra=(EDIT_DATE_UNKNOWN,) if edited else (),
    )
    return ParsedMessage(post=post, photo_urls=photos, album_ids=album_ids)


def _attr(node: Tag, name: str) -> str | None:
    value = node.get(name)
    if value is None:
        return None
    return value if isinstance(value, str) else " ".join(value)


def _classes(node: Tag) -> list[str]:
    value = node.get("class")
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _inside_reply(node: Tag, block: Tag) -> bool:
    """Replies quote their parent's text and thumbnail: those are not this post's."""
    for parent in node.parents:
        if parent is block:
            return False
        if "tgme_widget_message_reply" in _classes(parent):
            return True
    return False


def _message_text(block: Tag) -> str:
    for node in block.select(".tgme_widget_message_text"):
        if "js-message_reply_text" in _classes(node) or _inside_reply(node, block):
            continue
        for br in node.find_all("br"):
            br.replace_with("\n")
        # Emoji come as <i class="emoji"><b>🔥</b></i> and links as <a>text</a>: the
        # visible characters are exactly what get_text returns.
        return node.get_text().strip()
    return ""


def _date_of(block: Tag) -> datetime | None:
    node = block.select_one(".tgme_widget_message_date time[datetime]")
    if node is None:
        node = block.select_one(".tgme_widget_message_meta time[datetime]")
    if node is None:
        return None
    raw = _attr(node, "datetime") or ""
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _absolute(url: str) -> str:
    return "https:" + url if url.startswith("//") else url


def _photo_urls(block: Tag) -> tuple[str, ...]:
    urls: list[str] = []
    for node in block.select(".tgme_widget_message_photo_wrap"):
        if _inside_reply(node, block):
            continue
        match = _BG_URL.search(_attr(node, "style") or "")
        if match is not None:
            url = _absolute(match.group(1).strip())
            if url not in urls:
                urls.append(url)
    return tuple(urls)


def _album_ids(block: Tag) -> tuple[int, ...]:
    ids: list[int] = []
    for node in block.select(".grouped_media_wrap[href]"):
        match = _SINGLE_ID.search(_attr(node, "href") or "")
        if match is not None and int(match.group(1)) not in ids:
            ids.append(int(match.group(1)))
    return tuple(sorted(ids))


def _is_edited(block: Tag) -> bool:
    meta = block.select_one(".tgme_widget_message_meta")
    return meta is not None and "edited" in meta.get_text().lower()


def _forward_of(block: Tag) -> ForwardOrigin | None:
    node = block.select_one(".tgme_widget_message_forwarded_from")
    if node is None:
        return None
    name_node = node.select_one(".tgme_widget_message_forwarded_from_name")
    name = name_node.get_text(" ", strip=True) if name_node else None
    link = node.select_one("a[href]")
    href = _attr(link, "href") if link is not None else None
    match = _TME_LINK.match(href or "")
    if match is None:
        # Hidden or private origins give only a name: still a forward, origin unknown.
        return ForwardOrigin(name=name or node.get_text(" ", strip=True) or None)
    chan, msg_id = match.groups()
    return ForwardOrigin(
        channel=normalise_channel(chan),
        message_id=int(msg_id) if msg_id else None,
        name=name,
    )


def _page_title(soup: BeautifulSoup) -> str | None:
    node = soup.select_one(".tgme_channel_info_header_title")
    if node is not None:
        return node.get_text(" ", strip=True) or None
    meta = soup.select_one('meta[property="og:title"]')
    if meta is not None:
        return _attr(meta, "content") or None
    return None


def is_complete(html: str) -> bool:
    """Whether the document went on past its last message block (was not cut off)."""
    last_block = html.rfind("data-post=")
    return _DOC_END.search(html, max(last_block, 0)) is not None


def _more_link(soup: BeautifulSoup, attr: str) -> int | None:
    for node in soup.select(f".tme_messages_more[{attr}]"):
        raw = _attr(node, attr) or ""
        if raw.strip().isdigit():
            return int(raw)
    return None
