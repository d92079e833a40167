"""Alert payload + reasons → the message(s) a chat receives. Pure.

- A contradiction found in the post leads its alert: the headline, then the post, then both
  sides linked (``Reasons.contradictions``, put there by the claims hook).
- A photo's caption keeps the START of the post (the headline); when the post does not fit
  a caption, the whole text follows as a second message.
- An edit shows what changed, word by word.
- Buttons: stop tracking this place, mute the chat, the place's claim board, share a link
  that tracks it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import quote
from zoneinfo import ZoneInfo

from bot.core.alert import (
    ContradictionNote,
    EditAlert,
    PlaceReason,
    PostAlert,
    PostSnapshot,
    Reasons,
)
from bot.core.excerpt import CAPTION_LIMIT, TEXT_LIMIT, excerpt, fit_html, tg_len
from bot.core.i18n import t
from bot.core.post import post_link
from bot.core.reasons import why_lines
from bot.deliver.diff import word_diff

if TYPE_CHECKING:
    from bot.analysis.places import Gazetteer

# Callback data of alert buttons (handled in handlers/): untrack a place, mute the chat,
# the claim board of a place.
UNTRACK_PLACE = "up:"
MUTE = "mu:"
CLAIMS = "cb:"
MUTE_FOR = "1h"
# A URL template the sender completes with the bot's username.
BOT = "{bot}"
SHARE = "https://t.me/share/url?url="
DEEP_LINK = "https://t.me/" + BOT + "?start=track_"
CALLBACK_LIMIT = 64


@dataclass(frozen=True, slots=True)
class AlertButton:
    text: str
    data: str | None = None  # callback data
    url: str | None = None  # may hold ``BOT``


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str  # HTML; fits a caption when ``photos`` is non-empty
    photos: tuple[str, ...] = ()  # media paths relative to MEDIA_DIR
    link: str | None = None
    buttons: tuple[tuple[AlertButton, ...], ...] = ()  # on the last message sent
    follow: str | None = None  # HTML sent right after (the whole post a caption cut short)

    @property
    def messages(self) -> int:
        """How many messages sending this takes (an album counts each photo)."""
        return max(1, len(self.photos)) + (1 if self.follow else 0)


def _when(when: datetime, tz: str) -> str:
    return when.astimezone(ZoneInfo(tz)).strftime("%d.%m.%Y %H:%M")


def _header(post: PostSnapshot, tz: str, lang: str) -> str:
    channel = html.escape(post.title or f"@{post.channel}")
    head = f"🔔 <b>{channel}</b> · {_when(post.date, tz)}"
    if post.forward:
        head += f"\n↪️ {t(lang, 'alert_forwarded')} {html.escape(post.forward)}"
    return head


def why_text(reasons: Reasons, lang: str, gaz: Gazetteer) -> str:
    """The "📍 Sudzha (Kursk Oblast) — tracked" lines, in the chat's language."""
    return why_lines(reasons.labels, gaz, lang, t(lang, "alert_tracked"), t(lang, "alert_keyword"))


def _spans(reasons: Reasons) -> list[tuple[int, int]]:
    return list(reasons.spans)


def _fits(data: str) -> bool:
    return len(data.encode("utf-8")) <= CALLBACK_LIMIT


def alert_buttons(
    reasons: Reasons, lang: str, gaz: Gazetteer
) -> tuple[tuple[AlertButton, ...], ...]:
    """For the first tracked place the alert is about: untrack it, its claim board, mute the
    chat for an hour, share a link that tracks it. None for keyword-only alerts."""
    for reason in reasons.labels:
        if not isinstance(reason, PlaceReason):
            continue
        tracked = reason.tracked
        if tracked not in gaz.index:
            continue
        mentioned = reason.mentioned
        if mentioned is None or mentioned not in gaz.index:
            mentioned = tracked
        name = gaz.name(gaz.get(tracked), lang)
        first = [
            AlertButton(t(lang, "btn_untrack", name=name[:28]), data=UNTRACK_PLACE + tracked),
            AlertButton(t(lang, "btn_claims"), data=CLAIMS + mentioned),
        ]
        link = DEEP_LINK + mentioned
        second = [
            AlertButton(t(lang, "btn_mute"), data=MUTE + MUTE_FOR),
            AlertButton(t(lang, "btn_share"), url=SHARE + quote(link, safe=":/{}")),
        ]
        return (
            tuple(b for b in first if b.data is None or _fits(b.data)),
            tuple(second),
        )
    return ()


