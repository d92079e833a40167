"""What an edit changed, word by word, as Telegram HTML: deletions struck through, insertions
underlined, a few unchanged words of context around each change, long unchanged stretches
elided. Pure.

Whitespace is normalised (the view is of words). Within limits: at most about ``limit``
visible characters; changes past it are counted, not shown. A rewrite (little in common)
returns None, so the caller shows old and new whole.
"""

from __future__ import annotations

import html
import re
from difflib import SequenceMatcher

CONTEXT_WORDS = 6
MIN_SIMILARITY = 0.3
MAX_WORDS = 3000  # longer than any Telegram post; beyond it, old and new are shown instead


def _esc(words: list[str]) -> str:
    return html.escape(" ".join(words), quote=False)


def _words(words: list[str]) -> int:
    return len(words)


def _head(words: list[str], n: int) -> list[str]:
    return words[:n]


def _tail(words: list[str], n: int) -> list[str]:
    return words[-n:] if n else []


def word_diff(old: str, new: str, limit: int = 700) -> tuple[str, int] | None:
    """(HTML, changes left out) or None when the texts have too little in common."""
    # Words, not characters or whitespace runs: a word-level view, and a fast one (the
    # matcher is quadratic in the worst case; whitespace tokens would be that case).
    a, b = old.split(), new.split()
    if max(len(a), len(b)) > MAX_WORDS:
        return None
    matcher = SequenceMatcher(a=a, b=b)
    if matcher.ratio() < MIN_SIMILARITY:
        return None
    ops = matcher.get_opcodes()
    out: list[str] = []
    visible = 0
    omitted = 0
    last = len(ops) - 1
    for i, (tag, a0, a1, b0, b1) in enumerate(ops):
        if tag == "equal":
            same = a[a0:a1]
            if i == 0:  # before the first change: its last few words
                keep = _tail(same, CONTEXT_WORDS)
                piece = ("… " if len(keep) < len(same) else "") + _esc(keep)
            elif i == last:  # after the last change: its first few words
                keep = _head(same, CONTEXT_WORDS)
                piece = _esc(keep) + (" …" if len(keep) < len(same) else "")
            elif _words(same) > 2 * CONTEXT_WORDS:  # between two changes, far apart
                head, tail = _head(same, CONTEXT_WORDS), _tail(same, CONTEXT_WORDS)
                piece = _esc(head) + " … " + _esc(tail)
            else:
                piece = _esc(same)
            if omitted:
                continue
            out.append(piece)
            visible += len(piece) + 1
            continue
        parts = []
        if tag in ("delete", "replace"):
            parts.append(f"<s>{_esc(a[a0:a1]).strip()}</s>")
        if tag in ("insert", "replace"):
            parts.append(f"<u>{_esc(b[b0:b1]).strip()}</u>")
        piece = " ".join(parts)
        size = len(re.sub(r"<[^>]+>", "", piece)) + 1
        if omitted or (visible + size > limit and visible > 0):
            omitted += 1
            continue
        out.append(piece)
        visible += size
    return " ".join(p for p in out if p).strip(), omitted
