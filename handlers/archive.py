"""The archive commands: /search (with ◀ ▶ pages), /latest, /sources (+ admin-only
/sources_add and /sources_remove) and /claims. Thin: read the update, call
``ArchiveService``, render in the chat's language, reply.

The page buttons carry only the page number (``s:<n>``). The query is the first line of the
message being paged ("🔎 <query>"), so paging needs no server-side state and keeps working
across restarts and processes.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.errors import ArchiveQueryError
from bot.services.archive import ArchiveService
from bot.services.chats import ChatView
from handlers.archive_render import (
    PAGE_PATTERN,
    PAGE_PREFIX,
    SEARCH_MARK,
    esc,
    render_claims,
    render_error,
    render_latest,
    render_search,
    render_sources,
    say,
)
from handlers.context import Context, chat_ref, command_args, reply, services
from handlers.track import CLAIMS_PLACE, LATEST_PLACE, SEARCH_WORDS, homonym_prompt


def archive(context: Context) -> ArchiveService:
    return context.bot_data.archive


async def _view(update: Update, context: Context) -> ChatView:
    return await services(context).chats.view(chat_ref(update))


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
    side = f" ({esc(added.side)})" if added.side else ""
    await reply(update, say(view.language, "source_added", channel=esc(added.channel), side=side))


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
    await reply(update, say(view.language, key, channel=esc(channel)))


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
