"""The archive commands: /search (with ◀ ▶ pages), /latest, /sources (+ admin-only
/sources_add and /sources_remove) and /claims. Thin: read the update, call
``ArchiveService``, render in the chat's language, reply.

The page buttons carry only the page number (``s:<n>``). The query is the first line of the
message being paged ("🔎 <query>"), so paging needs no server-side state and keeps working
across restarts and processes.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.analysis.claims.contradict import speaker_of
from bot.analysis.claims.model import Kind, StoredClaimRef
from bot.core.excerpt import TEXT_LIMIT, excerpt, fit_html, utf16_len
from bot.core.i18n import has, t
from bot.errors import ArchiveQueryError
from bot.services.archive import ArchiveService, ClaimBoard, Hit, Latest, SearchPage
from bot.services.chats import ChatView
from bot.services.sources import Source
from handlers.context import Context, chat_ref, command_args, reply, services
from handlers.track import CLAIMS_PLACE, LATEST_PLACE, SEARCH_WORDS, homonym_prompt

PAGE_PREFIX = "s:"
PAGE_PATTERN = r"^s:\d{1,5}$"
SEARCH_MARK = "🔎 "
EXCERPT_LIMIT = 300
QUOTE_LIMIT = 280
TITLE_LIMIT = 40

_FLAGS = {"UA": "🇺🇦", "RU": "🇷🇺"}


def _e(value: str) -> str:
    return html.escape(value, quote=False)


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def say(lang: str, key: str, **params: object) -> str:
    """An archive command's words (``archive.<key>`` in the catalogue)."""
    return t(lang, "archive." + key, **params)


def archive(context: Context) -> ArchiveService:
    return context.bot_data.archive


async def _view(update: Update, context: Context) -> ChatView:
    return await services(context).chats.view(chat_ref(update))


# --- rendering ------------------------------------------------------------------------------


