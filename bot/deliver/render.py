"""Alert payload + reasons → the HTML message a chat receives. Pure."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.excerpt import CAPTION_LIMIT, TEXT_LIMIT, excerpt, fit_html, tg_len
from bot.core.i18n import t
from bot.core.post import post_link
from bot.core.reasons import why_lines


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str  # HTML; fits a caption when ``photos`` is non-empty
    photos: tuple[str, ...] = ()  # media paths relative to MEDIA_DIR
    link: str | None = None


def _when(iso: str, tz: str) -> str:
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(tz)).strftime("%d.%m.%Y %H:%M")


def _header(payload: dict[str, Any], tz: str, lang: str) -> str:
    channel = html.escape(payload.get("title") or f"@{payload['channel']}")
    head = f"🔔 <b>{channel}</b> · {_when(payload['date'], tz)}"
    if payload.get("forward"):
        head += f"\n↪️ {t(lang, 'alert_forwarded')} {html.escape(str(payload['forward']))}"
    return head


def why_text(reasons: dict[str, Any], lang: str) -> str:
    """The "📍 Sudzha (Kursk Oblast) — tracked" lines, in the chat's language."""
    labels = [str(label) for label in reasons.get("labels") or []]
    return why_lines(labels, lang, t(lang, "alert_tracked"), t(lang, "alert_keyword"))


def _spans(reasons: dict[str, Any]) -> list[tuple[int, int]]:
    return [(int(s), int(e)) for s, e in reasons.get("spans", [])]


def render_alert(
    kind: str, payload: dict[str, Any], reasons: dict[str, Any], *, lang: str, tz: str
) -> Rendered:
    """A place/keyword match or an edit, for one chat's language and time zone."""
    link = post_link(payload["channel"], int(payload["id"]))
    photos: tuple[str, ...] = tuple(payload.get("media") or ())[:10]
    limit = CAPTION_LIMIT if photos else TEXT_LIMIT
    head = _header(payload, tz, lang)
    why = why_text(reasons, lang)
    footer = f'<a href="{html.escape(link)}">{t(lang, "alert_open")}</a>'
    fixed = sum(tg_len(p) + 2 for p in (head, why, footer) if p)
    budget = max(80, limit - fixed - 40)
    if kind == "edit":
        old = excerpt(payload.get("old_text", ""), [], budget // 2)
        new = excerpt(payload["text"], _spans(reasons), budget // 2)
        body = (
            f"{t(lang, 'alert_edited')}\n<i>{t(lang, 'alert_was')}:</i> {old}\n"
            f"<i>{t(lang, 'alert_now')}:</i> {new}"
        )
    else:
        body = excerpt(payload["text"], _spans(reasons), budget)
    text = "\n\n".join(p for p in (head, body, why, footer) if p)
    # The parts were sized to fit; this only guards the limit should a label be huge.
    return Rendered(
        text=fit_html(text, limit, link, t(lang, "alert_more")), photos=photos, link=link
    )
