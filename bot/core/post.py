"""The records every source converts its messages into, at its boundary.

Nothing downstream of a watcher sees a Telethon, web-preview or export object: only these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


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
