"""Why an alert fired, as the alert says it: one line per reason, in the reader's language.

Reasons are ``bot.core.alert`` reasons (their stored labels are decoded there). Place ids,
not names, are stored so the alert names places in the reader's language at render time.
Pure: the caller passes the gazetteer.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.core.alert import KeywordReason, PlaceReason, Reason

if TYPE_CHECKING:
    from bot.analysis.places import Gazetteer

MAX_LINES = 6


def place_reason(tracked_id: str, mentioned_id: str | None, surface: str = "") -> str:
    """The stored label of a place reason (the matcher compares and sorts labels)."""
    return PlaceReason(tracked_id, mentioned_id, surface).label()


def keyword_reason(canonical: str) -> str:
    return KeywordReason(canonical).label()


def _place_line(r: PlaceReason, gaz: Gazetteer, lang: str, tracked_word: str) -> str | None:
    try:
        tracked_name = gaz.name(gaz.get(r.tracked), lang)
        if r.mentioned is None:
            shown = f"{r.surface} ({tracked_name})"
        elif r.mentioned == r.tracked:
            shown = gaz.label(r.tracked, lang)
        else:
            shown = f"{gaz.name(gaz.get(r.mentioned), lang)} ({tracked_name})"
    except KeyError:  # a place the bundled gazetteer no longer has
        return None
    return f"📍 {html.escape(shown)} — {tracked_word}"


def why_lines(
    reasons: Iterable[Reason], gaz: Gazetteer, lang: str, tracked_word: str, keyword_word: str
) -> str:
    """HTML lines, one per reason: "📍 Sudzha (Kursk Oblast) — tracked"."""
    lines: list[str] = []
    for reason in reasons:
        line: str | None = None
        if isinstance(reason, PlaceReason):
            line = _place_line(reason, gaz, lang, tracked_word)
        elif isinstance(reason, KeywordReason):
            line = f"🔎 {keyword_word}: {html.escape(reason.expression)}"
        if line is None:  # free text, or a place no longer known: the label as it is
            line = f"📍 {html.escape(reason.label())} — {tracked_word}"
        if line not in lines:
            lines.append(line)
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES], "…"]
    return "\n".join(lines)
