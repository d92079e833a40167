"""SQLite's side of ``dozor db backup|restore``: the online backup API and its integrity check.

The online backup API copies the database in one step, under one read transaction, so the copy
is the database as it was when the step began (writers in WAL mode go on). The copy is written
beside the target as ``*.partial``, checked, and only then renamed: a failed backup never
leaves a half-written file under the final name.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.errors import StorageError


def integrity(path: Path) -> str:
    """SQLite's own verdict on a database file: "ok" or the first problem found."""
    with _connect(path) as conn:
        row = conn.execute("PRAGMA integrity_check").fetchone()
    return str(row[0]) if row else "no answer"


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def sqlite_backup(source: Path, target: Path) -> str:
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


def sqlite_restore(backup_file: Path, live: Path) -> str:
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
