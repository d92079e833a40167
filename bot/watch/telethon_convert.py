"""Telethon messages -> our ``Post``, at the boundary. No I/O: media is downloaded by the source.

Only raw TL attributes are read (``id``, ``date``, ``message``, ``fwd_from``...), so both the
plain ``types.Message`` and Telethon's patched ``custom.Message`` convert the same way.

Albums become ONE post, as the web-preview source stores them: its id is the album's lowest
message id, its text the first non-empty caption, its media every item's photo in id order.
Whichever source stored an album, it is then the same (channel, id).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from telethon import utils
from telethon.tl import types

from bot.core.post import ForwardOrigin, MediaFile, Post, normalise_channel

# Images sent as files (uncompressed maps) are worth keeping; other documents are not.
MAX_IMAGE_DOCUMENT_BYTES = 20 * 1024 * 1024

MediaKey = tuple[str, int]


def is_content(message: Any) -> bool:
    """A real post (not a service message such as "channel created" or "pinned")."""
    return isinstance(message, types.Message)


def username_of(entity: Any) -> str | None:
    """The entity's public username, lower case; the first active one of several."""
    name = getattr(entity, "username", None)
    if name:
        return normalise_channel(name)
    for extra in getattr(entity, "usernames", None) or ():
        if getattr(extra, "active", False) and extra.username:
            return normalise_channel(extra.username)
    return None


def marked_id(peer_or_entity: Any) -> int:
    """Telethon's marked id (-100... for channels): the key of the live channel set."""
    return int(utils.get_peer_id(peer_or_entity))


def aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def media_key(message: Any) -> MediaKey | None:
    """What to download for this message: a photo, or an image sent as a document."""
    media = getattr(message, "media", None)
    if isinstance(media, types.MessageMediaPhoto) and isinstance(media.photo, types.Photo):
        return ("photo", int(media.photo.id))
    if isinstance(media, types.MessageMediaDocument) and isinstance(media.document, types.Document):
        doc = media.document
        if (doc.mime_type or "").startswith("image/") and doc.size <= MAX_IMAGE_DOCUMENT_BYTES:
            return ("document", int(doc.id))
    return None


def mime_hint(message: Any) -> str | None:
    media = getattr(message, "media", None)
    if isinstance(media, types.MessageMediaPhoto):
        return "image/jpeg"  # Telegram re-encodes photos as JPEG
    document = getattr(media, "document", None)
    return getattr(document, "mime_type", None)


def forward_origin(message: Any, entities: Mapping[int, Any]) -> ForwardOrigin | None:
    """Where a forward came from: a channel username when its entity is known, else a name."""
    fwd = getattr(message, "fwd_from", None)
    if fwd is None:
        return None
    channel: str | None = None
    name: str | None = fwd.from_name
    source = fwd.from_id
    if source is not None:
        entity = entities.get(marked_id(source))
        if entity is not None:
            if isinstance(source, types.PeerChannel):
                channel = username_of(entity)
            name = utils.get_display_name(entity) or name
    message_id = fwd.channel_post if isinstance(source, types.PeerChannel) else None
    if channel is None and name is None and message_id is None:
        return None
    return ForwardOrigin(channel=channel, message_id=message_id, name=name)


def to_post(
    message: Any,
    channel: str,
    *,
    entities: Mapping[int, Any] | None = None,
    media: Sequence[MediaFile] = (),
    title: str | None = None,
) -> Post:
    """One message as a post of ``channel`` (the source knows the channel's username)."""
    date = aware(message.date)
    if date is None:
        raise ValueError(f"message {channel}/{message.id} has no date")
    return Post(
        channel=normalise_channel(channel),
        id=int(message.id),
        date=date,
        text=message.message or "",
        edit_date=aware(message.edit_date),
        media=tuple(media),
        grouped_id=message.grouped_id,
        forward=forward_origin(message, entities or {}),
        channel_title=title,
        views=message.views,
    )


def album_to_post(
    messages: Iterable[Any],
    channel: str,
    *,
    entities: Mapping[int, Any] | None = None,
    media: Sequence[MediaFile] = (),
    title: str | None = None,
) -> Post:
    """The items of one album (any order, at least one) as a single post."""
    items = sorted(messages, key=lambda m: int(m.id))
    if not items:
        raise ValueError("an album needs at least one message")
    first = items[0]
    caption = next((m for m in items if m.message), first)
    edits = [d for d in (aware(m.edit_date) for m in items) if d is not None]
    views = [m.views for m in items if m.views is not None]
    post = to_post(first, channel, entities=entities, media=media, title=title)
    return Post(
        channel=post.channel,
        id=post.id,
        date=min(d for d in (aware(m.date) for m in items) if d is not None),
        text=caption.message or "",
        edit_date=max(edits) if edits else None,
        media=post.media,
        grouped_id=first.grouped_id,
        forward=post.forward or forward_origin(caption, entities or {}),
        channel_title=title,
        views=max(views) if views else None,
    )


def group_units(messages: Iterable[Any]) -> list[list[Any]]:
    """Content messages in id order, album items gathered into one unit each."""
    units: list[list[Any]] = []
    albums: dict[int, list[Any]] = {}
    for message in sorted((m for m in messages if is_content(m)), key=lambda m: int(m.id)):
        group = message.grouped_id
        if group is None:
            units.append([message])
        elif group in albums:
            albums[group].append(message)
        else:
            albums[group] = [message]
            units.append(albums[group])
    return units
