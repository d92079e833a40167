"""Dialect-portable helpers for the repositories."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def dialect_name(session: AsyncSession) -> str:
    bind = session.get_bind()
    return bind.dialect.name


async def insert_ignore(
    session: AsyncSession,
    table: Table,
    values: dict[str, Any],
    conflict_on: Sequence[str],
    returning: Any = None,
) -> Any:
    """INSERT … ON CONFLICT DO NOTHING; returns the ``returning`` column or None if it existed."""
    dialect = postgresql if dialect_name(session) == "postgresql" else sqlite
    stmt = (
        dialect.insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(conflict_on))
    )
    if returning is not None:
        result = await session.execute(stmt.returning(returning))
        return result.scalar_one_or_none()
    await session.execute(stmt)
    return None
