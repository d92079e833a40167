"""The foundation's plain name matching: case-insensitive, at word starts.

A tracked word also matches its inflected forms by allowing a short ending after it
("Курськ" finds "Курська", "Курській"), which is crude but predictable. Place subscriptions
use the gazetteer matcher instead; this serves free-text tracks.
"""

from __future__ import annotations

_FOLD = str.maketrans({"ё": "е", "Ё": "Е", "’": "'", "ʼ": "'", "`": "'", "‘": "'"})
MAX_ENDING = 4


def fold(text: str) -> str:
    """Lower-case with apostrophes and ё unified; same length as ``text``, so offsets hold."""
    folded = text.translate(_FOLD).lower()
    if len(folded) != len(text):  # rare characters (İ, ß) change length: fold one by one
        folded = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text.translate(_FOLD))
    return folded


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch in "'-"


def find_term(text: str, term: str, *, folded: str | None = None) -> list[tuple[int, int]]:
    """Spans where ``term`` starts a word and is followed by at most a short ending."""
    needle = fold(term.strip())
    if not needle:
        return []
    hay = folded if folded is not None else fold(text)
    spans: list[tuple[int, int]] = []
    pos = hay.find(needle)
    while pos != -1:
        end = pos + len(needle)
        if pos == 0 or not _is_word(hay[pos - 1]):
            tail = end
            while tail < len(hay) and hay[tail].isalpha():
                tail += 1
            if tail - end <= MAX_ENDING:
                spans.append((pos, tail))
        pos = hay.find(needle, pos + 1)
    return spans
