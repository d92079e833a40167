"""A full disk for a real process: its file-size limit lowered from outside, its WAL emptied.

No tmpfs or loop device can be mounted here; lowering ``RLIMIT_FSIZE`` of the running process
(``prlimit``) makes each write that grows a file fail as a full disk would, and only the soft
limit is touched, so raising it again needs no privilege.
"""

from __future__ import annotations

import resource
import sqlite3
import time
from pathlib import Path


def empty_wal(path: str | Path) -> None:
    """Fold the WAL into the database and truncate it to 0 bytes (retrying while the worker
    reads), so the worker's next write must grow a file."""
    conn = sqlite3.connect(path, timeout=10)
    try:
        deadline = time.monotonic() + 20
        while conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] != 0:
            assert time.monotonic() < deadline, "the WAL could not be truncated"
            time.sleep(0.05)
    finally:
        conn.close()


def limit_file_size(pid: int, size: int) -> None:
    """The soft limit only: raising it again needs no privilege."""
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (size, resource.RLIM_INFINITY))
