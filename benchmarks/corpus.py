"""Realistic posts for the benchmarks, built from the labelled real texts in tests/data."""

from __future__ import annotations

import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_posts(n: int, size: int = 1500) -> list[str]:
    """``n`` posts of about ``size`` characters, shuffled paragraphs, the same every run."""
    texts: list[str] = []
    for name in ("places_eval.jsonl", "places_eval_hard.jsonl"):
        with (ROOT / "tests" / "data" / name).open(encoding="utf-8") as fh:
            texts.extend(json.loads(line)["text"] for line in fh if line.strip())
    paragraphs = [p for t in texts for p in t.split("\n\n") if p.strip()]
    rnd = random.Random(42)
    posts: list[str] = []
    while len(posts) < n:
        rnd.shuffle(paragraphs)
        buf = ""
        for p in paragraphs:
            buf = f"{buf}\n\n{p}" if buf else p
            if len(buf) >= size:
                posts.append(buf[: size + 200])
                buf = ""
                if len(posts) == n:
                    break
    return posts
