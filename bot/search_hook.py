"""The ingest hook that keeps the archive's search index current.

It is a ``bot.ingest.PostHook``: it runs inside each stored post's transaction, so a post
is never stored without its terms. The same call re-indexes an edited post (the terms of
the new text replace the old ones), which is why it is also the edit hook.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.post import Post
from storage.models import Post as PostRow
from storage.repos.search import index_for


class SearchHook:
    async def __call__(
        self, session: AsyncSession, row: PostRow, post: Post, *, alert: bool = True
    ) -> None:
        # ``row.text`` is what is stored (after an edit, the new text); index exactly that.
        await index_for(session).index(session, row.id, row.text)
