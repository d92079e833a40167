"""Turning a PTB update into our ChatRef, and the services handlers reach through bot_data."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import ContextTypes

from bot.core.i18n import pick_lang
from bot.services.subscriptions import ChatRef, SubscriptionService

SERVICES_KEY = "dozor.services"


@dataclass(frozen=True, slots=True)
class Services:
    """Everything handlers may call; put into ``application.bot_data`` by the app."""

    subscriptions: SubscriptionService


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    value = context.application.bot_data[SERVICES_KEY]
    assert isinstance(value, Services)
    return value


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
        title=chat.title or chat.username,
        language=pick_lang(user.language_code if user else None),
        is_forum=bool(chat.is_forum),
        thread_id=thread,
    )


async def may_change(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Private chats: always. Groups: admins only, anonymous admins included."""
    chat = update.effective_chat
    message = update.effective_message
    if chat is None or chat.type == ChatType.PRIVATE:
        return True
    if message is not None and message.sender_chat is not None:
        # An anonymous admin posts as the group itself.
        return message.sender_chat.id == chat.id
    user = update.effective_user
    if user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
