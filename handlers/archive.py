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
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.analysis.claims.contradict import speaker_of
from bot.analysis.claims.model import Kind, StoredClaimRef
from bot.core.excerpt import TEXT_LIMIT, excerpt, fit_html
from bot.errors import ArchiveQueryError
from bot.services.archive import ArchiveService, ClaimBoard, Hit, Latest, SearchPage
from bot.services.chats import ChatView
from bot.services.sources import Source
from handlers.context import NO_PREVIEW, chat_ref, command_args, reply, services

ARCHIVE_KEY = "dozor.archive"
PAGE_PREFIX = "s:"
PAGE_PATTERN = r"^s:\d{1,5}$"
SEARCH_MARK = "🔎 "
EXCERPT_LIMIT = 300
QUOTE_LIMIT = 280
TITLE_LIMIT = 40

_TEXTS: dict[str, dict[str, str]] = {
    "search_usage": {
        "uk": "Що шукати? Наприклад: <code>/search Харків обстріл</code>\n"
        "Лише в одному каналі: <code>/search @kpszsu Харків</code>",
        "en": "What should I look for? For example: <code>/search Kharkiv "
        "shelling</code>\nIn one channel only: <code>/search @kpszsu "
        "Kharkiv</code>",
    },
    "too_long": {"uk": "Задовго: до {max} символів.", "en": "Too long: {max} characters at most."},
    "too_many_words": {"uk": "Забагато слів: до {max}.", "en": "Too many words: {max} at most."},
    "no_words": {
        "uk": "У запиті немає слів, які можна шукати.",
        "en": "The query has no words to look for.",
    },
    "found": {
        "uk": "Знайдено: {total} · сторінка {page} з {pages}",
        "en": "{total} found · page {page} of {pages}",
    },
    "not_found": {
        "uk": "Нічого не знайдено за запитом «{query}».",
        "en": "Nothing found for “{query}”.",
    },
    "expired": {
        "uk": "Цей пошук застарів, повторіть /search.",
        "en": "This search has expired; run /search again.",
    },
    "post": {"uk": "допис", "en": "post"},
    "edited": {"uk": "змінено", "en": "edited"},
    "latest_place": {"uk": "🕑 Останні дописи: {place}", "en": "🕑 Latest posts about {place}"},
    "latest_subs": {
        "uk": "🕑 Останні дописи про те, що відстежує цей чат",
        "en": "🕑 Latest posts about what this chat tracks",
    },
    "latest_none_place": {
        "uk": "{place}: нічого серед останніх {scanned} дописів.",
        "en": "Nothing about {place} among the latest {scanned} posts.",
    },
    "latest_none_subs": {
        "uk": "Відколи чат це відстежує, про це ще нічого не було.",
        "en": "Nothing this chat tracks has been posted since it started tracking it.",
    },
    "tracks_nothing": {
        "uk": "Цей чат ще нічого не відстежує. Спробуйте <code>/latest Суджа</code> або /track.",
        "en": "This chat tracks nothing yet. Try <code>/latest Sudzha</code> or /track.",
    },
    "place_usage": {
        "uk": "Яке місце? Наприклад: <code>/{command} Курська область</code>",
        "en": "Which place? For example: <code>/{command} Kursk Oblast</code>",
    },
    "unknown_place": {
        "uk": "Не знаю місця «{query}».",
        "en": "I don't know a place called “{query}”.",
    },
    "did_you_mean": {"uk": "Можливо, ви мали на увазі:", "en": "Did you mean:"},
    "sources": {"uk": "📡 Канали, за якими я стежу:", "en": "📡 The channels I watch:"},
    "sources_none": {
        "uk": "Я ще не стежу за жодним каналом.",
        "en": "I am not watching any channel yet.",
    },
    "stopped": {"uk": "припинено; архів зберігається", "en": "stopped; archive kept"},
    "admins_only": {
        "uk": "Це можуть лише адміністратори бота.",
        "en": "Only the bot's administrators can do this.",
    },
    "sources_add_usage": {
        "uk": "Як: <code>/sources_add &lt;канал&gt; [UA|RU]</code>",
        "en": "Usage: <code>/sources_add &lt;channel&gt; [UA|RU]</code>",
    },
    "sources_remove_usage": {
        "uk": "Як: <code>/sources_remove &lt;канал&gt;</code>",
        "en": "Usage: <code>/sources_remove &lt;channel&gt;</code>",
    },
    "bad_channel": {
        "uk": "«{channel}» — не ім'я каналу.",
        "en": "“{channel}” is not a channel username.",
    },
    "bad_side": {
        "uk": "Сторона — це 2–8 латинських літер, напр. UA або RU, а не «{side}».",
        "en": "A side is 2–8 Latin letters such as UA or RU, not “{side}”.",
    },
    "source_added": {"uk": "✅ Стежу за @{channel}{side}.", "en": "✅ Watching @{channel}{side}."},
    "source_removed": {
        "uk": "Більше не стежу за @{channel}; його архів зберігається.",
        "en": "Stopped watching @{channel}; its archive stays.",
    },
    "source_unknown": {
        "uk": "Я й не стежив за @{channel}.",
        "en": "I was not watching @{channel}.",
    },
    "claims_title": {"uk": "⚖️ Заяви: {place}", "en": "⚖️ Claims about {place}"},
    "claims_scope": {
        "uk": "Остання заява кожної сторони про це місце і про {areas}.",
        "en": "The latest claim of each side about it and about {areas}.",
    },
    "claims_scope_self": {
        "uk": "Остання заява кожної сторони.",
        "en": "The latest claim of each side.",
    },
    "claims_none": {
        "uk": "{place}: заяв ще немає, як і про {areas}.",
        "en": "No claims about {place} or {areas} yet.",
    },
    "claims_none_self": {"uk": "{place}: заяв ще немає.", "en": "No claims about {place} yet."},
    "about": {"uk": "📍 {place}", "en": "📍 {place}"},
}

