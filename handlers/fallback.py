"""Every private message gets an answer.

Plain text is read as a place or words: a place is offered to track, with its latest posts
and claim board; homonyms as the usual choice; other words to track as a keyword or to search
the archive. Nothing is tracked until a button is pressed. An unknown command gets help.
Groups are left alone: their chatter is not for the bot, and their unknown commands may be
another bot's.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler

from bot.core.i18n import t
from bot.errors import UserInputError
from handlers.context import Context, current, reply, services
from handlers.errors import user_text
from handlers.track import (
    CLAIMS_PLACE,
    LATEST_PLACE,
    SEARCH_WORDS,
    TRACK_KEYWORD,
    TRACK_PLACE,
    homonym_prompt,
)

CALLBACK_LIMIT = 64


def _fits(data: str) -> bool:
    return len(data.encode("utf-8")) <= CALLBACK_LIMIT


async def text(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None or not message.text:
        return
    if message.text.startswith("/"):  # "/щось": Telegram marks only Latin commands
        await unknown_command(update, context)
        return
    chat = await current(update, context)
    lang = chat.language
    svc = services(context).subscriptions
    try:
        res = svc.resolve(message.text, lang)
    except UserInputError as err:  # too long: say so, as /track would
        await reply(update, user_text(err, lang))
        return
    if res.choices:
        await reply(update, *homonym_prompt(res, lang))
        return
    if res.place is not None:
        pid = res.place.place_id
        rows = [
            [InlineKeyboardButton(t(lang, "offer_track"), callback_data=TRACK_PLACE + pid)],
            [
                InlineKeyboardButton(t(lang, "offer_latest"), callback_data=LATEST_PLACE + pid),
                InlineKeyboardButton(t(lang, "offer_claims"), callback_data=CLAIMS_PLACE + pid),
            ],
        ]
        rows = [[b for b in row if _fits(str(b.callback_data))] for row in rows]
        label = html.escape(res.place.label)
        await reply(
            update,
            t(lang, "offer_place", label=label),
            InlineKeyboardMarkup([r for r in rows if r]),
        )
        return
    words = " ".join(message.text.split())
    buttons = []
    if _fits(TRACK_KEYWORD + words):
        try:
            svc.parse_keyword(words, lang)
            buttons.append(
                InlineKeyboardButton(t(lang, "offer_keyword"), callback_data=TRACK_KEYWORD + words)
            )
        except UserInputError:
            pass
    if _fits(SEARCH_WORDS + words):
        buttons.append(
            InlineKeyboardButton(t(lang, "offer_search"), callback_data=SEARCH_WORDS + words)
        )
    key = "offer_words" if buttons else "offer_words_long"
    await reply(
        update,
        t(lang, key, words=html.escape(words[:200])),
        InlineKeyboardMarkup([[b] for b in buttons]) if buttons else None,
    )


def _known(context: Context) -> frozenset[str]:
    return frozenset(
        command
        for handler in context.application.handlers.get(0, [])
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    )


async def unknown_command(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None or not message.text:
        return
    command = message.text.split(maxsplit=1)[0].split("@", 1)[0]
    if command.removeprefix("/").lower() in _known(context):
        return  # a group 0 handler answered it
    chat = await current(update, context)
    await reply(
        update,
        t(chat.language, "unknown_command", command=html.escape(command))
        + "\n\n"
        + t(chat.language, "help"),
    )
