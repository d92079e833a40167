"""``dozor db backup PATH`` / ``dozor db restore PATH``: a consistent copy taken while the bot
runs, and putting one back (with the bot stopped).

SQLite: the online backup API (``storage.backup``). PostgreSQL: ``pg_dump`` (custom format)
reads inside one repeatable-read snapshot into ``PATH.partial``, which ``pg_restore --list``
must read back before it is renamed to PATH; ``pg_restore --clean --single-transaction`` puts
it back all or nothing.
"""

from __future__ import annotations

import glob
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.config import inherited_environment
from bot.errors import ConfigError, StorageError
from storage.backup import sqlite_backup, sqlite_restore


def backup(database_url: str, path: Path) -> str:
    """Write a backup of the database to ``path``; returns a one-line description."""
    if database_url.startswith("sqlite"):
        return sqlite_backup(_sqlite_file(database_url), path)
    if database_url.startswith("postgresql"):
        return _pg_backup(database_url, path)
    raise ConfigError("backups support SQLite and PostgreSQL DATABASE_URLs")


BACKUP_GLOB = "dozor-*.backup"  # dated names sort oldest first


def backup_into(database_url: str, directory: Path, keep: int | None, now: datetime) -> str:
    """A dated backup in ``directory`` (created if missing); with ``keep``, the older dated
    backups beyond the newest ``keep`` are then deleted (never before the new one is whole)."""
    if keep is not None and keep < 1:
        raise ConfigError("--keep must be at least 1")
    directory.mkdir(parents=True, exist_ok=True)
    said = backup(database_url, directory / f"dozor-{now:%Y%m%d-%H%M%S}.backup")
    if keep is None:
        return said
    pruned = prune(directory, keep)
    return f"{said}; {len(pruned)} older backup(s) removed" if pruned else said


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` dated backups in ``directory``; returns those deleted.
    Only names ``dozor db backup`` gives: nothing else in the directory is touched."""
    dated = sorted(p for p in directory.glob(BACKUP_GLOB) if p.is_file())
    doomed = dated[:-keep] if keep else dated
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def restore(database_url: str, path: Path) -> str:
    """Replace the database's contents with the backup at ``path``. Stop the bot first."""
    if not path.is_file():
        raise StorageError(f"no backup at {path}")
    if database_url.startswith("sqlite"):
        return sqlite_restore(path, _sqlite_file(database_url))
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


# -- PostgreSQL -------------------------------------------------------------------------------
def _pg_backup(database_url: str, path: Path) -> str:
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        _pg_tool("pg_dump", ["--format=custom", "--no-owner", f"--file={partial}"], database_url)
        # pg_restore reads the archive's table of contents: a truncated dump fails here.
        _pg_tool("pg_restore", ["--list", str(partial)], database_url)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)  # never a half-written dump under the final name
    return f"pg_dump written to {path} (readable by pg_restore)"


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
    env = {**inherited_environment(), **_pg_env(database_url)}
    # Our own arguments, no shell: nothing untrusted reaches the command line.
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        problem = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise StorageError(f"{name} failed: {problem}")
