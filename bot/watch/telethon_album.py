"""One album being assembled from Telethon's per-item updates (see ``telethon_source``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Album:
    channel: str
    grouped_id: int
    messages: dict[int, Any] = field(default_factory=dict)
    key: int | None = None  # id of the stored post, once stored
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    timer: asyncio.Task[None] | None = None


def settled(album: Album) -> bool:
    """Neither waiting for more items nor being stored: safe to forget."""
    return album.timer is None and not album.lock.locked()
