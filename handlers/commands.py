"""/start, /help, /list."""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup, Update

from bot.analysis.places import Gazetteer
from bot.core.excerpt import TEXT_LIMIT, tg_len
from bot.core.i18n import t
from bot.services.subscriptions import Choice
from handlers.context import Context, chat_ref, command_args, current, reply, services
from handlers.track import place_buttons, track_from_start

DEEP_LINK = "track_"
# Offered on /start: what most people come for. Resolved by name, so ids never go stale.
COMMON_PLACES = ("Курщина", "Покровськ", "Купʼянськ", "Харків", "Запоріжжя", "Херсон")


def common_places(lang: str, gaz: Gazetteer) -> list[Choice]:
    out = []
    for name in COMMON_PLACES:
        found = gaz.resolve(name)
        if found:
            out.append(Choice(found[0].id, gaz.name(found[0], lang)))
    return out


async def start(update: Update, context: Context) -> None:
    arg = command_args(update).strip()
    if arg.startswith(DEEP_LINK):
        await track_from_start(update, context, arg.removeprefix(DEEP_LINK))
        return
    svc = services(context)
    chat = await current(update, context)
    await svc.subscriptions.register_chat(chat_ref(update))
    buttons = place_buttons(common_places(chat.language, svc.subscriptions.gaz))
    await reply(update, t(chat.language, "welcome"), InlineKeyboardMarkup(buttons))


async def help_(update: Update, context: Context) -> None:
    chat = await current(update, context)
    await reply(update, t(chat.language, "help"))


async def list_(update: Update, context: Context) -> None:
    chat = await current(update, context)
    svc = services(context)
    tracked = await svc.subscriptions.tracked(chat.id)
    view = await svc.chats.view(chat)
    lang = chat.language
    lines: list[str] = []
    if not tracked:
        lines.append(t(lang, "list_empty"))
    else:
        lines.append(t(lang, "list_head"))
        by_thread: dict[int, list[str]] = {}
        for s in tracked:
            by_thread.setdefault(s.thread_id, []).append(svc.subscriptions.describe(s, lang))
        for thread, items in sorted(by_thread.items()):
            if len(by_thread) > 1 or thread:
                where = t(lang, "list_topic", id=thread) if thread else t(lang, "list_main")
                lines.append(f"<i>{where}</i>")
            lines += [f"• {html.escape(_shorten(item))}" for item in items]
    lines.append("")
    digest = (
        t(lang, "list_digest", time=view.digest_time.strftime("%H:%M"))
        if view.digest_time
        else t(lang, "list_digest_off")
    )
    lines.append(digest)
    lines.append(t(lang, "list_tz", tz=html.escape(view.timezone)))
    lines.append(t(lang, "list_lang"))
    if view.muted and view.muted_until is not None:
        lines.append(t(lang, "list_muted", until=view.local(view.muted_until)))
    # 50 subscriptions of 300-character keywords do not fit one message: send several.
    for text in split_messages(lines, TEXT_LIMIT):
        await reply(update, text)


LIST_ITEM_CHARS = 200  # a 500-character keyword is recognisable from its start


def _shorten(item: str) -> str:
    return item if len(item) <= LIST_ITEM_CHARS else item[: LIST_ITEM_CHARS - 1] + "…"


def split_messages(lines: list[str], limit: int) -> list[str]:
    """Lines joined into as few messages as fit ``limit`` (Telegram's count), never
    splitting a line; each line must fit on its own."""
    out: list[str] = []
    current: list[str] = []
    for line in lines:
        if current and tg_len("\n".join([*current, line])) > limit:
            out.append("\n".join(current))
            current = []
        current.append(line)
    if current:
        out.append("\n".join(current))
    return out
