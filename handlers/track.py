"""/track, /keyword, /untrack and their buttons.

Callback data (at most 64 bytes): ``tp:<place id>`` tracks a place, ``tk:<word>`` tracks a
word as a keyword, ``ut:<subscription id>`` untracks, ``hm:<action>:<offset>:<name>`` shows
another page of a name's homonyms, each button doing ``<action>`` (``tp`` track, ``ls``
latest posts, ``cb`` claim board) with the place chosen.
"""

from __future__ import annotations

import asyncio
import html
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.core.i18n import t
from bot.deliver.render import MUTE, UNTRACK_PLACE
from bot.errors import UserInputError
from bot.services.subscriptions import (
    MAX_CHOICES,
    ChatRef,
    Choice,
    Resolution,
    SubscriptionService,
)
from handlers.context import Context, changing, command_args, current, reply, services

TRACK_PLACE = "tp:"
TRACK_KEYWORD = "tk:"
UNTRACK = "ut:"
HOMONYMS = "hm:"
LATEST_PLACE = "ls:"
CLAIMS_PLACE = "cb:"
SEARCH_WORDS = "sq:"
PLACE_ACTIONS = (TRACK_PLACE, LATEST_PLACE, CLAIMS_PLACE)
CALLBACK_LIMIT = 64
BUTTON_TEXT = 120  # Telegram shows long button text elided; the oblast must survive


Reply = tuple[str, InlineKeyboardMarkup | None]


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text[:BUTTON_TEXT], callback_data=data)


def _fits(data: str) -> bool:
    return len(data.encode("utf-8")) <= CALLBACK_LIMIT


def place_buttons(
    choices: tuple[Choice, ...] | list[Choice], action: str = TRACK_PLACE
) -> list[list[InlineKeyboardButton]]:
    return [[_button(c.label, action + c.place_id)] for c in choices if _fits(action + c.place_id)]


def homonym_prompt(res: Resolution, lang: str, action: str = TRACK_PLACE) -> Reply:
    """ "There are 108 places called …": a page of buttons leading with what differs, and
    ◀ ▶ to the other pages."""
    query = html.escape(res.query)
    text = t(lang, "homonyms", query=query, total=res.total)
    rows = place_buttons(res.choices, action)
    if res.total > len(res.choices):
        last = res.offset + len(res.choices)
        text += "\n" + t(
            lang, "homonyms_page", first=res.offset + 1, last=last, total=res.total, query=query
        )
        nav = []
        back = f"{HOMONYMS}{action}{max(0, res.offset - MAX_CHOICES)}:{res.query}"
        more = f"{HOMONYMS}{action}{last}:{res.query}"
        if res.offset > 0 and _fits(back):
            nav.append(_button(t(lang, "homonyms_prev"), back))
        if last < res.total and _fits(more):
            nav.append(_button(t(lang, "homonyms_next"), more))
        if nav:
            rows.append(nav)
    return text, InlineKeyboardMarkup(rows)


