"""source health: consecutive good polls and what the admins were last told

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

``successes`` lets a channel recover only after several good polls in a row; ``alerted_state``
and ``alerted_at`` let admin messages be rate-limited per channel. Existing rows: the admins
were told of every change so far, so what they know is the current state.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("source_health", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("successes", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("alerted_state", sa.String(length=16), nullable=False,
                      server_default="ok")
        )
        batch_op.add_column(sa.Column("alerted_at", UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE source_health SET alerted_state = state")


def downgrade() -> None:
    with op.batch_alter_table("source_health", schema=None) as batch_op:
        batch_op.drop_column("alerted_at")
        batch_op.drop_column("alerted_state")
        batch_op.drop_column("successes")
