"""The bundled replay sample (``bot/data/sample``, built by ``scripts/build_sample.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from bot.core.post import Post
from bot.media import MediaStore
from bot.watch.jsonl import read_jsonl_file

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"
SAMPLE_POSTS = SAMPLE_DIR / "posts.jsonl"
SAMPLE_TRACKS = SAMPLE_DIR / "tracks.txt"


def sample_posts(media: MediaStore | None) -> Iterator[Post]:
    """The sample's posts in date order; its map images are copied into ``media``."""
    return read_jsonl_file(SAMPLE_POSTS, media)


def default_tracks() -> list[str]:
    """What ``dozor replay`` tracks when no ``--track`` is given."""
    lines = SAMPLE_TRACKS.read_text(encoding="utf-8").splitlines()
    return [s for s in (line.strip() for line in lines) if s and not s.startswith("#")]
