"""One normalisation for gazetteer keys and post text, so that both meet in the automaton.

Every character maps to exactly one character, so offsets in the normalised text are offsets
in the original: the matcher needs no offset map. Everything that is not part of a word
becomes a space; keys are stored padded with spaces, which makes the automaton itself enforce
word boundaries (a key can only match where the text has a boundary on both sides).
"""

from __future__ import annotations

import re

APOSTROPHES = "’ʼ`‘´ʹ"  # all become "'"
_NON_WORD = re.compile(r"[^\w ']|_")


def norm_text(text: str) -> str:
    """Lower-case ``text`` and blank out non-word characters, keeping its length."""
    low = text.lower()
    if len(low) != len(text):  # İ and a few others grow when lowered: lower one by one
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    if "ё" in low:
        low = low.replace("ё", "е")
    for ch in APOSTROPHES:
        if ch in low:
            low = low.replace(ch, "'")
    out = _NON_WORD.sub(" ", low)
    if "'" in out:  # quotes around a word ('Kursk') are not apostrophes inside one
        out = out.replace("'s ", "   ").replace(" '", "  ").replace("' ", "  ")
        if out.startswith("'"):
            out = " " + out[1:]
        if out.endswith("'"):
            out = out[:-1] + " "
    return out


def norm_key(name: str) -> str:
    """A gazetteer name as it appears in normalised text, runs of spaces collapsed."""
    return " ".join(norm_text(name).split())


def strip_apostrophes(key: str) -> str:
    """Posts often drop the apostrophe (Купянськ for Куп'янськ); keys carry both spellings."""
    return key.replace("'", "")
