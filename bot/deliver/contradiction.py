"""Contradiction alerts for one chat: both sides quoted and linked, the new post's map."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.analysis.claims.render import render_contradiction
from bot.core.alert import ContradictionAlert, Reasons
from bot.core.excerpt import CAPTION_LIMIT, TEXT_LIMIT, fit_html
from bot.core.i18n import t
from bot.core.post import post_link
from bot.deliver.render import Rendered, alert_buttons, why_text

if TYPE_CHECKING:
    from bot.analysis.places import Gazetteer


def render_contradiction_alert(
    alert: ContradictionAlert, reasons: Reasons, *, lang: str, tz: str, gaz: Gazetteer
) -> Rendered:
    post = alert.post
    link = post_link(post.channel, post.id)
    photos = post.media[:10]
    text = render_contradiction(alert.contradiction, lang=lang, tz=tz)
    why = why_text(reasons, lang, gaz)
    if why:
        text += "\n\n" + why
    limit = CAPTION_LIMIT if photos else TEXT_LIMIT
    return Rendered(
        text=fit_html(text, limit, link, t(lang, "alert_more")),
        photos=photos,
        link=link,
        buttons=alert_buttons(reasons, lang, gaz),
    )
