"""JSONL of posts → ``Post``: the format ``dozor analyze`` reads and ``dozor export`` writes.

One JSON object per line::

    {"channel": "kpszsu", "id": 66144, "date": "2026-06-24T08:44:38+03:00", "text": "...",
     "edited": null, "deleted": false, "media": ["media/map.png"],
     "forward": {"channel": "x", "id": 1, "name": "X"}, "grouped_id": null}

``channel``, ``id``, ``date`` (ISO 8601 with an offset) and ``text`` are required; the rest
is optional and unknown keys are ignored, so richer lines (``dozor analyze`` output) read
back. ``media`` items are paths relative to the file, or ``{"path", "sha256"}`` objects whose
digest is checked. Without a media store the ``media`` field is ignored. A deleted post is
marked with ``("deleted", "true")`` in ``Post.extra``, since ``Post`` has no flag for it.
Blank lines and lines starting with ``#`` are skipped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from bot.core.post import MAX_ID, ForwardOrigin, MediaFile, Post, normalise_channel
from bot.errors import MalformedSourceError, RefusedFileError, SourceError
from bot.media import MediaStore
from bot.watch.confine import read_inside, require_regular
from bot.watch.export import DEFAULT_TZ, read_export

log = logging.getLogger(__name__)

DELETED = ("deleted", "true")
MAX_LINE = 4 * 1024 * 1024  # characters of one JSONL line; a post is a few KB


def read_jsonl(
    lines: Iterable[str],
    media: MediaStore | None,
    base_dir: Path | None,
    *,
    source: str = "<jsonl>",
) -> Iterator[Post]:
    """Posts of JSONL lines, lazily. ``base_dir`` resolves relative media paths.

    Raises ``MalformedSourceError`` naming ``source`` and the 1-based line number.
    """
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        where = f"{source}:{number}"
        obj = _loads(stripped, where)
        if not isinstance(obj, dict):
            raise MalformedSourceError(f"{where}: a post line must be a JSON object")
        try:
            post = _post(obj, media, base_dir, where)
        except ValueError as exc:  # Post's own checks (an id beyond BIGINT, ...)
            raise MalformedSourceError(f"{where}: {exc}") from None
        yield post


def _loads(line: str, where: str) -> object:
    """One JSON value; every way a hostile line can fail is one MalformedSourceError."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise MalformedSourceError(f"{where}: not valid JSON ({exc.msg})") from None
    except ValueError:  # the only other ValueError: an integer of more than 4,300 digits
        raise MalformedSourceError(f"{where}: a number of more than 4,300 digits") from None
    except RecursionError:  # thousands of nested arrays
        raise MalformedSourceError(f"{where}: JSON nested too deeply") from None


def read_jsonl_file(path: Path, media: MediaStore | None) -> Iterator[Post]:
    """``read_jsonl`` over a file, with media paths relative to its folder."""
    require_regular(path)
    try:
        with path.open(encoding="utf-8") as fh:
            yield from read_jsonl(_capped_lines(fh, path), media, path.parent, source=str(path))
    except UnicodeDecodeError as exc:
        raise MalformedSourceError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def _capped_lines(fh: TextIO, path: Path) -> Iterator[str]:
    """The file's lines, refusing one longer than MAX_LINE characters before reading it all
    (a single 5 GB line would otherwise be read into memory whole)."""
    number = 0
    while line := fh.readline(MAX_LINE + 1):
        number += 1
        if len(line) > MAX_LINE:
            raise MalformedSourceError(f"{path}:{number}: line longer than {MAX_LINE} characters")
        yield line


def detect_and_read(
    path: Path,
    media: MediaStore,
    *,
    channel: str | None = None,
    tz: str = DEFAULT_TZ,
) -> Iterator[Post]:
    """Read ``path`` as a JSONL of posts or as a Desktop export, whichever it is.

    A file whose first non-blank line is a whole JSON object with ``channel``, ``id`` and
    ``date`` is JSONL (``channel`` and ``tz`` do not apply to it); anything else is handed to
    the export reader, which reports what is wrong with it.
    """
    require_regular(path)  # a FIFO would block the first read forever
    if looks_like_jsonl(path):
        return read_jsonl_file(path, media)
    return read_export(path, media, channel=channel, tz=tz)


