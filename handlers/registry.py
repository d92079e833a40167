"""All handler registration in one place. Groups run in ascending order; within a group the
first matching handler wins.

  group -2  edited messages stop here (they never re-run a command)
  group -1  the rate-limit gate (stops flooding users before any handler or database work)
  group  0  commands, buttons, membership and migration updates
  group  1  the answer to any other private message (plain text, an unknown command)
"""

from __future__ import annotations

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.core.i18n import t
from handlers import archive, commands, fallback, membership, settings, track
from handlers.errors import on_error
from handlers.ratelimit import gate

# The menu (setMyCommands), in this order; each one's words are ``menu.<name>``.
COMMANDS = (
    "track",
    "keyword",
    "untrack",
    "list",
    "latest",
    "search",
    "claims",
    "sources",
    "digest",
    "timezone",
    "mute",
    "lang",
    "help",
)
MENU_LANGS = ("uk", "en")
DEFAULT_MENU_LANG = "en"


async def ignore_edits(update: Update, _context: object) -> None:
    """An edited message is not a new command: PTB's CommandHandler would run "/track x"
    again (or a different command) each time its author edits it."""
    if update.edited_message is not None or update.edited_channel_post is not None:
        raise ApplicationHandlerStop


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(TypeHandler(Update, ignore_edits), group=-2)
    app.add_handler(TypeHandler(Update, gate), group=-1)

    # Conversation: places, keywords and what the chat tracks.
    app.add_handler(CommandHandler("start", commands.start))
    app.add_handler(CommandHandler("help", commands.help_))
    app.add_handler(CommandHandler("list", commands.list_))
    app.add_handler(CommandHandler("track", track.track))
    app.add_handler(CommandHandler("keyword", track.keyword))
    app.add_handler(CommandHandler("untrack", track.untrack))
    app.add_handler(CallbackQueryHandler(track.button, pattern=track.BUTTON_PATTERN))

    # Settings (admins only in groups).
    app.add_handler(CommandHandler("digest", settings.digest))
    app.add_handler(CommandHandler("timezone", settings.timezone))
    app.add_handler(CommandHandler("mute", settings.mute))
    app.add_handler(CommandHandler("lang", settings.lang))

    # The bot's membership and group → supergroup moves.
    app.add_handler(ChatMemberHandler(membership.my_member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, membership.migrated))

    # /search, /latest, /sources, /claims and their buttons.
    archive.register(app)

    # Every private message gets an answer. A later group, so commands registered in group 0
    # in any order come first; the fallback skips the commands they handle.
    private = filters.ChatType.PRIVATE & ~filters.UpdateType.EDITED_MESSAGE
    app.add_handler(
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, fallback.text), group=1
    )
    app.add_handler(MessageHandler(private & filters.COMMAND, fallback.unknown_command), group=1)

    app.add_error_handler(on_error)


def menu(lang: str) -> list[BotCommand]:
    return [BotCommand(name, t(lang, "menu." + name)) for name in COMMANDS]


async def publish_commands(app: Application) -> None:  # type: ignore[type-arg]
    """setMyCommands per language, so menus show in the user's language."""
    for lang in MENU_LANGS:
        await app.bot.set_my_commands(menu(lang), language_code=lang)
    await app.bot.set_my_commands(menu(DEFAULT_MENU_LANG))
