"""The process's pymorphy3 analysers: each dictionary is loaded once and shared.

Search terms (``bot.core.tokens``) and claim lexicon (``bot.analysis.claims.lexicon``) both
need them; each used to build its own, so one process loaded every dictionary twice
(~0.4 s and ~70 MB each).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pymorphy3


@cache
def analyzer(lang: str) -> pymorphy3.MorphAnalyzer:
    """The analyser for ``lang`` ("uk" or "ru"), loaded on first use, not at import time."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=lang)
