"""Telegram Desktop export (``result.json``) → ``Post``.

Both layouts Telegram Desktop writes are read:

* single chat ("Export chat history"): ``{"name", "type", "id", "messages": [...]}``;
* full account ("Export Telegram data"): ``{"about", "chats": {"about", "list": [chat...]},
  "left_chats": {"about", "list": [...]}}``. A bare list under ``chats`` (as some hand-made
  fixtures have) is accepted too.

Decisions a reader of the output should know about:

* **Dates.** ``date`` is the exporting machine's wall-clock time without an offset, so
  ``date_unixtime`` (UTC epoch) is used whenever present; only without it is ``date`` read
  as local time in ``tz`` (default Europe/Kyiv). The same holds for ``edited`` /
  ``edited_unixtime``, except that an ``edited`` without its unixtime takes the offset the
  message's own ``date``/``date_unixtime`` pair reveals, when it has one.
* **Channel name.** Exports carry no username. The ``channel`` argument wins; else a known
  chat id maps to its username (``KNOWN_CHAT_IDS``); else the chat name is slugged to ASCII
  (``chat<id>`` when nothing ASCII is left). ``channel`` is refused for multi-chat exports,
  since every chat would collapse into one channel and their message ids would collide.
* **Albums.** Exports have no ``grouped_id``: album items are separate, consecutive
  messages. Consecutive ids from the same sender, each with a photo or video, no more than
  ``ALBUM_WINDOW_S`` apart, are taken to be one album. It becomes ONE post, as the web and
  Telethon sources store albums (``telethon_convert.album_to_post``): the first item's id,
  the first non-empty caption, every item's media in id order. Its ``grouped_id`` is
  synthetic and negative (``-first_message_id``) so that it can never equal a real Telegram
  album id.
* **Media.** ``photo`` and ``file`` paths are relative to the export folder and are copied
  into the ``MediaStore``. Files the export left out ("(File not included. ...)"), missing
  files, files above ``max_file_size`` and paths escaping the export folder are skipped
  with a warning: the post is still read.
* **Skipped.** Service messages (joins, pins, title changes).

The JSON is parsed in one go (the standard library has no incremental parser); posts are
then produced lazily, so media copying happens as the caller consumes them.
"""

from __future__ import annotations

import logging
import mimetypes
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.post import MAX_ID, ForwardOrigin, MediaFile, Post, normalise_channel
from bot.errors import ConfigError, MalformedSourceError, RefusedFileError, SourceError
from bot.media import MediaStore
from bot.watch.confine import read_inside
from bot.watch.export_albums import ALBUM_WINDOW_S, close_album, same_album
from bot.watch.export_doc import Chat, load_json, read_chats

log = logging.getLogger(__name__)

DEFAULT_TZ = "Europe/Kyiv"
# Telegram's Bot API will not download larger files either; bigger videos are not worth
# keeping in a store meant for photos and maps.
DEFAULT_MAX_FILE_SIZE = 20 * 1024 * 1024

# Chat ids of channels whose exports we expect, to their public usernames.
KNOWN_CHAT_IDS: dict[int, str] = {
    1223955273: "kpszsu",
}


def read_export(
    path: Path,
    media: MediaStore,
    *,
    channel: str | None = None,
    tz: str = DEFAULT_TZ,
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
) -> Iterator[Post]:
    """Posts of a Desktop export's ``result.json``, in file order, chat by chat.

    Raises ``MalformedSourceError`` for unreadable JSON or a structure that is not an
    export, ``SourceError`` when the file cannot be read or ``channel`` is given for a
    multi-chat export, ``ConfigError`` for an unknown time zone. Those are raised by the
    call itself; a malformed message raises ``MalformedSourceError`` while iterating.
    """
    zone = _zone(tz)
    doc = load_json(path)
    chats = read_chats(doc, path)
    if channel is not None and len(chats) > 1:
        raise SourceError(
            f"{path}: --channel needs a single-chat export, this one holds {len(chats)} chats"
        )
    base = path.parent
    return _posts(chats, base, media, channel, zone, max_file_size, path)


