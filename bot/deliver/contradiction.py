"""Contradiction alerts for one chat: both sides quoted and linked, the new post's map."""

from __future__ import annotations

from typing import Any

from bot.analysis.claims.render import render_contradiction
from bot.core.excerpt import CAPTION_LIMIT, TEXT_LIMIT, fit_html
from bot.core.i18n import t
from bot.core.post import post_link
from bot.deliver.render import Rendered, alert_buttons, why_text


def render_contradiction_alert(
    kind: str, payload: dict[str, Any], reasons: dict[str, Any], *, lang: str, tz: str
) -> Rendered:
    link = post_link(payload["channel"], int(payload["id"]))
    photos: tuple[str, ...] = tuple(payload.get("media") or ())[:10]
    text = render_contradiction(payload["contradiction"], lang=lang, tz=tz)
    why = why_text(reasons, lang)
    if why:
        text += "\n\n" + why
    limit = CAPTION_LIMIT if photos else TEXT_LIMIT
    return Rendered(
        text=fit_html(text, limit, link, t(lang, "alert_more")),
        photos=photos,
        link=link,
        buttons=alert_buttons(reasons, lang),
    )
