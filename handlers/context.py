"""Turning a PTB update into our ChatRef, the services handlers reach through ``bot_data``,
and the checks every changing command makes (language, admin rights).

``bot_data`` is a :class:`BotData` (PTB ``ContextTypes``), built by the composition root
(``bot/app.py``): handlers read their services from it with types, never by string keys.
Replies are HTML without link previews by the application's ``Defaults``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import CallbackContext, ExtBot

from bot.core.i18n import pick_lang, t
from bot.core.post import storable
from bot.services.archive import ArchiveService
from bot.services.chats import ChatService
from bot.services.ratelimit import RateLimiter
from bot.services.subscriptions import ChatRef, SubscriptionService


@dataclass
class BotData:
    """Everything handlers may call: the application's ``bot_data``."""

    subscriptions: SubscriptionService
    chats: ChatService
    archive: ArchiveService
    limiter: RateLimiter = field(default_factory=RateLimiter)


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]


def services(context: Context) -> BotData:
    return context.bot_data


def chat_ref(update: Update) -> ChatRef:
    chat = update.effective_chat
    assert chat is not None
    message = update.effective_message
    user = update.effective_user
    thread = 0
    if message is not None and message.is_topic_message and message.message_thread_id:
        thread = message.message_thread_id
    return ChatRef(
        id=chat.id,
        type=chat.type,
        title=storable(chat.title or chat.username or "") or None,
        language=pick_lang(user.language_code if user else None),
        is_forum=bool(chat.is_forum),
        thread_id=thread,
    )


def command_args(update: Update) -> str:
    """The text after the command, as typed (context.args loses quotes' spacing)."""
    message = update.effective_message
    # Cleaned like post text: a NUL or lone surrogate would fail the INSERT of a keyword.
    text = storable(message.text or "") if message is not None else ""
    parts = text.split(maxsplit=1)
    return parts[1] if len(parts) > 1 and parts[0].startswith("/") else ""


async def reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(text, reply_markup=markup, do_quote=False)


async def may_change(update: Update, context: Context) -> bool:
    """Private chats: always. Groups: admins only, anonymous admins included."""
    chat = update.effective_chat
    message = update.effective_message
    if chat is None or chat.type == ChatType.PRIVATE:
        return True
    if update.callback_query is None and message is not None and message.sender_chat is not None:
        # An anonymous admin posts as the group itself; a linked channel is not an admin.
        return message.sender_chat.id == chat.id
    user = update.effective_user
    if user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


async def current(update: Update, context: Context) -> ChatRef:
    """The chat, speaking the chat's chosen language (or the user's before it chose)."""
    chat = chat_ref(update)
    lang = await services(context).chats.language(chat)
    return dataclasses.replace(chat, language=lang)


async def changing(update: Update, context: Context) -> ChatRef | None:
    """``current`` for commands that change the chat; None (after a polite refusal) when
    the sender may not."""
    chat = await current(update, context)
    if await may_change(update, context):
        return chat
    query = update.callback_query
    if query is not None:
        await query.answer(t(chat.language, "admins_only"), show_alert=True)
    else:
        await reply(update, t(chat.language, "admins_only"))
    return None