def looks_like_jsonl(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            while line := fh.readline(MAX_LINE + 1):
                if len(line) > MAX_LINE:
                    return True  # one endless line: the JSONL reader says which
                if line.strip() and not line.lstrip().startswith("#"):
                    first = json.loads(line)
                    return isinstance(first, dict) and {"channel", "id", "date"} <= first.keys()
    except json.JSONDecodeError:  # a pretty-printed export's first line is "{"
        return False
    except (ValueError, RecursionError):
        # A whole line of hostile JSON (4,300+ digits, deep nesting): a JSONL line, which its
        # reader reports with the line number.
        return True
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return False


def _post(
    obj: Mapping[str, Any], media: MediaStore | None, base_dir: Path | None, where: str
) -> Post:
    channel = obj.get("channel")
    if not isinstance(channel, str) or not normalise_channel(channel):
        raise MalformedSourceError(f"{where}: 'channel' must be a non-empty string")
    msg_id = _int(obj.get("id"), "id", where, required=True)
    assert msg_id is not None
    text = obj.get("text")
    if not isinstance(text, str):
        raise MalformedSourceError(f"{where}: 'text' must be a string")
    date = _date(obj.get("date"), "date", where)
    if date is None:
        raise MalformedSourceError(f"{where}: 'date' is required")
    deleted = obj.get("deleted", False)
    if not isinstance(deleted, bool | None):
        raise MalformedSourceError(f"{where}: 'deleted' must be true or false")
    title = obj.get("channel_title")
    views = _int(obj.get("views"), "views", where)
    return Post(
        channel=normalise_channel(channel),
        id=msg_id,
        date=date,
        text=text,
        edit_date=_date(obj.get("edited"), "edited", where),
        media=_media(obj.get("media"), media, base_dir, where),
        grouped_id=_int(obj.get("grouped_id"), "grouped_id", where),
        forward=_forward(obj.get("forward"), where),
        channel_title=title if isinstance(title, str) else None,
        views=views,
        extra=(DELETED,) if deleted else (),
    )


def _int(value: object, key: str, where: str, *, required: bool = False) -> int | None:
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        # Ids written as digit strings (as some exporters do) are accepted.
        if isinstance(value, str) and value.lstrip("-").isdigit() and len(value) <= 20:
            value = int(value)
        else:
            shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:40] + "…"
            raise MalformedSourceError(f"{where}: '{key}' must be an integer, got {shown}")
    if not -MAX_ID <= value <= MAX_ID:
        raise MalformedSourceError(f"{where}: '{key}' is out of range (beyond 64 bits)")
    return value


def _date(value: object, key: str, where: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedSourceError(f"{where}: '{key}' must be an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise MalformedSourceError(f"{where}: '{key}' is not ISO 8601: {value!r}") from exc
    if parsed.tzinfo is None:
        raise MalformedSourceError(f"{where}: '{key}' needs a UTC offset: {value!r}")
    return parsed


def _forward(value: object, where: str) -> ForwardOrigin | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise MalformedSourceError(f"{where}: 'forward' must be an object")
    channel = value.get("channel")
    name = value.get("name")
    if channel is not None and not isinstance(channel, str):
        raise MalformedSourceError(f"{where}: 'forward.channel' must be a string")
    if name is not None and not isinstance(name, str):
        raise MalformedSourceError(f"{where}: 'forward.name' must be a string")
    return ForwardOrigin(
        channel=normalise_channel(channel) if channel else None,
        message_id=_int(value.get("id"), "forward.id", where),
        name=name,
    )


def _media(
    value: object, store: MediaStore | None, base_dir: Path | None, where: str
) -> tuple[MediaFile, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise MalformedSourceError(f"{where}: 'media' must be a list")
    items: list[tuple[str, object]] = []
    for item in value:
        if isinstance(item, str):
            items.append((item, None))
        elif isinstance(item, dict) and isinstance(item.get("path"), str):
            items.append((item["path"], item.get("sha256")))
        else:
            raise MalformedSourceError(f"{where}: a 'media' item must be a path or {{path}}")
    if store is None:
        return ()
    found: list[MediaFile] = []
    for rel, digest in items:
        # Confined to the file's folder: no absolute paths, no '..', no symlinks out, only
        # regular files (not /dev/zero, not a FIFO), at most MAX_MEDIA_BYTES.
        try:
            data = read_inside(base_dir or Path.cwd(), rel)
        except RefusedFileError as why:
            if why.outside:
                log.warning(
                    "%s: media path leaves the file's folder, skipped (%s): %.200s", where, why, rel
                )
            elif str(why) == "missing":
                log.warning("%s: media file missing, skipped: %.200s", where, rel)
            else:
                log.warning("%s: media file skipped (%s): %.200s", where, why, rel)
            continue
        file = Path(rel)
        # Checked before storing, so a corrupt copy never enters the store.
        if isinstance(digest, str) and digest.lower() != hashlib.sha256(data).hexdigest():
            raise MalformedSourceError(f"{where}: {rel} does not match its sha256 {digest}")
        found.append(store.put_bytes(data, mimetypes.guess_type(file.name)[0]))
    return tuple(found)


def post_to_record(post: Post, *, deleted: bool = False) -> dict[str, Any]:
    """The JSONL object for a post, which ``read_jsonl`` reads back into an equal ``Post``.

    Media paths are the store's own (relative to ``MEDIA_DIR``): read the line back with
    ``base_dir`` set to the media folder, or rewrite the paths when copying files elsewhere.
    """
    record: dict[str, Any] = {
        "channel": post.channel,
        "id": post.id,
        "date": post.date.isoformat(),
        "text": post.text,
        "edited": post.edit_date.isoformat() if post.edit_date else None,
        "deleted": deleted or DELETED in post.extra,
        "media": [{"path": m.path, "sha256": m.sha256} for m in post.media],
    }
    if post.forward is not None:
        fwd = post.forward
        record["forward"] = {"channel": fwd.channel, "id": fwd.message_id, "name": fwd.name}
    if post.grouped_id is not None:
        record["grouped_id"] = post.grouped_id
    if post.channel_title is not None:
        record["channel_title"] = post.channel_title
    if post.views is not None:
        record["views"] = post.views
    return record