_KINDS: dict[str, tuple[str, str]] = {
    Kind.CONTROL: ("control: {controller}", "контроль: {controller}"),
    Kind.OPERATION_COMPLETED: (
        "operation completed, control: {controller}",
        "операцію завершено, контроль: {controller}",
    ),
    Kind.WITHDRAWAL: ("withdrawal", "відхід"),
    Kind.ATTEMPT: ("attempt to advance", "спроба наступу"),
    Kind.DENIAL: ("denies the claim", "заперечує заяву"),
    Kind.FIGHTING: ("fighting goes on", "бої тривають"),
}
_FIGHTING: dict[str, tuple[str, str]] = {
    "holding": ("holding positions", "утримують позиції"),
    "repelled": ("attacks repelled", "атаки відбито"),
    "remnants": ("enemy remnants remain", "залишки противника"),
}
_FLAGS = {"UA": "🇺🇦", "RU": "🇷🇺"}


def _e(value: str) -> str:
    return html.escape(value, quote=False)


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def say(lang: str, key: str, **params: object) -> str:
    entry = _TEXTS[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**params) if params else text


def archive(context: ContextTypes.DEFAULT_TYPE) -> ArchiveService:
    """The service the app put in ``bot_data[ARCHIVE_KEY]``. Without it (an app built before
    the archive was wired) one is made on the same sessions, with no admins: reading works,
    changing sources is refused to everyone."""
    data = context.application.bot_data
    value = data.get(ARCHIVE_KEY)
    if value is None:
        value = data[ARCHIVE_KEY] = ArchiveService(services(context).subscriptions.sessions)
    assert isinstance(value, ArchiveService)
    return value


async def _view(update: Update, context: ContextTypes.DEFAULT_TYPE) -> ChatView:
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
        + say(lang, "found", total=page.total, page=page.page + 1, pages=page.pages)
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


def render_sources(sources: Sequence[Source], lang: str) -> str:
    if not sources:
        return say(lang, "sources_none")
    ordered = sorted(sources, key=lambda s: (not s.active, s.channel))
    lines = [say(lang, "sources")]
    for s in ordered:
        flag = _FLAGS.get(s.side or "")
        side = f" — {flag + ' ' if flag else ''}{_e(s.side)}" if s.side else ""
        stopped = "" if s.active else f" ({say(lang, 'stopped')})"
        lines.append(f"• @{_e(s.channel)}{side}{stopped}")
    return "\n".join(lines)


def _kind_text(ref: StoredClaimRef, lang: str) -> str:
    c = ref.claim
    i = 0 if lang == "en" else 1
    if c.kind == Kind.FIGHTING and c.polarity in _FIGHTING:
        return _FIGHTING[c.polarity][i]
    template = _KINDS.get(c.kind, (c.kind, c.kind))[i]
    return template.format(controller=c.controller or c.polarity or "?")


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


async def search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    view = await _view(update, context)
    service = archive(context)
    try:
        page = await service.search(command_args(update))
    except ArchiveQueryError as err:
        await reply(update, render_error(err, view.language, service, "search"))
        return
    text, markup = render_search(page, view)
    await reply(update, text, markup)


async def search_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
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
        await query.edit_message_text(
            text, parse_mode=ParseMode.HTML, reply_markup=markup, link_preview_options=NO_PREVIEW
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():  # a double press: already showing it
            raise


async def latest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    view = await _view(update, context)
    service = archive(context)
    arg = command_args(update)
    try:
        if arg.strip():
            found = await service.latest(place=arg)
        else:
            found = await service.latest(chat_id=chat_ref(update).id)
    except ArchiveQueryError as err:
        await reply(update, render_error(err, view.language, service, "latest"))
        return
    label = service.gaz.label(found.place.id, view.language) if found.place else None
    await reply(update, render_latest(found, view, label))


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    view = await _view(update, context)
    await reply(update, render_sources(await archive(context).list_sources(), view.language))


async def _admin(
    update: Update, context: ContextTypes.DEFAULT_TYPE, view: ChatView
) -> ArchiveService | None:
    service = archive(context)
    user = update.effective_user
    if service.is_admin(user.id if user else None):
        return service
    await reply(update, say(view.language, "admins_only"))
    return None


async def sources_add(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
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


async def sources_remove(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
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


async def claims(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    view = await _view(update, context)
    service = archive(context)
    try:
        board = await service.claim_board(command_args(update))
    except ArchiveQueryError as err:
        await reply(update, render_error(err, view.language, service, "claims"))
        return
    await reply(update, render_claims(board, view, service))


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("search", search))
    app.add_handler(CallbackQueryHandler(search_page, pattern=PAGE_PATTERN))
    app.add_handler(CommandHandler("latest", latest))
    app.add_handler(CommandHandler("sources", sources))
    app.add_handler(CommandHandler("sources_add", sources_add))
    app.add_handler(CommandHandler("sources_remove", sources_remove))
    app.add_handler(CommandHandler("claims", claims))
