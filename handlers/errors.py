"""The one place handler exceptions end up."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
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
    if update.callback_query is not None:
        # Stop the button's spinner; the reply below says what went wrong.
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()
    if isinstance(error, UserInputError):
        # Bad input: the message was written for the user (HTML, user text escaped).
        text = str(error)
    else:
        log.error("handler failed", exc_info=error)
        text = t(chat_ref(update).language, "error_generic")
    try:
        await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML, do_quote=False)
    except TelegramError:
        log.warning("could not tell chat %s about an error", update.effective_chat)
