"""compact search index on SQLite: contentless FTS5 with plain terms, and a docs table

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

SQLite only (PostgreSQL keeps its tsvector + GIN). Migration 0002's table stored every post's
terms hex-encoded as FTS5 content (about 4 KB a post, 57% of the file); this one keeps only
the inverted index (see storage/repos/search.py) and re-indexes every stored post.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500


def upgrade() -> None:
    from storage.repos.search import index_for_dialect

    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    op.execute("DROP TABLE post_search")
    op.execute(
        "CREATE VIRTUAL TABLE post_search USING fts5("
        "terms, tokenize='ascii', content='', detail=none, columnsize=0)"
    )
    op.execute(
        "CREATE TABLE post_search_docs ("
        "doc_id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "post_id INTEGER NOT NULL UNIQUE REFERENCES posts (id) ON DELETE CASCADE)"
    )
    index_for_dialect("sqlite").reindex_sync(bind, only_missing=True)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    from bot.core.tokens import index_terms

    op.execute("DROP TABLE post_search_docs")
    op.execute("DROP TABLE post_search")
    # Migration 0002's shape: terms hex-encoded, as FTS5 content.
    op.execute("CREATE VIRTUAL TABLE post_search USING fts5(terms, tokenize='ascii')")
    after = 0
    while True:
        rows = bind.execute(
            sa.text("SELECT id, text FROM posts WHERE id > :after ORDER BY id LIMIT :n"),
            {"after": after, "n": BATCH},
        ).all()
        if not rows:
            return
        bind.execute(
            sa.text("INSERT INTO post_search (rowid, terms) VALUES (:id, :terms)"),
            [
                {
                    "id": r[0],
                    "terms": " ".join(sorted(t.encode().hex() for t in index_terms(r[1] or ""))),
                }
                for r in rows
            ],
        )
        after = rows[-1][0]