def _posts(
    chats: list[Chat],
    base: Path,
    media: MediaStore,
    channel: str | None,
    zone: ZoneInfo,
    max_file_size: int,
    source: Path,
) -> Iterator[Post]:
    for chat in chats:
        name = normalise_channel(channel) if channel else channel_for(chat.id, chat.name)
        reader = _ChatReader(name, chat, base, media, zone, max_file_size, source)
        yield from reader.posts()


def channel_for(chat_id: int | None, name: str) -> str:
    """Our channel name for an export chat without a username (see the module doc)."""
    if chat_id is not None and chat_id in KNOWN_CHAT_IDS:
        return KNOWN_CHAT_IDS[chat_id]
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")
    if slug:
        return slug
    return f"chat{chat_id}" if chat_id is not None else "chat"


def flatten_text(value: object) -> str:
    """Plain text of an export ``text`` or ``text_entities`` value.

    ``text`` is a string, or a list mixing strings and entity objects
    (``{"type": "bold", "text": "..."}``); ``text_entities`` is a list of entity objects.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts: list[str] = []
        for item in value:
            if isinstance(item, str):
                parts.append(item)
            elif isinstance(item, dict) and isinstance(item.get("text", ""), str):
                parts.append(item.get("text", ""))
            else:
                raise ValueError(f"text part is neither a string nor an entity: {item!r}")
        return "".join(parts)
    raise ValueError(f"text is neither a string nor a list: {type(value).__name__}")


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {tz!r}") from exc


class _ChatReader:
    def __init__(
        self,
        channel: str,
        chat: Chat,
        base: Path,
        media: MediaStore,
        zone: ZoneInfo,
        max_file_size: int,
        source: Path,
    ) -> None:
        self.channel = channel
        self.chat = chat
        self.base = base
        self.media = media
        self.zone = zone
        self.max_file_size = max_file_size
        self.source = source

    def posts(self) -> Iterator[Post]:
        album: list[tuple[Post, Mapping[str, Any]]] = []
        for index, msg in enumerate(self.chat.messages):
            where = f"{self.source}: chat {self.chat.name!r}, message #{index}"
            if not isinstance(msg, dict):
                raise MalformedSourceError(f"{where}: not an object")
            if msg.get("type", "message") != "message":
                continue  # service messages: joins, pins, title changes
            post = self._post(msg, where)
            if album and not same_album(album[-1], (post, msg)):
                yield from close_album(album)
                album = []
            album.append((post, msg))
        yield from close_album(album)

    def _post(self, msg: Mapping[str, Any], where: str) -> Post:
        msg_id = msg.get("id")
        if not isinstance(msg_id, int) or isinstance(msg_id, bool):
            raise MalformedSourceError(f"{where}: 'id' is missing or not an integer")
        if not 0 < msg_id <= MAX_ID:
            raise MalformedSourceError(f"{where}: 'id' is out of range")
        where = f"{self.source}: chat {self.chat.name!r}, message {msg_id}"
        try:
            entities = msg.get("text_entities")
            # Both carry the same text; entities are the cleaner form when present.
            text = flatten_text(entities if entities else msg.get("text"))
        except ValueError as exc:
            raise MalformedSourceError(f"{where}: {exc}") from exc
        date = self._when(msg, "date", where)
        if date is None:
            raise MalformedSourceError(f"{where}: 'date' is missing")
        forwarded = msg.get("forwarded_from")
        try:
            return self._make(msg, msg_id, date, text, forwarded, where)
        except ValueError as exc:  # Post's own checks
            raise MalformedSourceError(f"{where}: {exc}") from None

    def _make(
        self,
        msg: Mapping[str, Any],
        msg_id: int,
        date: datetime,
        text: str,
        forwarded: object,
        where: str,
    ) -> Post:
        return Post(
            channel=self.channel,
            id=msg_id,
            date=date,
            text=text,
            edit_date=self._when(msg, "edited", where),
            media=self._media(msg, where),
            forward=ForwardOrigin(name=forwarded) if isinstance(forwarded, str) else None,
            channel_title=self.chat.name or None,
            extra=_extra(msg),
        )

    def _when(self, msg: Mapping[str, Any], key: str, where: str) -> datetime | None:
        unix = msg.get(f"{key}_unixtime")
        if unix not in (None, ""):
            try:
                return datetime.fromtimestamp(int(unix), UTC)
            except (TypeError, ValueError, OverflowError, OSError) as exc:
                raise MalformedSourceError(f"{where}: bad '{key}_unixtime' {unix!r}") from exc
        local = msg.get(key)
        if local in (None, ""):
            return None
        try:
            parsed = datetime.fromisoformat(str(local))
        except ValueError as exc:
            raise MalformedSourceError(f"{where}: bad '{key}' {local!r}") from exc
        if parsed.tzinfo is not None:
            return parsed
        # Without an offset the value is the exporting machine's wall clock. The message's
        # own date/date_unixtime pair tells that clock's offset better than ``tz`` can.
        offset = self._machine_offset(msg) if key != "date" else None
        if offset is not None:
            return (parsed - offset).replace(tzinfo=UTC)
        return parsed.replace(tzinfo=self.zone)

    @staticmethod
    def _machine_offset(msg: Mapping[str, Any]) -> timedelta | None:
        try:
            local = datetime.fromisoformat(str(msg["date"]))
            utc = datetime.fromtimestamp(int(msg["date_unixtime"]), UTC)
        except (KeyError, TypeError, ValueError, OverflowError, OSError):
            return None
        if local.tzinfo is not None:
            return None
        return local - utc.replace(tzinfo=None)

    def _media(self, msg: Mapping[str, Any], where: str) -> tuple[MediaFile, ...]:
        found: list[MediaFile] = []
        for key in ("photo", "file"):
            rel = msg.get(key)
            if not isinstance(rel, str) or not rel:
                continue
            mime = msg.get("mime_type") if key == "file" else None
            stored = self._copy(rel, mime if isinstance(mime, str) else None, where)
            if stored is None:
                continue
            if stored.width is None and stored.height is None:
                # Videos and stickers: the store only measures images; the export knows.
                stored = replace(
                    stored,
                    width=_int_or_none(msg.get("width")),
                    height=_int_or_none(msg.get("height")),
                )
            found.append(stored)
        return tuple(found)

    def _copy(self, rel: str, mime: str | None, where: str) -> MediaFile | None:
        if rel.startswith("(") and rel.endswith(")"):
            log.warning("%s: media not in the export, skipped: %s", where, rel)
            return None
        # Confined to the export folder, regular files only (a FIFO would hang the import),
        # at most max_file_size bytes.
        try:
            data = read_inside(self.base, rel, self.max_file_size)
        except RefusedFileError as why:
            if why.outside:
                log.warning(
                    "%s: media path leaves the export folder, skipped (%s): %.200s", where, why, rel
                )
            elif str(why) == "missing":
                log.warning("%s: media file missing, skipped: %.200s", where, rel)
            else:
                log.warning("%s: media file skipped (%s): %.200s", where, why, rel)
            return None
        return self.media.put_bytes(data, mime or mimetypes.guess_type(rel)[0])


def _extra(msg: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    extra: list[tuple[str, str]] = []
    reply = msg.get("reply_to_message_id")
    if isinstance(reply, int):
        extra.append(("reply_to", str(reply)))
    author = msg.get("author")
    if isinstance(author, str) and author:
        extra.append(("author", author))
    media_type = msg.get("media_type")
    if isinstance(media_type, str) and media_type:
        extra.append(("media_type", media_type))
    return tuple(extra)


def _int_or_none(value: object) -> int | None:
    """A width or height: a non-negative 32-bit integer (an INTEGER column), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit() and len(value) <= 10:
        value = int(value)
    if isinstance(value, int) and 0 <= value < 2**31:
        return value
    return None


__all__ = ["ALBUM_WINDOW_S", "DEFAULT_TZ", "channel_for", "flatten_text", "read_export"]
