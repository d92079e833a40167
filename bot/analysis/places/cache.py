"""The gazetteer's built state (automaton, forms, places) cached as one pickle.

Building the automaton from ``gazetteer.tsv.gz`` takes ~0.5 s per process; unpickling the
built state takes ~0.18 s. The cache file is named by a hash of the data file and of the
library versions that shaped the pickle, so a new gazetteer or pyahocorasick never reads a
stale one; a cache that cannot be read or written only costs the build.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from pathlib import Path

from bot.analysis.places.gazetteer import DATA_FILE, Gazetteer, load

log = logging.getLogger(__name__)
FORMAT = 1  # bump when the pickled tuple changes shape


def cache_file(cache_dir: Path, data: bytes) -> Path:
    digest = hashlib.sha256(data)
    digest.update(f"{FORMAT}:{sys.version_info[:2]}:{_aho_version()}".encode())
    return cache_dir / f"gazetteer-{digest.hexdigest()[:20]}.pickle"


def _aho_version() -> str:
    try:
        from importlib.metadata import version

        return version("pyahocorasick")
    except Exception:  # an unknown version only means no reuse across versions
        return "?"


def load_cached(cache_dir: Path | None, data_file: Path = DATA_FILE) -> Gazetteer:
    """The gazetteer, from ``cache_dir`` when a cache of this very data file is there."""
    data = data_file.read_bytes()
    if cache_dir is None:
        return load(data)
    path = cache_file(cache_dir, data)
    try:
        with path.open("rb") as f:
            state = pickle.load(f)  # noqa: S301 - our own file, in the user's cache directory
        return Gazetteer(*state)
    except FileNotFoundError:
        pass
    except Exception as exc:  # a damaged cache is rebuilt, never fatal
        log.warning("gazetteer cache %s unreadable (%s); rebuilding it", path, exc)
    gaz = load(data)
    _write(path, gaz)
    return gaz


def _write(path: Path, gaz: Gazetteer) -> None:
    state = (gaz.places, gaz.automaton, gaz.codes, gaz.key_len, gaz.aliases, gaz.meta, gaz.rank)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a process starting meanwhile never reads half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError as exc:
        log.info("gazetteer cache not written to %s: %s", path, exc)
