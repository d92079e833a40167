"""contradiction why in Ukrainian; index for a chat's recent deliveries

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contradictions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("why_uk", sa.Text(), nullable=True))
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_deliveries_chat_sent", ["chat_id", "status", "sent_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_chat_sent")
    with op.batch_alter_table("contradictions", schema=None) as batch_op:
        batch_op.drop_column("why_uk")