def contradiction_lead(c: ContradictionNote, lang: str) -> str:
    """The headline a contradiction puts at the top of its post's alert."""
    from bot.analysis.claims.render import headline

    return headline(c, lang=lang)


def _body(alert: PostAlert | EditAlert, reasons: Reasons, budget: int, lang: str) -> str:
    if not isinstance(alert, EditAlert):
        return excerpt(alert.post.text, _spans(reasons), budget)
    old, new = alert.old_text, alert.post.text
    diff = word_diff(old, new, budget - 60)
    if diff is None:  # rewritten: both, whole as far as they fit
        return (
            f"{t(lang, 'alert_edited')}\n<i>{t(lang, 'alert_was')}:</i> "
            f"{excerpt(old, [], budget // 2)}\n"
            f"<i>{t(lang, 'alert_now')}:</i> {excerpt(new, _spans(reasons), budget // 2)}"
        )
    text, omitted = diff
    more = f"\n<i>{t(lang, 'alert_more_changes', n=omitted)}</i>" if omitted else ""
    return f"{t(lang, 'alert_edited')} ({t(lang, 'alert_diff_legend')})\n{text}{more}"


def render_alert(
    alert: PostAlert | EditAlert, reasons: Reasons, *, lang: str, tz: str, gaz: Gazetteer
) -> Rendered:
    """A place/keyword match or an edit, for one chat's language and time zone."""
    from bot.analysis.claims.render import sides

    post = alert.post
    edit = isinstance(alert, EditAlert)
    link = post_link(post.channel, post.id)
    photos = post.media[:10]
    contradictions = reasons.contradictions
    lead = "\n\n".join(contradiction_lead(c, lang) for c in contradictions)
    tail = "\n".join(sides(c, lang=lang, tz=tz) for c in contradictions)
    head = _header(post, tz, lang)
    why = why_text(reasons, lang, gaz)
    footer = f'<a href="{html.escape(link)}">{t(lang, "alert_open")}</a>'
    buttons = alert_buttons(reasons, lang, gaz)

    def message(limit: int, body_budget: int | None = None) -> tuple[str, bool]:
        """The alert under ``limit``; whether the post's text had to be shortened."""
        fixed = sum(tg_len(p) + 2 for p in (lead, head, why, tail, footer) if p)
        budget = body_budget or max(80, limit - fixed - 40)
        body = _body(alert, reasons, budget, lang)
        shortened = not edit and tg_len(body) < tg_len(html.escape(post.text))
        parts = (lead, head, body, tail, why, footer)
        return fit_html("\n\n".join(p for p in parts if p), limit, link, t(lang, "alert_more")), (
            shortened
        )

    if not photos:
        text, _ = message(TEXT_LIMIT)
        return Rendered(text=text, link=link, buttons=buttons)
    caption, shortened = message(CAPTION_LIMIT)
    if not shortened:
        return Rendered(text=caption, photos=photos, link=link, buttons=buttons)
    # Too long for a caption: the photo with the post's start (its headline), then the
    # whole text as a message, which carries the buttons.
    note = f"{t(lang, 'alert_continued')} · {footer}"
    room = CAPTION_LIMIT - tg_len(head) - tg_len(note) - 8
    start = excerpt(post.text, [], max(80, room))
    short = fit_html(f"{head}\n\n{start}\n\n{note}", CAPTION_LIMIT, link, "")
    full, _ = message(TEXT_LIMIT)
    return Rendered(text=short, photos=photos, link=link, buttons=buttons, follow=full)
