"""A contradiction alert as chat HTML: the reason, then both sides quoted and linked. Pure.

Takes the ``"contradiction"`` part of the payload ``bot.services.claims`` stores.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.analysis.claims.contradict import channel_speaker
from bot.core.i18n import t

QUOTE_LIMIT = 300


def _quote(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > QUOTE_LIMIT:
        text = text[: QUOTE_LIMIT - 1].rstrip() + "…"
    return html.escape(text, quote=False)


def _side(part: dict[str, Any], lang: str, tz: str) -> str:
    channel = str(part["channel"])
    who = (channel_speaker(channel) or (f"@{channel}", f"@{channel}"))[0 if lang == "en" else 1]
    when = datetime.fromisoformat(str(part["date"])).astimezone(ZoneInfo(tz))
    link = f"https://t.me/{channel}/{int(part['id'])}"
    word = t(lang, "contradiction.open")
    return (
        f"• <b>{html.escape(who, quote=False)}</b>, {when:%d.%m.%Y %H:%M}: "
        f"«{_quote(str(part['quote']))}» "
        f'<a href="{html.escape(link)}">{word}</a>'
    )


def headline(c: dict[str, Any], *, lang: str) -> str:
    """ "⚠️ Contradiction · Kursk Oblast" and the sentence saying why."""
    key = "uk" if lang == "uk" else "en"
    title = t(
        lang, "contradiction.figures" if c.get("kind") == "figures" else "contradiction.title"
    )
    place = html.escape(str(c["place"].get(key) or c["place"]["en"]), quote=False)
    why = html.escape(str(c["why"].get(key) or c["why"]["en"]), quote=False)
    return f"⚠️ <b>{title}</b> · {place}\n{why}"


def sides(c: dict[str, Any], *, lang: str, tz: str) -> str:
    """Both sides, quoted and linked, the earlier first."""
    return _side(c["earlier"], lang, tz) + "\n" + _side(c["new"], lang, tz)


def render_contradiction(c: dict[str, Any], *, lang: str, tz: str) -> str:
    """``c`` is ``payload["contradiction"]``; ``lang`` "uk" or "en"."""
    return headline(c, lang=lang) + "\n\n" + sides(c, lang=lang, tz=tz)
