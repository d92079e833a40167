"""keyword subscriptions indexed by their terms

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

The rows are filled by the application (``bot.matching.index_keywords`` at start), which owns
the text analysis that decides the terms; a migration must not depend on it.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "keyword_terms",
        sa.Column("term", sa.String(length=512), nullable=False),
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.PrimaryKeyConstraint("term", "key", name=op.f("pk_keyword_terms")),
    )
    with op.batch_alter_table("keyword_terms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_keyword_terms_key"), ["key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("keyword_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_keyword_terms_key"))
    op.drop_table("keyword_terms")
