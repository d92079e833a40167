"""``dozor db backup PATH`` / ``dozor db restore PATH``: a consistent copy taken while the bot
runs, and putting one back (with the bot stopped).

SQLite: the online backup API copies the database in one step, under one read transaction,
so the copy is the database as it was when the step began (writers in WAL mode go on).
PostgreSQL: ``pg_dump`` (custom format) reads inside one repeatable-read snapshot, and
``pg_restore --clean --single-transaction`` puts it back all or nothing.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.errors import ConfigError, StorageError


def backup(database_url: str, path: Path) -> str:
    """Write a backup of the database to ``path``; returns a one-line description."""
    if database_url.startswith("sqlite"):
        return _sqlite_backup(_sqlite_file(database_url), path)
    if database_url.startswith("postgresql"):
        _pg_tool("pg_dump", ["--format=custom", "--no-owner", f"--file={path}"], database_url)
        return f"pg_dump written to {path}"
    raise ConfigError("backups support SQLite and PostgreSQL DATABASE_URLs")


def restore(database_url: str, path: Path) -> str:
    """Replace the database's contents with the backup at ``path``. Stop the bot first."""
    if not path.is_file():
        raise StorageError(f"no backup at {path}")
    if database_url.startswith("sqlite"):
        return _sqlite_restore(path, _sqlite_file(database_url))
    if database_url.startswith("postgresql"):
        _pg_tool(
            "pg_restore",
            [
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_pg_env(database_url)['PGDATABASE']}",
                str(path),
            ],
            database_url,
        )
        return f"restored {path}"
    raise ConfigError("backups support SQLite and PostgreSQL DATABASE_URLs")


# -- SQLite -----------------------------------------------------------------------------------
def _sqlite_file(database_url: str) -> Path:
    name = make_url(database_url).database
    if not name or name == ":memory:":
        raise ConfigError("an in-memory SQLite database cannot be backed up")
    return Path(name)


def integrity(path: Path) -> str:
    """SQLite's own verdict on a database file: "ok" or the first problem found."""
    with _connect(path) as conn:
        row = conn.execute("PRAGMA integrity_check").fetchone()
    return str(row[0]) if row else "no answer"


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def _sqlite_backup(source: Path, target: Path) -> str:
    if not source.is_file():
        raise StorageError(f"no database at {source}")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src, dst = _connect(source), sqlite3.connect(partial)
    try:
        src.backup(dst)  # all pages in one step: one consistent snapshot
        # A WAL-mode copy would need its -wal file beside it; a backup is one file.
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()
    verdict = integrity(partial)
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise StorageError(f"the backup failed its integrity check: {verdict}")
    partial.replace(target)  # never a half-written file under the final name
    return f"SQLite backup written to {target} (integrity ok)"


def _sqlite_restore(backup_file: Path, live: Path) -> str:
    verdict = integrity(backup_file)
    if verdict != "ok":
        raise StorageError(f"{backup_file} fails its integrity check: {verdict}")
    src, dst = _connect(backup_file), _connect(live)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return f"restored {backup_file} into {live}"


# -- PostgreSQL -------------------------------------------------------------------------------
def find_pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    # Debian keeps the client binaries per major version, off PATH.
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if not candidates:
        raise ConfigError(f"{name} is not installed (it comes with the PostgreSQL client)")
    return candidates[-1]


def _pg_env(database_url: str) -> dict[str, str]:
    """libpq's variables for the URL: the password never appears on a command line."""
    url = make_url(database_url)
    env = {"PGDATABASE": url.database or "postgres"}
    host = url.host or url.query.get("host")
    if isinstance(host, tuple):
        host = host[0]
    if host:
        env["PGHOST"] = host
    if url.port:
        env["PGPORT"] = str(url.port)
    if url.username:
        env["PGUSER"] = url.username
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return env


def _pg_tool(name: str, args: list[str], database_url: str) -> None:
    command = [find_pg_tool(name), *args]
    # The child inherits our environment (PATH, locale) plus the connection's variables.
    env = {**os.environ, **_pg_env(database_url)}
    # Our own arguments, no shell: nothing untrusted reaches the command line.
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        problem = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise StorageError(f"{name} failed: {problem}")
