"""The one place handler exceptions end up."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.core.i18n import t
from bot.errors import UserInputError
from handlers.context import chat_ref

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    if not isinstance(update, Update) or update.effective_message is None:
        log.error("error outside an update", exc_info=error)
        return
    if isinstance(error, UserInputError):
        # Bad input: the message was written for the user.
        await update.effective_message.reply_text(str(error), parse_mode=ParseMode.HTML)
        return
    log.error("handler failed", exc_info=error)
    await update.effective_message.reply_text(t(chat_ref(update).language, "error_generic"))
