"""Why an alert fired: the reason labels the matcher stores and how an alert says them.

A delivery's ``reasons["labels"]`` are plain strings (the ingest path only collects and sorts
them), so structured reasons are encoded into the label:

    place:<mentioned id>@<tracked id>   a place subscription; the post named the first place
    place:~<surface>@<tracked id>       an ambiguous mention all of whose candidates lie
                                        inside the tracked place
    keyword:<canonical expression>      a keyword subscription
    anything else                       a legacy free-text label, shown as it is

Place ids, not names, are stored so the alert names places in the reader's language at
render time. Pure: the gazetteer is bundled data.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

PLACE = "place:"
KEYWORD = "keyword:"
MAX_LINES = 6


def place_reason(tracked_id: str, mentioned_id: str | None, surface: str = "") -> str:
    what = mentioned_id if mentioned_id is not None else "~" + surface
    return f"{PLACE}{what}@{tracked_id}"


def keyword_reason(canonical: str) -> str:
    return KEYWORD + canonical


def _place_line(body: str, lang: str, tracked_word: str) -> str | None:
    from bot.analysis.places import get_gazetteer

    what, sep, tracked = body.rpartition("@")
    if not sep:
        return None
    gaz = get_gazetteer()
    try:
        tracked_name = gaz.name(gaz.get(tracked), lang)
        if what.startswith("~"):
            shown = f"{what[1:]} ({tracked_name})"
        elif what == tracked:
            shown = gaz.label(tracked, lang)
        else:
            shown = f"{gaz.name(gaz.get(what), lang)} ({tracked_name})"
    except KeyError:  # a place the bundled gazetteer no longer has
        return None
    return f"📍 {html.escape(shown)} — {tracked_word}"


def why_lines(labels: Iterable[str], lang: str, tracked_word: str, keyword_word: str) -> str:
    """HTML lines, one per reason: "📍 Sudzha (Kursk Oblast) — tracked"."""
    lines: list[str] = []
    for label in labels:
        line: str | None
        if label.startswith(PLACE):
            line = _place_line(label[len(PLACE) :], lang, tracked_word)
        elif label.startswith(KEYWORD):
            line = f"🔎 {keyword_word}: {html.escape(label[len(KEYWORD) :])}"
        else:
            line = None
        if line is None:
            line = f"📍 {html.escape(label)} — {tracked_word}"
        if line not in lines:
            lines.append(line)
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES], "…"]
    return "\n".join(lines)
