"""post_key_matches: the match record per (post, subscription kind and key), not per chat

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

A post that concerns 5,000 chats wrote 5,000 ``post_matches`` rows at ingest; it now writes one
row per tracked key it matched, and a chat's matches are read through its own subscriptions.
Existing records are folded into keys (downgrade expands them to today's subscribers). The
subscriptions' (kind, key) index becomes a covering (kind, key, label, chat_id) one.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "post_key_matches",
        sa.Column("post_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("date", UTCDateTime(), nullable=False),
        sa.Column("spans", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"],
                                name=op.f("fk_post_key_matches_post_id_posts"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("post_id", "kind", "key", name=op.f("pk_post_key_matches")),
    )
    op.create_index("ix_post_key_matches_key_date", "post_key_matches",
                    ["kind", "key", "date", "post_id"])
    # One row per (post, kind, key): the spans of its first subscription (all are the same).
    op.execute(
        "INSERT INTO post_key_matches (post_id, kind, key, date, spans)"
        " SELECT pm.post_id, s.kind, s.key, pm.date, pm.spans"
        " FROM post_matches pm JOIN subscriptions s ON s.id = pm.subscription_id"
        " WHERE pm.subscription_id = (SELECT MIN(pm2.subscription_id) FROM post_matches pm2"
        " JOIN subscriptions s2 ON s2.id = pm2.subscription_id"
        " WHERE pm2.post_id = pm.post_id AND s2.kind = s.kind AND s2.key = s.key)"
    )
    op.drop_index(op.f("ix_post_matches_subscription_id"), table_name="post_matches")
    op.drop_index("ix_post_matches_chat_date", table_name="post_matches")
    op.drop_table("post_matches")
    # The fan-out reads (kind, key) → (label, chat) for thousands of subscriptions a post:
    # a covering index, of which the old (kind, key) one is a prefix.
    op.create_index("ix_subscriptions_fanout", "subscriptions", ["kind", "key", "label", "chat_id"])
    op.drop_index("ix_subscriptions_kind_key", table_name="subscriptions")


def downgrade() -> None:
    op.create_index("ix_subscriptions_kind_key", "subscriptions", ["kind", "key"])
    op.drop_index("ix_subscriptions_fanout", table_name="subscriptions")
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
    op.execute(
        "INSERT INTO post_matches (post_id, subscription_id, chat_id, date, spans)"
        " SELECT k.post_id, s.id, s.chat_id, k.date, k.spans"
        " FROM post_key_matches k JOIN subscriptions s ON s.kind = k.kind AND s.key = k.key"
    )
    op.drop_index("ix_post_key_matches_key_date", table_name="post_key_matches")
    op.drop_table("post_key_matches")