def _hit_html(n: int, hit: Hit, view: ChatView) -> str:
    lang = view.language
    # Long titles ("Air Force of the Armed Forces of Ukraine / …") crowd the page out.
    title = hit.title if hit.title and len(hit.title) <= TITLE_LIMIT else None
    source = _e(title or f"@{hit.channel}")
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
        return say(lang, "not_found", query=_e(page.query)), None
    head = (
        SEARCH_MARK
        + _e(page.query)
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
    place = _e(place_label or "")
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
        side = f" — {flag + ' ' if flag else ''}{_e(s.side)}" if s.side else ""
        stopped = "" if s.active else f" ({say(lang, 'stopped')})"
        health = _health(s, lang, admin) if s.active else ""
        entries.append(fit_html(f"• @{_e(s.channel)}{side}{stopped}{health}", TEXT_LIMIT // 4))
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
        text += "\n   " + _e(t(lang, "source_last_error", error=s.last_error[:120]))
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
    return _e(text)


def render_claims(board: ClaimBoard, view: ChatView, service: ArchiveService) -> str:
    lang = view.language
    gaz = service.gaz
    name = _e(gaz.label(board.place.id, lang))
    areas = ", ".join(_e(gaz.name(p, lang)) for p in board.places[1:])
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
            about = " · " + say(lang, "about", place=_e(place))
        lines.append(
            f"{flag} <b>{_e(who)}</b> · {view.local(c.asserted_at)} · "
            f"{_e(_kind_text(ref, lang))}{about}\n"
            f"«{_quote(c.quote)}» "
            f'<a href="{_attr(ref.link)}">{say(lang, "post")}</a>'
        )
    return fit_html("\n".join(lines), TEXT_LIMIT)


def render_error(err: ArchiveQueryError, lang: str, service: ArchiveService, command: str) -> str:
    params: dict[str, Any] = {
        k: _e(str(v)) for k, v in err.params.items() if not isinstance(v, list)
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
            names = "\n".join(f"• {_e(service.gaz.label(str(i), lang))}" for i in ids)
            text += f"\n{say(lang, 'did_you_mean')}\n{names}"
        return text
    return say(lang, err.code, **params)


# --- handlers -------------------------------------------------------------------------------


async def search(update: Update, context: Context) -> None:
    view = await _view(update, context)
    service = archive(context)
    try:
        page = await service.search(command_args(update))
    except ArchiveQueryError as err:
        await reply(update, render_error(err, view.language, service, "search"))
        return
    text, markup = render_search(page, view)
    await reply(update, text, markup)


async def search_page(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    view = await _view(update, context)
    message = query.message
    first = message.text.split("\n", 1)[0] if isinstance(message, Message) and message.text else ""
    if not first.startswith(SEARCH_MARK):
        await query.answer(say(view.language, "expired"), show_alert=True)
        return
    service = archive(context)
    try:
        page = await service.search(
            first.removeprefix(SEARCH_MARK), int(query.data.removeprefix(PAGE_PREFIX))
        )
    except ArchiveQueryError:
        await query.answer(say(view.language, "expired"), show_alert=True)
        return
    await query.answer()
    text, markup = render_search(page, view)
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():  # a double press: already showing it
            raise


async def _asked(
    update: Update, context: Context, view: ChatView, arg: str, action: str
) -> str | None:
    """The place id ``arg`` names; or None after asking which one (homonyms, as buttons
    doing ``action``) or saying what is wrong. Never a guess."""
    service = archive(context)
    command = "latest" if action == LATEST_PLACE else "claims"
    try:
        places = service.places_for(arg)
    except ArchiveQueryError as err:
        await reply(update, render_error(err, view.language, service, command))
        return None
    # "Житомир": the city, not a homonym of its oblast (whose claims its board shows too).
    named = [
        p
        for p in places
        if not (p.kind == "region" and any(q.kind == "city" and q.region == p.id for q in places))
    ]
    if len(named) == 1:
        return named[0].id
    res = services(context).subscriptions.resolve(arg, view.language)
    await reply(update, *homonym_prompt(res, view.language, action))
    return None


async def _latest_of(update: Update, context: Context, view: ChatView, place_id: str | None) -> str:
    service = archive(context)
    try:
        if place_id is not None:
            found = await service.latest(place_id=place_id)
        else:
            found = await service.latest(chat_id=chat_ref(update).id)
    except ArchiveQueryError as err:
        return render_error(err, view.language, service, "latest")
    label = service.gaz.label(found.place.id, view.language) if found.place else None
    return render_latest(found, view, label)


async def latest(update: Update, context: Context) -> None:
    view = await _view(update, context)
    arg = command_args(update)
    place_id = None
    if arg.strip():
        place_id = await _asked(update, context, view, arg, LATEST_PLACE)
        if place_id is None:
            return
    await reply(update, await _latest_of(update, context, view, place_id))


async def sources(update: Update, context: Context) -> None:
    view = await _view(update, context)
    service = archive(context)
    user, chat = update.effective_user, update.effective_chat
    # Errors name internal URLs: only an ADMIN_IDS user, and only in a private chat, sees them.
    admin = service.is_admin(user.id if user else None) and (
        chat is not None and chat.type == ChatType.PRIVATE
    )
    for text in render_sources(await service.list_sources(), view.language, admin=admin):
        await reply(update, text)


async def _admin(update: Update, context: Context, view: ChatView) -> ArchiveService | None:
    service = archive(context)
    user = update.effective_user
    if service.is_admin(user.id if user else None):
        return service
    await reply(update, say(view.language, "admins_only"))
    return None


async def sources_add(update: Update, context: Context) -> None:
    view = await _view(update, context)
    service = await _admin(update, context, view)
    if service is None:
        return
    try:
        added = await service.add_source(command_args(update))
    except ArchiveQueryError as err:
        await reply(update, render_error(err, view.language, service, "sources_add"))
        return
    side = f" ({_e(added.side)})" if added.side else ""
    await reply(update, say(view.language, "source_added", channel=_e(added.channel), side=side))


async def sources_remove(update: Update, context: Context) -> None:
    view = await _view(update, context)
    service = await _admin(update, context, view)
    if service is None:
        return
    try:
        channel, removed = await service.remove_source(command_args(update))
    except ArchiveQueryError as err:
        await reply(update, render_error(err, view.language, service, "sources_remove"))
        return
    key = "source_removed" if removed else "source_unknown"
    await reply(update, say(view.language, key, channel=_e(channel)))


async def _claims_of(context: Context, view: ChatView, place_id: str) -> str:
    service = archive(context)
    try:
        board = await service.claim_board(place_id=place_id)
    except ArchiveQueryError as err:
        return render_error(err, view.language, service, "claims")
    return render_claims(board, view, service)


async def claims(update: Update, context: Context) -> None:
    view = await _view(update, context)
    arg = command_args(update)
    if not arg.strip():
        await reply(update, say(view.language, "place_usage", command="claims"))
        return
    place_id = await _asked(update, context, view, arg, CLAIMS_PLACE)
    if place_id is not None:
        await reply(update, await _claims_of(context, view, place_id))


async def place_button(update: Update, context: Context) -> None:
    """``ls:<place id>`` (latest posts) and ``cb:<place id>`` (claim board): from a homonym
    choice, an alert or a plain-text offer. Answered as a new message, so an alert's buttons
    stay usable."""
    query = update.callback_query
    assert query is not None and query.data is not None
    view = await _view(update, context)
    await query.answer()
    if query.data.startswith(LATEST_PLACE):
        text = await _latest_of(update, context, view, query.data.removeprefix(LATEST_PLACE))
    else:
        text = await _claims_of(context, view, query.data.removeprefix(CLAIMS_PLACE))
    await reply(update, text)


async def search_button(update: Update, context: Context) -> None:
    """``sq:<words>``: search the archive for words a user typed as plain text."""
    query = update.callback_query
    assert query is not None and query.data is not None
    view = await _view(update, context)
    service = archive(context)
    await query.answer()
    try:
        page = await service.search(query.data.removeprefix(SEARCH_WORDS))
    except ArchiveQueryError as err:
        await reply(update, render_error(err, view.language, service, "search"))
        return
    await reply(update, *render_search(page, view))


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("search", search))
    app.add_handler(CallbackQueryHandler(search_page, pattern=PAGE_PATTERN))
    app.add_handler(CommandHandler("latest", latest))
    app.add_handler(CommandHandler("sources", sources))
    app.add_handler(CommandHandler("sources_add", sources_add))
    app.add_handler(CommandHandler("sources_remove", sources_remove))
    app.add_handler(CommandHandler("claims", claims))
    app.add_handler(CallbackQueryHandler(place_button, pattern=f"^({LATEST_PLACE}|{CLAIMS_PLACE})"))
    app.add_handler(CallbackQueryHandler(search_button, pattern=f"^{SEARCH_WORDS}"))
