"""claims by time: an index on claims.asserted_at

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

A digest window reads the day's claims and contradictions once for all its chats, by time
alone (``storage.repos.digest_reads``); without this index that is a scan of every claim of
the archive (millions at five years).
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_claims_asserted_at", "claims", ["asserted_at"])


def downgrade() -> None:
    op.drop_index("ix_claims_asserted_at", table_name="claims")
