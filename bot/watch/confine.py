"""Reading a file an import names, without letting the import name anything else.

An export or a JSONL lists media by path. Those paths are input: ``/etc/passwd``,
``../outside/x.png``, a symlink out of the folder, ``/dev/zero`` or a named pipe (which blocks
the reader forever) must all be refused, and a file may not be larger than a cap.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

from bot.errors import RefusedFileError, SourceError

MAX_MEDIA_BYTES = 20 * 1024 * 1024  # Telegram's own limit for photos sent by bots is 10 MB


def inside(base: Path, rel: str) -> Path:
    """``base / rel`` when ``rel`` is a relative path that stays inside ``base`` (symlinks
    resolved); raises RefusedFileError otherwise."""
    if not rel or "\x00" in rel:
        raise RefusedFileError("empty or NUL in path", outside=True)
    for flavour in (PurePosixPath(rel), PureWindowsPath(rel)):
        if flavour.is_absolute() or flavour.drive or flavour.anchor:
            raise RefusedFileError("absolute path", outside=True)
        if ".." in flavour.parts:
            raise RefusedFileError("'..' in path", outside=True)
    root = base.resolve()
    try:
        resolved = (base / PurePath(rel)).resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise RefusedFileError(f"cannot resolve ({exc.__class__.__name__})", outside=True) from None
    if not resolved.is_relative_to(root):
        raise RefusedFileError("leaves the source folder", outside=True)
    return resolved


def read_regular(path: Path, max_bytes: int = MAX_MEDIA_BYTES) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``max_bytes``.

    Opened without blocking and checked on the open descriptor, so a FIFO or a device is
    refused rather than read (a FIFO would hang, /dev/zero never ends), and a file swapped
    after a check is still the one checked."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise RefusedFileError("missing") from None
    except OSError as exc:
        raise RefusedFileError(f"unreadable ({exc.strerror or exc.__class__.__name__})") from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise RefusedFileError("not a regular file")
        if info.st_size > max_bytes:
            raise RefusedFileError(f"{info.st_size} bytes, more than {max_bytes}")
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:  # grew while we read
        raise RefusedFileError(f"more than {max_bytes} bytes")
    return data


def read_inside(base: Path, rel: str, max_bytes: int = MAX_MEDIA_BYTES) -> bytes:
    return read_regular(inside(base, rel), max_bytes)


def require_regular(path: Path) -> None:
    """Raises SourceError unless ``path`` is a regular file: the input file itself must not
    be a FIFO (the import would wait forever) or a device."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise SourceError(f"{path}: cannot read: no such file") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        raise SourceError(f"{path}: not a regular file")
