"""What every source hands its converted posts to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.core.post import Post


class PostSink(Protocol):
    """Implemented by ``bot.ingest.IngestService``; sources depend only on this."""

    async def new_posts(self, posts: Sequence[Post]) -> int:
        """Store posts not seen before (keyed by channel and id); returns how many were new.

        Posts already stored are ignored unless their text or edit date changed, in which
        case they are treated as edits. Safe to call again with the same posts.
        """
        ...

    async def edited(self, post: Post) -> None:
        """Record a new version of a stored post (the old text is kept)."""
        ...

    async def deleted(self, channel: str, ids: Sequence[int], when: datetime) -> None:
        """Soft-mark posts deleted; never removes them."""
        ...

    async def last_id(self, channel: str) -> int:
        """The highest message id stored for the channel (0 if none)."""
        ...


class SourceMonitor(Protocol):
    """Told the outcome of every poll of a channel (``bot.ops.sources.SourceHealthTracker``).

    ``error`` is None for a poll that worked. Implementations never raise.
    """

    async def polled(self, channel: str, error: BaseException | None) -> None: ...
