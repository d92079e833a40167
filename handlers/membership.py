"""The bot's own membership: added to a group, removed or blocked, group → supergroup."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import Forbidden

from bot.core.i18n import pick_lang, t
from bot.services.subscriptions import ChatRef
from handlers.context import Context, services

log = logging.getLogger(__name__)

PRESENT = (
    ChatMemberStatus.MEMBER,
    ChatMemberStatus.ADMINISTRATOR,
    ChatMemberStatus.OWNER,
    ChatMemberStatus.RESTRICTED,
)
GONE = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)


async def my_member(update: Update, context: Context) -> None:
    change = update.my_chat_member
    if change is None:
        return
    chat = change.chat
    old, new = change.old_chat_member.status, change.new_chat_member.status
    svc = services(context).chats
    if new in GONE:
        await svc.left(chat.id)
        log.info("chat %s removed the bot (%s): deactivated", chat.id, new)
        return
    if new not in PRESENT or old in PRESENT:
        return  # e.g. promoted to admin: nothing to say
    lang = pick_lang(change.from_user.language_code if change.from_user else None)
    ref = ChatRef(
        id=chat.id,
        type=chat.type,
        title=chat.title or chat.username,
        language=lang,
        is_forum=bool(chat.is_forum),
    )
    await svc.joined(ref)
    if chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
        lang = await svc.language(ref)
        try:
            await context.bot.send_message(chat.id, t(lang, "intro_group"))
        except Forbidden:
            await svc.left(chat.id)


async def migrated(update: Update, context: Context) -> None:
    """Both service messages (in the old group and in the new supergroup) arrive; moving is
    idempotent, so either one completes the move."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    await services(context).chats.migrated(old, new)
    log.info("chat %s migrated to %s", old, new)
