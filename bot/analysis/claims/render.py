"""A contradiction alert as chat HTML: the reason, then both sides quoted and linked. Pure.

Takes the ``ContradictionNote`` of the alert ``bot.services.claims`` queues.
"""

from __future__ import annotations

import html
from zoneinfo import ZoneInfo

from bot.analysis.claims.contradict import channel_speaker
from bot.analysis.claims.model import FIGURES
from bot.core.alert import ClaimSide, ContradictionNote
from bot.core.i18n import t

QUOTE_LIMIT = 300


def _quote(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > QUOTE_LIMIT:
        text = text[: QUOTE_LIMIT - 1].rstrip() + "…"
    return html.escape(text, quote=False)


def _side(part: ClaimSide, lang: str, tz: str) -> str:
    channel = part.channel
    who = (channel_speaker(channel) or (f"@{channel}", f"@{channel}"))[0 if lang == "en" else 1]
    when = part.date.astimezone(ZoneInfo(tz))
    link = f"https://t.me/{channel}/{part.id}"
    word = t(lang, "contradiction.open")
    return (
        f"• <b>{html.escape(who, quote=False)}</b>, {when:%d.%m.%Y %H:%M}: "
        f"«{_quote(part.quote)}» "
        f'<a href="{html.escape(link)}">{word}</a>'
    )


def headline(c: ContradictionNote, *, lang: str) -> str:
    """ "⚠️ Contradiction · Kursk Oblast" and the sentence saying why."""
    title = t(lang, "contradiction.figures" if c.kind == FIGURES else "contradiction.title")
    place = html.escape(c.place.say(lang), quote=False)
    why = html.escape(c.why.say(lang), quote=False)
    return f"⚠️ <b>{title}</b> · {place}\n{why}"


def sides(c: ContradictionNote, *, lang: str, tz: str) -> str:
    """Both sides, quoted and linked, the earlier first."""
    return _side(c.earlier, lang, tz) + "\n" + _side(c.new, lang, tz)


def render_contradiction(c: ContradictionNote, *, lang: str, tz: str) -> str:
    """``lang`` "uk" or "en"."""
    return headline(c, lang=lang) + "\n\n" + sides(c, lang=lang, tz=tz)