async def _tracked_place(
    context: Context, chat: ChatRef, place_id: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Tracks the place; the reply, offering the whole oblast a city gives its name to."""
    svc = services(context).subscriptions
    result = await svc.track_place(chat, place_id)
    key = "tracked" if result.created else "already_tracked"
    text = t(chat.language, key, label=html.escape(result.label))
    if svc.gaz.get(place_id).kind in ("country", "region", "raion", "hromada"):
        text += "\n" + t(chat.language, "tracked_area")
    markup = None
    region = svc.region_of(place_id)
    if region is not None:
        name = svc.gaz.name(svc.gaz.get(region.place_id), chat.language)
        markup = InlineKeyboardMarkup(
            [[_button(t(chat.language, "also_region", name=name), TRACK_PLACE + region.place_id)]]
        )
    return text, markup


def _as_keyword(svc: SubscriptionService, query: str, lang: str) -> str | None:
    """Callback data tracking ``query`` as a keyword, when it is one and fits a button."""
    data = TRACK_KEYWORD + query
    try:
        svc.parse_keyword(query, lang)
    except UserInputError:
        return None
    return data if _fits(data) else None


def _offer(
    svc: SubscriptionService, res: Resolution, lang: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    query = html.escape(res.query)
    if res.choices:
        return homonym_prompt(res, lang)
    rows = place_buttons(res.suggestions)
    keyword = _as_keyword(svc, res.query, lang)
    if keyword is not None:
        rows.append([_button(t(lang, "as_keyword", word=res.query), keyword)])
    text = t(lang, "unknown_place", query=query)
    if res.suggestions:
        text += "\n" + t(lang, "did_you_mean")
    if keyword is not None:
        text += "\n" + t(lang, "or_keyword")
    else:
        text += "\n" + t(lang, "use_keyword")
    return text, InlineKeyboardMarkup(rows) if rows else None


async def track(update: Update, context: Context) -> None:
    chat = await changing(update, context)
    if chat is None:
        return
    svc = services(context).subscriptions
    # In a thread: an unknown name runs a (bounded) fuzzy search the event loop must not wait on.
    res = await asyncio.to_thread(svc.resolve, command_args(update), chat.language)
    if res.place is not None:
        await reply(update, *await _tracked_place(context, chat, res.place.place_id))
    else:
        await reply(update, *_offer(svc, res, chat.language))


async def track_from_start(update: Update, context: Context, place_id: str) -> None:
    """The deep link t.me/<bot>?start=track_<place id>."""
    chat = await changing(update, context)
    if chat is not None:
        await reply(update, *await _tracked_place(context, chat, place_id))


async def keyword(update: Update, context: Context) -> None:
    chat = await changing(update, context)
    if chat is None:
        return
    result = await services(context).subscriptions.track_keyword(chat, command_args(update))
    key = "keyword_tracked" if result.created else "already_tracked"
    await reply(update, t(chat.language, key, label=html.escape(result.label)))


async def untrack(update: Update, context: Context) -> None:
    chat = await changing(update, context)
    if chat is None:
        return
    svc = services(context).subscriptions
    text = command_args(update)
    if text.strip():
        removed = await svc.untrack_label(chat, text)
        if removed:
            await reply(
                update,
                "\n".join(t(chat.language, "untracked", label=html.escape(r)) for r in removed),
            )
        else:
            await reply(
                update,
                t(chat.language, "not_tracked", label=html.escape(" ".join(text.split())[:200])),
            )
        return
    tracked = await svc.tracked(chat.id)
    if not tracked:
        await reply(update, t(chat.language, "list_empty"))
        return
    buttons = [
        [_button("✖ " + svc.describe(s, chat.language), f"{UNTRACK}{s.id}")] for s in tracked
    ]
    await reply(update, t(chat.language, "untrack_pick"), InlineKeyboardMarkup(buttons))


async def _edit(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(text, reply_markup=markup)


async def button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    data = query.data
    svc = services(context).subscriptions
    if data.startswith(HOMONYMS):  # paging changes nothing: anyone may
        reader = await current(update, context)
        await _homonym_page(update, svc, reader.language, data.removeprefix(HOMONYMS))
        return
    chat = await changing(update, context)
    if chat is None:
        return
    if data.startswith(TRACK_PLACE):
        await _edit(update, *await _tracked_place(context, chat, data.removeprefix(TRACK_PLACE)))
    elif data.startswith(TRACK_KEYWORD):
        result = await svc.track_keyword(chat, data.removeprefix(TRACK_KEYWORD))
        key = "keyword_tracked" if result.created else "already_tracked"
        await _edit(update, t(chat.language, key, label=html.escape(result.label)))
    elif data.startswith(UNTRACK_PLACE):
        await _alert_untrack(update, svc, chat, data.removeprefix(UNTRACK_PLACE))
    elif data.startswith(MUTE):
        await _alert_mute(update, context, chat, data.removeprefix(MUTE))
    elif data.startswith(UNTRACK) and _SUB_ID.fullmatch(data.removeprefix(UNTRACK)):
        label = await svc.untrack_id(chat.id, int(data.removeprefix(UNTRACK)), chat.language)
        if label is None:
            await _edit(update, t(chat.language, "untrack_gone"))
        else:
            await _edit(update, t(chat.language, "untracked", label=html.escape(label)))
    else:  # stale or forged data: answer, so the client stops waiting
        await query.answer()


async def _homonym_page(update: Update, svc: SubscriptionService, lang: str, data: str) -> None:
    """``<action>:<offset>:<name>`` → that page of the name's homonyms, in place."""
    action, _, rest = data.partition(":")
    offset, _, name = rest.partition(":")
    if action + ":" not in PLACE_ACTIONS or not _OFFSET.fullmatch(offset) or not name:
        assert update.callback_query is not None
        await update.callback_query.answer()
        return
    res = svc.resolve(name, lang, int(offset))
    if res.choices:
        await _edit(update, *homonym_prompt(res, lang, action + ":"))
    else:
        assert update.callback_query is not None
        await update.callback_query.answer()


async def _answer_below(update: Update, text: str) -> None:
    """A button under an alert: the alert stays as it is; the answer is a new message."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await reply(update, text)


async def _alert_untrack(
    update: Update, svc: SubscriptionService, chat: ChatRef, place_id: str
) -> None:
    removed = await svc.untrack_place(chat, place_id)
    if not removed:
        await _answer_below(update, t(chat.language, "untrack_gone"))
        return
    lines = [t(chat.language, "untracked", label=html.escape(r)) for r in removed]
    await _answer_below(update, "\n".join(lines))


async def _alert_mute(update: Update, context: Context, chat: ChatRef, duration: str) -> None:
    chats = services(context).chats
    until = await chats.set_mute(chat, duration)
    if until is None:
        await _answer_below(update, t(chat.language, "unmuted"))
        return
    view = await chats.view(chat)
    await _answer_below(
        update,
        t(chat.language, "muted", until=view.local(until), tz=html.escape(view.timezone)),
    )


BUTTON_PATTERN = f"^({TRACK_PLACE}|{TRACK_KEYWORD}|{UNTRACK}|{HOMONYMS}|{UNTRACK_PLACE}|{MUTE})"
# A subscription id as we write it: ASCII digits that fit a BIGINT. str.isdigit() accepts
# "²" (which int() refuses) and any length (which the database refuses).
_SUB_ID = re.compile(r"[0-9]{1,18}")
_OFFSET = re.compile(r"[0-9]{1,4}")  # a homonym page's offset, as we write it
