"""All handler registration in one place. Order matters: groups run in ascending order."""

from __future__ import annotations

from telegram import BotCommand
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from handlers import commands
from handlers.errors import on_error

COMMANDS: dict[str, dict[str, str]] = {
    "track": {"uk": "Відстежувати місце чи слово", "en": "Track a place or word"},
    "untrack": {"uk": "Припинити відстеження", "en": "Stop tracking"},
    "list": {"uk": "Що відстежує цей чат", "en": "What this chat tracks"},
    "help": {"uk": "Довідка", "en": "Help"},
}


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("start", commands.start))
    app.add_handler(CommandHandler("help", commands.help_))
    app.add_handler(CommandHandler("track", commands.track))
    app.add_handler(CommandHandler("untrack", commands.untrack))
    app.add_handler(CommandHandler("list", commands.list_))
    app.add_handler(
        CallbackQueryHandler(commands.untrack_button, pattern=f"^{commands.UNTRACK_PREFIX}")
    )
    app.add_error_handler(on_error)


async def publish_commands(app: Application) -> None:  # type: ignore[type-arg]
    """setMyCommands per language, so menus show in the user's language."""
    for lang in ("en", "uk"):
        commands_ = [BotCommand(name, texts[lang]) for name, texts in COMMANDS.items()]
        await app.bot.set_my_commands(commands_, language_code=lang)
    await app.bot.set_my_commands(
        [BotCommand(name, texts["en"]) for name, texts in COMMANDS.items()]
    )
