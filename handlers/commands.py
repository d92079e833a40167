"""/start, /help, /track, /untrack, /list."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.core.i18n import t
from handlers.context import chat_ref, may_change, services

UNTRACK_PREFIX = "untrack:"


def _args(context: ContextTypes.DEFAULT_TYPE) -> str:
    return " ".join(context.args or [])


async def reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = chat_ref(update)
    await services(context).subscriptions.register_chat(chat)
    await reply(update, t(chat.language, "welcome"))


async def help_(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update, t(chat_ref(update).language, "help"))


async def track(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = chat_ref(update)
    if not await may_change(update, context):
        await reply(update, t(chat.language, "admins_only"))
        return
    result = await services(context).subscriptions.track_text(chat, _args(context))
    key = "tracked" if result.created else "already_tracked"
    await reply(update, t(chat.language, key, label=html.escape(result.label)))


async def untrack(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = chat_ref(update)
    if not await may_change(update, context):
        await reply(update, t(chat.language, "admins_only"))
        return
    svc = services(context).subscriptions
    text = _args(context)
    if text:
        label = await svc.untrack_label(chat, text)
        key = "untracked" if label else "not_tracked"
        await reply(update, t(chat.language, key, label=html.escape(label or text)))
        return
    tracked = await svc.list(chat.id)
    if not tracked:
        await reply(update, t(chat.language, "list_empty"))
        return
    buttons = [[InlineKeyboardButton(f"✖ {s.label}"[:60], callback_data=f"{UNTRACK_PREFIX}{s.id}")]
               for s in tracked]
    await reply(update, t(chat.language, "untrack_usage"), InlineKeyboardMarkup(buttons))


async def untrack_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    chat = chat_ref(update)
    if not await may_change(update, context):
        await query.answer(t(chat.language, "admins_only"), show_alert=True)
        return
    sub_id = int(query.data.removeprefix(UNTRACK_PREFIX))
    label = await services(context).subscriptions.untrack_id(chat.id, sub_id)
    await query.answer()
    if label:
        await query.edit_message_text(t(chat.language, "untracked", label=html.escape(label)),
                                      parse_mode=ParseMode.HTML)


async def list_(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = chat_ref(update)
    tracked = await services(context).subscriptions.list(chat.id)
    if not tracked:
        await reply(update, t(chat.language, "list_empty"))
        return
    lines = [t(chat.language, "list_head")]
    lines += [f"• {html.escape(s.label)}" for s in tracked]
    await reply(update, "\n".join(lines))
