"""The gate every command and button press passes first: the per-user rate limit."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.core.i18n import t
from bot.services.ratelimit import Verdict
from handlers.context import Context, current, reply, services


def _sender(update: Update) -> int | None:
    """Who to count: the person. Telegram hides who posts as a chat: anonymous admins all
    appear as @GroupAnonymousBot, and anyone posting as one of their channels as
    @Channel_Bot, so those are counted together per group (the group's id): however many
    channels one person posts as, they share one budget there."""
    message = update.effective_message
    chat = update.effective_chat
    if update.callback_query is None and message is not None and message.sender_chat:
        return chat.id if chat is not None else message.sender_chat.id
    user = update.effective_user
    return user.id if user else None


def _is_command(update: Update) -> bool:
    if update.callback_query is not None:
        return True
    message = update.effective_message
    return bool(message and message.text and message.text.startswith("/"))


async def gate(update: Update, context: Context) -> None:
    if not isinstance(update, Update) or not _is_command(update):
        return
    sender = _sender(update)
    if sender is None:
        return
    verdict = services(context).limiter.check(sender)
    if verdict is Verdict.ALLOW:
        return
    if verdict is not Verdict.WARN and update.callback_query is not None:
        await update.callback_query.answer()  # silenced, but the button must stop spinning
    if verdict is Verdict.WARN:
        chat = await current(update, context)
        if update.callback_query is not None:
            await update.callback_query.answer(t(chat.language, "rate_limited"), show_alert=True)
        else:
            await reply(update, t(chat.language, "rate_limited"))
    raise ApplicationHandlerStop
