"""Shared fixtures: a fresh database per test on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from storage.engine import make_engine, make_sessionmaker, upgrade_schema

PG_URL = os.environ.get("DOZOR_TEST_PG_URL")
# Processes started by tests serve /healthz only when a test asks (several test runs share
# this machine, and the default port 9108 with it).
os.environ.setdefault("HEALTH_PORT", "0")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# --- no network but loopback -------------------------------------------------------------
_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            ip = None
        if ip is None or not ip.is_loopback:
            raise RuntimeError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]


# --- databases ---------------------------------------------------------------------------
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if (
            callspec is not None and callspec.params.get("db_url") == "postgres"
        ) or "pg_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
    return _require_pg()


def _require_pg() -> str:
    if not PG_URL:
        if IN_CI:
            pytest.fail("DOZOR_TEST_PG_URL is not set: PostgreSQL did not start")
        pytest.skip("DOZOR_TEST_PG_URL not set (run .ci/pg.sh start)")
    return PG_URL


@pytest.fixture
def pg_url() -> str:
    """For tests that only make sense on PostgreSQL (advisory locks, several processes)."""
    return _require_pg()


@pytest.fixture
async def pg_engine(pg_url: str) -> AsyncIterator[AsyncEngine]:
    await reset_database(pg_url)
    eng = make_engine(pg_url)
    await upgrade_schema(eng)
    yield eng
    await eng.dispose()


async def reset_database(url: str) -> None:
    """A clean schema for the next test (PostgreSQL is shared between tests)."""
    if not url.startswith("postgresql"):
        return
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    await reset_database(db_url)
    eng = make_engine(db_url)
    await upgrade_schema(eng)
    yield eng
    await eng.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture
def settings_factory(tmp_path: Path) -> Iterator[Any]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": f"sqlite+aiosqlite:///{tmp_path / 'dozor.sqlite3'}",
            "media_dir": tmp_path / "media",
            "bot_token": "123456:TEST-TOKEN",
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    yield make
