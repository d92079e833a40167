"""Engine and session factory, and schema upgrades through Alembic."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.errors import StorageError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


# SQLite errors after which a connection must not be reused: one opened while the file was
# unwritable stays read-only for good, even once the file is writable again.
_STALE_SQLITE = re.compile(
    r"readonly database|disk I/O error|unable to open database file|database disk image", re.I
)


def make_engine(url: str, *, busy_timeout: float = 30.0, **kwargs: Any) -> AsyncEngine:
    """Create the engine. Connects lazily, on first use.

    SQLite: WAL (readers never block the writer), ``synchronous=NORMAL`` (a commit is one
    append to the WAL, durable against a crash of the process), and ``busy_timeout``: a write
    waits that long for another's lock before failing; callers retry what failed. A
    connection that failed because the file was read-only or gone is discarded, not pooled."""
    if not url.startswith(("sqlite+aiosqlite:", "postgresql+asyncpg:")):
        scheme = url.split("://", 1)[0]
        raise StorageError(
            f"unsupported DATABASE_URL scheme {scheme!r}: use "
            "sqlite+aiosqlite:///file.sqlite3 or postgresql+asyncpg://…"
        )
    if url.startswith("sqlite"):
        # Several tasks share the file: wait for locks instead of failing at once.
        kwargs.setdefault("connect_args", {"timeout": busy_timeout})
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_async_engine(url, **kwargs)
        busy_ms = int(busy_timeout * 1000)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA busy_timeout={busy_ms}")
            cur.close()

        @event.listens_for(engine.sync_engine, "handle_error")
        def _discard_stale(context: ExceptionContext) -> None:
            if _STALE_SQLITE.search(str(context.original_exception)):
                context.is_disconnect = True

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def _upgrade(connection: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


# Alembic keeps its migration context in module globals: two upgrades interleaving in one
# event loop would trample each other's, so they take turns.
_UPGRADE_LOCK = asyncio.Lock()
# Between processes on PostgreSQL: a transaction-scoped advisory lock (an arbitrary constant
# key, "dozormig" in ASCII), so processes starting at once migrate one after the other and
# the later ones find the schema current.
MIGRATION_LOCK_KEY = 0x646F7A6F726D6967


async def upgrade_schema(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; idempotent, run at every start."""
    async with _UPGRADE_LOCK, engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        await conn.run_sync(_upgrade, revision)


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision the migrations define."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current)
