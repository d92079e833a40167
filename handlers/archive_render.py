"""How the archive commands' answers read: search pages, /latest, /sources, /claims, errors.
Pure: services' results in, Telegram HTML (and buttons) out."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.analysis.claims.contradict import speaker_of
from bot.analysis.claims.model import Kind, StoredClaimRef
from bot.core.excerpt import TEXT_LIMIT, excerpt, fit_html, utf16_len
from bot.core.i18n import has, t
from bot.errors import ArchiveQueryError
from bot.services.archive import ArchiveService, ClaimBoard, Hit, Latest, SearchPage
from bot.services.chats import ChatView
from bot.services.sources import Source

PAGE_PREFIX = "s:"
PAGE_PATTERN = r"^s:\d{1,5}$"
SEARCH_MARK = "🔎 "
EXCERPT_LIMIT = 300
QUOTE_LIMIT = 280
TITLE_LIMIT = 40

_FLAGS = {"UA": "🇺🇦", "RU": "🇷🇺"}


def esc(value: str) -> str:
    return html.escape(value, quote=False)


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def say(lang: str, key: str, **params: object) -> str:
    """An archive command's words (``archive.<key>`` in the catalogue)."""
    return t(lang, "archive." + key, **params)


def _hit_html(n: int, hit: Hit, view: ChatView) -> str:
    lang = view.language
    # Long titles ("Air Force of the Armed Forces of Ukraine / …") crowd the page out.
    title = hit.title if hit.title and len(hit.title) <= TITLE_LIMIT else None
    source = esc(title or f"@{hit.channel}")
    edited = f" · {say(lang, 'edited')}" if hit.edited else ""
    head = (
        f"{n}. <b>{source}</b> · {view.local(hit.date)}{edited} · "
        f'<a href="{_attr(hit.link)}">{say(lang, "post")}</a>'
    )
    return head + "\n" + excerpt(hit.text, hit.spans, EXCERPT_LIMIT)


def _hits_html(hits: Sequence[Hit], view: ChatView, first: int = 1) -> str:
    return "\n\n".join(_hit_html(first + i, h, view) for i, h in enumerate(hits))


def render_search(page: SearchPage, view: ChatView) -> tuple[str, InlineKeyboardMarkup | None]:
    lang = view.language
    if not page.total:
        return say(lang, "not_found", query=esc(page.query)), None
    head = (
        SEARCH_MARK
        + esc(page.query)
        + "\n"
        + say(
            lang,
            "found",
            total=f"{page.total}+" if page.more else page.total,
            page=page.page + 1,
            pages=page.pages,
        )
    )
    body = _hits_html(page.hits, view, page.page * page.page_size + 1)
    row = []
    if page.page > 0:
        row.append(InlineKeyboardButton("◀", callback_data=f"{PAGE_PREFIX}{page.page - 1}"))
    if page.page + 1 < page.pages:
        row.append(InlineKeyboardButton("▶", callback_data=f"{PAGE_PREFIX}{page.page + 1}"))
    return fit_html(head + "\n\n" + body, TEXT_LIMIT), InlineKeyboardMarkup([row]) if row else None


def render_latest(latest: Latest, view: ChatView, place_label: str | None) -> str:
    lang = view.language
    if latest.tracks_nothing:
        return say(lang, "tracks_nothing")
    place = esc(place_label or "")
    if not latest.hits:
        key = "latest_none_place" if place_label else "latest_none_subs"
        return say(lang, key, place=place, scanned=latest.scanned)
    head = say(lang, "latest_place", place=place) if place_label else say(lang, "latest_subs")
    return fit_html(head + "\n\n" + _hits_html(latest.hits, view), TEXT_LIMIT)


