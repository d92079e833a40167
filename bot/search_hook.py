"""The ingest hook that keeps the archive's search index current.

It is a ``bot.ingest.PreparedHook``: the post's terms (lemmas and stems, pymorphy3's work) are
worked out by ``prepare`` before the write transaction opens, and ``write`` only stores them
inside it, so a post is never stored without its terms and the write lock is never held for
the analysis. The same hook re-indexes an edited post (the terms of the new text replace the
old ones), which is why it is also the edit hook.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.post import Post
from bot.core.tokens import index_terms
from storage.models import Post as PostRow
from storage.repos.search import index_for


@dataclass(frozen=True, slots=True)
class PostTerms:
    text: str
    terms: frozenset[str]


class SearchHook:
    def prepare(self, post: Post, *, side: str | None = None) -> PostTerms:
        return PostTerms(post.text, frozenset(index_terms(post.text)))

    async def write(
        self,
        session: AsyncSession,
        row: PostRow,
        post: Post,
        prepared: PostTerms,
        *,
        alert: bool = True,
    ) -> None:
        # ``row.text`` is what is stored (after an edit, the new text); index exactly that,
        # with the terms found beforehand when they are of that text.
        terms = prepared.terms if prepared.text == row.text else None
        await index_for(session).index(session, row.id, row.text, terms=terms)

    async def __call__(
        self, session: AsyncSession, row: PostRow, post: Post, *, alert: bool = True
    ) -> None:
        """The plain ``PostHook`` form: the terms are worked out inside the transaction."""
        await index_for(session).index(session, row.id, row.text)
