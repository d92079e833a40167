"""The gate every command and button press passes first: the per-user rate limit."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.core.i18n import t
from bot.services.ratelimit import Verdict
from handlers.context import current, reply, services


def _sender(update: Update) -> int | None:
    """Who to count: the user, or the group itself for anonymous admins (who all share one
    user id, @GroupAnonymousBot)."""
    message = update.effective_message
    if update.callback_query is None and message is not None and message.sender_chat:
        return message.sender_chat.id
    user = update.effective_user
    return user.id if user else None


def _is_command(update: Update) -> bool:
    if update.callback_query is not None:
        return True
    message = update.effective_message
    return bool(message and message.text and message.text.startswith("/"))


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
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
