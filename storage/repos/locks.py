"""PostgreSQL session advisory locks, held by a connection of their own (see
``bot.digest.leader``): the SQL of leader election."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection


async def try_lock(conn: AsyncConnection, key: int) -> bool:
    return bool(await conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}))


async def ping(conn: AsyncConnection) -> None:
    await conn.scalar(text("SELECT 1"))


async def unlock(conn: AsyncConnection, key: int) -> None:
    await conn.scalar(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
