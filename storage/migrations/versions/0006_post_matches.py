"""post_matches: the match record written at ingest (post x subscription)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

Posts stored before this revision have no record: digests and /latest see matches from
the upgrade on (a digest of the upgrade day may list fewer posts).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "post_matches",
        sa.Column("post_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("subscription_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("date", UTCDateTime(), nullable=False),
        sa.Column("spans", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["chat_id"], ["chats.id"],
                                name=op.f("fk_post_matches_chat_id_chats"),
                                onupdate="CASCADE", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"],
                                name=op.f("fk_post_matches_post_id_posts"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["subscription_id"], ["subscriptions.id"],
                                name=op.f("fk_post_matches_subscription_id_subscriptions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("post_id", "subscription_id", name=op.f("pk_post_matches")),
    )
    op.create_index("ix_post_matches_chat_date", "post_matches", ["chat_id", "date", "post_id"])
    op.create_index(op.f("ix_post_matches_subscription_id"), "post_matches",
                    ["subscription_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_post_matches_subscription_id"), table_name="post_matches")
    op.drop_index("ix_post_matches_chat_date", table_name="post_matches")
    op.drop_table("post_matches")