def render_sources(sources: Sequence[Source], lang: str, *, admin: bool = False) -> list[str]:
    """The /sources reply as one or more messages, each within Telegram's 4,096 characters
    (split between channels, never inside one). ``admin``: with each failing source's last
    error, which names internal URLs and is meant for the operator only."""
    if not sources:
        return [say(lang, "sources_none")]
    ordered = sorted(sources, key=lambda s: (not s.active, s.channel))
    entries = []
    for s in ordered:
        flag = _FLAGS.get(s.side or "")
        side = f" — {flag + ' ' if flag else ''}{esc(s.side)}" if s.side else ""
        stopped = "" if s.active else f" ({say(lang, 'stopped')})"
        health = _health(s, lang, admin) if s.active else ""
        entries.append(fit_html(f"• @{esc(s.channel)}{side}{stopped}{health}", TEXT_LIMIT // 4))
    messages = [say(lang, "sources")]
    for entry in entries:
        # The raw HTML's length is at least what Telegram counts after parsing it.
        if utf16_len(messages[-1]) + 1 + utf16_len(entry) > TEXT_LIMIT:
            messages.append(entry)
        else:
            messages[-1] += "\n" + entry
    return messages


_STATE_ICONS = {"ok": "✅", "degraded": "⚠️", "dead": "🛑"}


def _health(s: Source, lang: str, admin: bool) -> str:
    """ " · ✅ ok · last post 2026-12-02 07:55 UTC", and the last error when not ok."""
    parts = [f"{_STATE_ICONS.get(s.state, '')} {t(lang, f'source_state_{s.state}')}"]
    if s.last_post_at is not None:
        when = s.last_post_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        parts.append(t(lang, "source_last_post", when=when))
    text = " · " + " · ".join(parts)
    if admin and s.state != "ok" and s.last_error:
        text += "\n   " + esc(t(lang, "source_last_error", error=s.last_error[:120]))
    return text


def _kind_text(ref: StoredClaimRef, lang: str) -> str:
    c = ref.claim
    if c.kind == Kind.FIGHTING and has("fighting." + str(c.polarity)):
        return t(lang, "fighting." + str(c.polarity))
    if not has("board." + c.kind):
        return str(c.kind)
    return t(lang, "board." + c.kind, controller=c.controller or c.polarity or "?")


def _quote(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > QUOTE_LIMIT:
        text = text[: QUOTE_LIMIT - 1].rstrip() + "…"
    return esc(text)


def render_claims(board: ClaimBoard, view: ChatView, service: ArchiveService) -> str:
    lang = view.language
    gaz = service.gaz
    name = esc(gaz.label(board.place.id, lang))
    areas = ", ".join(esc(gaz.name(p, lang)) for p in board.places[1:])
    if not board.latest:
        return (
            say(lang, "claims_none", place=name, areas=areas)
            if areas
            else say(lang, "claims_none_self", place=name)
        )
    lines = [
        say(lang, "claims_title", place=name),
        say(lang, "claims_scope", areas=areas) if areas else say(lang, "claims_scope_self"),
        "",
    ]
    i = 0 if lang == "en" else 1
    for ref in board.latest:
        c = ref.claim
        who = speaker_of(c, ref.channel)[i]  # reported speech names who said it
        flag = _FLAGS.get(c.side or "", "📰")
        about = ""
        if c.place_id != board.place.id:
            place = gaz.name(gaz.get(c.place_id), lang) if c.place_id in gaz.index else c.place_name
            about = " · " + say(lang, "about", place=esc(place))
        lines.append(
            f"{flag} <b>{esc(who)}</b> · {view.local(c.asserted_at)} · "
            f"{esc(_kind_text(ref, lang))}{about}\n"
            f"«{_quote(c.quote)}» "
            f'<a href="{_attr(ref.link)}">{say(lang, "post")}</a>'
        )
    return fit_html("\n".join(lines), TEXT_LIMIT)


def render_error(err: ArchiveQueryError, lang: str, service: ArchiveService, command: str) -> str:
    params: dict[str, Any] = {
        k: esc(str(v)) for k, v in err.params.items() if not isinstance(v, list)
    }
    if err.code == "empty":
        return (
            say(lang, "search_usage")
            if command == "search"
            else say(lang, "place_usage", command=command)
        )
    if err.code == "usage":
        return say(lang, f"{command}_usage")
    if err.code == "unknown_place":
        text = say(lang, "unknown_place", **params)
        ids = err.params.get("suggestions") or []
        assert isinstance(ids, list)
        if ids:
            names = "\n".join(f"• {esc(service.gaz.label(str(i), lang))}" for i in ids)
            text += f"\n{say(lang, 'did_you_mean')}\n{names}"
        return text
    return say(lang, err.code, **params)
