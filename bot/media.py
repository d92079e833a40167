"""Content-addressed media store: a file's path is derived from its sha256.

The same map posted twice (or by two channels) is written once. Writes are atomic, so a
crash never leaves a half-written file under a valid name.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
import os
import tempfile
from pathlib import Path

from bot.core.post import MediaFile

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF8", "image/gif"),
    (b"RIFF", "image/webp"),  # checked further below
)


def sniff_mime(data: bytes, fallback: str | None = None) -> str:
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            if mime == "image/webp" and data[8:12] != b"WEBP":
                continue
            return mime
    return fallback or "application/octet-stream"


def image_size(data: bytes) -> tuple[int | None, int | None]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.width, img.height
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        # A corrupt or hostile header must not stop ingestion: the file is kept, unmeasured.
        return None, None


class MediaStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, media: MediaFile) -> Path:
        return self.root / media.path

    def put_bytes(self, data: bytes, mime: str | None = None) -> MediaFile:
        digest = hashlib.sha256(data).hexdigest()
        mime = sniff_mime(data, mime)
        ext = mimetypes.guess_extension(mime) or ".bin"
        if ext == ".jpe":
            ext = ".jpg"
        rel = f"{digest[:2]}/{digest[2:4]}/{digest}{ext}"
        target = self.root / rel
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        width, height = image_size(data) if mime.startswith("image/") else (None, None)
        return MediaFile(
            sha256=digest, path=rel, mime=mime, size=len(data), width=width, height=height
        )

    def put_file(self, path: Path, mime: str | None = None) -> MediaFile:
        guessed = mime or mimetypes.guess_type(path.name)[0]
        return self.put_bytes(path.read_bytes(), guessed)
