"""The records every source converts its messages into, at its boundary.

Nothing downstream of a watcher sees a Telethon, web-preview or export object: only these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

# PostgreSQL's text cannot hold U+0000, and UTF-8 cannot encode a lone surrogate (JSON's
# "\ud800" decodes to one). Either in a post would fail its INSERT, and every later poll of
# the channel with it: they are cleaned where a Post is made, whatever the source.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MAX_ID = 2**63 - 1  # ids are BIGINT columns


def storable(text: str) -> str:
    """``text`` without NUL characters, lone surrogates replaced by U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", text)
    return text.replace("\x00", "") if "\x00" in text else text


def _storable_opt(text: str | None) -> str | None:
    return None if text is None else storable(text)


@dataclass(frozen=True, slots=True)
class MediaFile:
    """A file already written to the content-addressed media store."""

    sha256: str
    path: str  # relative to MEDIA_DIR
    mime: str
    size: int
    width: int | None = None
    height: int | None = None

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")


@dataclass(frozen=True, slots=True)
class ForwardOrigin:
    """Where a forwarded post first appeared. ``channel`` is a username when known."""

    channel: str | None = None
    message_id: int | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        _check_id(self.message_id, "ForwardOrigin.message_id")
        object.__setattr__(self, "channel", _storable_opt(self.channel))
        object.__setattr__(self, "name", _storable_opt(self.name))


def _check_id(value: int | None, name: str) -> None:
    if value is not None and not -MAX_ID <= value <= MAX_ID:
        raise ValueError(f"{name} is out of range: {value}")


@dataclass(frozen=True, slots=True)
class Post:
    channel: str  # public username, lower case, without '@'
    id: int  # message id within the channel
    date: datetime  # timezone-aware
    text: str
    edit_date: datetime | None = None
    media: tuple[MediaFile, ...] = ()
    grouped_id: int | None = None  # album id: posts sharing it form one album
    forward: ForwardOrigin | None = None
    channel_title: str | None = None
    views: int | None = None
    extra: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        if self.date.tzinfo is None:
            raise ValueError("Post.date must be timezone-aware")
        for name in ("id", "grouped_id", "views"):
            _check_id(getattr(self, name), f"Post.{name}")
        # Frozen: the cleaned values are set once, here, before anyone sees the Post.
        object.__setattr__(self, "channel", storable(self.channel))
        object.__setattr__(self, "text", storable(self.text))
        object.__setattr__(self, "channel_title", _storable_opt(self.channel_title))
        if self.extra:
            clean = tuple((storable(k), storable(v)) for k, v in self.extra)
            object.__setattr__(self, "extra", clean)

    @property
    def link(self) -> str:
        return post_link(self.channel, self.id)

    @property
    def origin(self) -> tuple[str, int]:
        """The (channel, id) a post stands for: its forward origin when known, else itself.

        One origin alerts a chat once, however many channels forward it.
        """
        fwd = self.forward
        if fwd is not None and fwd.channel and fwd.message_id:
            return fwd.channel.lower(), fwd.message_id
        return self.channel, self.id


def post_link(channel: str, message_id: int) -> str:
    return f"https://t.me/{channel}/{message_id}"


def normalise_channel(name: str) -> str:
    """'@GeneralStaffZSU', 't.me/GeneralStaffZSU', 'https://t.me/s/x' -> bare lower-case name."""
    value = name.strip()
    for prefix in ("https://", "http://"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    for prefix in ("t.me/s/", "t.me/", "telegram.me/"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    value = value.lstrip("@").strip("/")
    return value.lower()
