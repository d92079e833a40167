"""The one place handler exceptions end up."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import TelegramError

from bot.core.i18n import has, t
from bot.errors import ArchiveQueryError, ExpressionError, UserInputError
from handlers.context import Context, chat_ref, current

log = logging.getLogger(__name__)


def user_text(err: UserInputError, lang: str) -> str:
    """The one place a user error is worded: its code and params through the catalogue, in
    the chat's language; a message-only error is already the words (HTML, escaped)."""
    coded_elsewhere = isinstance(
        err, ArchiveQueryError | ExpressionError
    )  # worded by their handlers
    if err.code is not None and not coded_elsewhere and has(err.code):
        return t(lang, err.code, **err.params)
    return str(err)


async def on_error(update: object, context: Context) -> None:
    error = context.error
    if not isinstance(update, Update) or update.effective_message is None:
        log.error("error outside an update", exc_info=error)
        return
    if update.callback_query is not None:
        # Stop the button's spinner; the reply below says what went wrong.
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()
    if isinstance(error, UserInputError):
        try:
            lang = (await current(update, context)).language
        except Exception:  # the chat's setting is unreadable: the user's own language
            lang = chat_ref(update).language
        text = user_text(error, lang)
    else:
        log.error("handler failed", exc_info=error)
        text = t(chat_ref(update).language, "error_generic")
    try:
        await update.effective_message.reply_text(text, do_quote=False)
    except TelegramError:
        log.warning("could not tell chat %s about an error", update.effective_chat)
