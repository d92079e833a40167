"""What the ingest runs beside storing a post: hooks (claims, search) and their two phases."""

from __future__ import annotations

from typing import Protocol, TypeVar, runtime_checkable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.post import Post
from storage.models import Post as PostRow


class PostHook(Protocol):
    """Runs inside a post's unit of work after it is stored or edited (claims, search).

    ``alert`` is False for posts that are archived silently (stale, or backfilled): a hook
    may record what it finds but must not queue alerts for them.
    """

    async def __call__(
        self, session: AsyncSession, row: PostRow, post: Post, *, alert: bool = True
    ) -> int | None: ...  # outbox rows queued (None: the hook never queues)


Found = TypeVar("Found")


@runtime_checkable
class PreparedHook(PostHook, Protocol[Found]):
    """A hook whose work on the post's text is split off: ``prepare`` is pure (the post and
    its channel's side in, what it found out) and runs before the write transaction, so on
    SQLite the one write lock is never held while pymorphy3 reads; ``write`` runs inside
    it and only stores. Its plain ``__call__`` (both at once) remains, for callers that
    have no result of ``prepare``."""

    def prepare(self, post: Post, *, side: str | None = None) -> Found: ...

    async def write(
        self,
        session: AsyncSession,
        row: PostRow,
        post: Post,
        prepared: Found,
        *,
        alert: bool = True,
    ) -> int | None: ...
