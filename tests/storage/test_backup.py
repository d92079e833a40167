"""`dozor db backup` taken (as a real process) while posts are being ingested restores, with
`dozor db restore`, to a database that passes an integrity check and holds every post committed
before the backup began; on PostgreSQL, processes migrating at once take turns."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from bot.app import start_core
from bot.config import Settings
from bot.core.post import Post
from storage.backup import integrity
from storage.engine import current_revision, head_revision, make_engine
from storage.models import Post as PostRow
from storage.types import utcnow
from tests.conftest import reset_database

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


async def _dozor(url: str, *args: str) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": url}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode()


async def _ingest_until(settings: Settings, stop: asyncio.Event, committed: list[int]) -> None:
    core = await start_core(settings)
    try:
        n = 0
        while not stop.is_set():
            n += 1
            post = Post(channel="kpszsu", id=n, date=utcnow(), text=f"Зведення {n}: " * 20)
            assert await core.ingest.new_posts([post]) == 1
            committed.append(n)  # new_posts returns after the post's transaction committed
            await asyncio.sleep(0)
    finally:
        await core.close()


async def _stored_ids(url: str) -> set[int]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return set((await conn.scalars(select(PostRow.message_id))).all())
    finally:
        await engine.dispose()


async def _until(condition: Callable[[], bool], seconds: float = 60) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - polling a plain list another task appends to
            await asyncio.sleep(0.05)


async def _backup_while_ingesting(settings: Settings, backup: Path) -> set[int]:
    """The ids committed before the backup began; the ingest goes on during it and after."""
    stop = asyncio.Event()
    committed: list[int] = []
    writer = asyncio.create_task(_ingest_until(settings, stop, committed))
    try:
        await _until(lambda: len(committed) >= 30)
        before = set(committed)
        code, out = await _dozor(settings.database_url, "db", "backup", str(backup))
        assert code == 0, out
        during = len(committed)
        await _until(lambda: len(committed) >= during + 10)  # writing goes on after it
    finally:
        stop.set()
        await writer
    assert len(committed) > len(before)
    return before


async def test_sqlite_backup_during_ingest_restores_whole(settings_factory, tmp_path: Path) -> None:
    settings = settings_factory()
    backup = tmp_path / "dozor.backup"
    before = await _backup_while_ingesting(settings, backup)
    assert integrity(backup) == "ok"

    restored = f"sqlite+aiosqlite:///{tmp_path / 'restored.sqlite3'}"
    code, out = await _dozor(restored, "db", "restore", str(backup))
    assert code == 0, out
    assert integrity(tmp_path / "restored.sqlite3") == "ok"
    ids = await _stored_ids(restored)
    assert before <= ids
    assert ids == set(range(1, max(ids) + 1))  # a consistent cut: no holes
    code, out = await _dozor(restored, "db", "current")
    assert code == 0 and out.strip().splitlines()[-1] == head_revision(), out


async def _pg_admin(url: str, statement: str) -> None:
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def _pg_integrity(url: str) -> list[str]:
    """amcheck over every B-tree index of the schema, plus a foreign-key orphan check."""
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
            indexes = await conn.scalars(
                text(
                    "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "JOIN pg_am am ON am.oid = c.relam "
                    "WHERE am.amname = 'btree' AND c.relnamespace = 'public'::regnamespace"
                )
            )
            names = list(indexes.all())
            for name in names:  # raises on any corruption it finds
                await conn.execute(
                    text("SELECT bt_index_parent_check(CAST(:name AS regclass), true)"),
                    {"name": name},
                )
            orphans = await conn.scalar(
                text(
                    "SELECT count(*) FROM posts p LEFT JOIN channels c ON c.id = p.channel_id "
                    "WHERE c.id IS NULL"
                )
            )
            assert orphans == 0
            return names
    finally:
        await engine.dispose()


async def test_postgres_backup_during_ingest_restores_whole(
    pg_url: str, settings_factory, tmp_path: Path
) -> None:
    await reset_database(pg_url)
    settings = settings_factory(database_url=pg_url)
    backup = tmp_path / "dozor.dump"
    before = await _backup_while_ingesting(settings, backup)
    assert not (tmp_path / "dozor.dump.partial").exists()

    target = make_url(pg_url).set(database="dozor_restore_test")
    restored = target.render_as_string(hide_password=False)
    await _pg_admin(pg_url, "DROP DATABASE IF EXISTS dozor_restore_test")
    await _pg_admin(pg_url, "CREATE DATABASE dozor_restore_test")
    try:
        code, out = await _dozor(restored, "db", "restore", str(backup))
        assert code == 0, out
        assert "ix_posts_date" in await _pg_integrity(restored)
        ids = await _stored_ids(restored)
        assert before <= ids
        assert ids == set(range(1, max(ids) + 1))
        engine = make_engine(restored)
        try:
            assert await current_revision(engine) == head_revision()
        finally:
            await engine.dispose()
    finally:
        await _pg_admin(pg_url, "DROP DATABASE IF EXISTS dozor_restore_test")


async def test_a_failed_pg_dump_leaves_the_last_good_backup_alone(
    pg_url: str, tmp_path: Path
) -> None:
    """pg_dump writes to PATH.partial; PATH is replaced only by a dump pg_restore can read."""
    backup = tmp_path / "dozor.dump"
    backup.write_bytes(b"yesterday's good backup")
    missing = make_url(pg_url).set(database="dozor_no_such_db").render_as_string(False)
    code, out = await _dozor(missing, "db", "backup", str(backup))
    assert code != 0 and "pg_dump failed" in out
    assert backup.read_bytes() == b"yesterday's good backup"
    assert not (tmp_path / "dozor.dump.partial").exists()


async def test_dated_backups_into_a_directory_keep_only_the_newest(
    settings_factory, tmp_path: Path
) -> None:
    """`dozor db backup DIR/ --keep 3` (what deploy/dozor-backup.service runs): a dated file
    in DIR, then all but the newest three dated backups go; nothing else in DIR is touched."""
    url = settings_factory().database_url
    code, out = await _dozor(url, "db", "upgrade")
    assert code == 0, out
    backups = tmp_path / "backups"
    backups.mkdir()
    for day in ("20200101", "20200102", "20200103", "20200104"):
        (backups / f"dozor-{day}-030000.backup").write_bytes(b"old")
    (backups / "notes.txt").write_text("mine")
    (backups / "dozor-20200105-030000.backup.partial").write_bytes(b"another run's")

    code, out = await _dozor(url, "db", "backup", f"{backups}/", "--keep", "3")
    assert code == 0, out
    kept = sorted(p.name for p in backups.glob("dozor-*.backup"))
    assert len(kept) == 3 and kept[:2] == [
        "dozor-20200103-030000.backup",
        "dozor-20200104-030000.backup",
    ]
    assert integrity(backups / kept[2]) == "ok"  # today's, whole
    assert "2 older backup(s) removed" in out
    assert (backups / "notes.txt").exists()
    assert (backups / "dozor-20200105-030000.backup.partial").exists()

    code, out = await _dozor(url, "db", "backup", str(tmp_path / "one.backup"), "--keep", "3")
    assert code == 2 and "--keep needs a directory" in out
    code, out = await _dozor(url, "db", "backup", str(backups), "--keep", "0")
    assert code == 2 and "at least 1" in out


def test_the_backup_unit_keeps_a_bounded_number_of_dated_backups() -> None:
    unit = (ROOT / "deploy" / "dozor-backup.service").read_text()
    (line,) = [ln for ln in unit.splitlines() if ln.startswith("ExecStart=")]
    argv = line.removeprefix("ExecStart=").split()
    assert argv[1:4] == ["db", "backup", "/var/lib/dozor/backups/"]
    assert argv[4] == "--keep" and int(argv[5]) >= 1


async def test_restore_refuses_a_missing_backup(settings_factory, tmp_path: Path) -> None:
    code, out = await _dozor(
        settings_factory().database_url, "db", "restore", str(tmp_path / "none")
    )
    assert code == 2 and "no backup at" in out


async def test_processes_migrating_a_fresh_postgres_at_once_take_turns(pg_url: str) -> None:
    await reset_database(pg_url)
    results = await asyncio.gather(*(_dozor(pg_url, "db", "upgrade") for _ in range(5)))
    for code, out in results:
        assert code == 0, out
        assert f"schema at revision {head_revision()}" in out
    engine = make_engine(pg_url)
    try:
        async with engine.connect() as conn:
            versions = (await conn.scalars(text("SELECT version_num FROM alembic_version"))).all()
        assert versions == [head_revision()]
    finally:
        await engine.dispose()
