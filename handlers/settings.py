"""/digest, /timezone, /mute, /lang: a chat's settings (admins only in groups)."""

from __future__ import annotations

import dataclasses
import html

from telegram import Update

from bot.core.i18n import t
from handlers.context import Context, changing, command_args, reply, services


async def digest(update: Update, context: Context) -> None:
    chat = await changing(update, context)
    if chat is None:
        return
    svc = services(context).chats
    when = await svc.set_digest(chat, command_args(update))
    if when is None:
        await reply(update, t(chat.language, "digest_off"))
        return
    view = await svc.view(chat)
    await reply(
        update,
        t(chat.language, "digest_set", time=when.strftime("%H:%M"), tz=html.escape(view.timezone)),
    )


async def timezone(update: Update, context: Context) -> None:
    chat = await changing(update, context)
    if chat is None:
        return
    name = await services(context).chats.set_timezone(chat, command_args(update))
    await reply(update, t(chat.language, "tz_set", tz=html.escape(name)))


async def mute(update: Update, context: Context) -> None:
    chat = await changing(update, context)
    if chat is None:
        return
    svc = services(context).chats
    until = await svc.set_mute(chat, command_args(update))
    if until is None:
        await reply(update, t(chat.language, "unmuted"))
        return
    view = await svc.view(chat)
    await reply(
        update, t(chat.language, "muted", until=view.local(until), tz=html.escape(view.timezone))
    )


async def lang(update: Update, context: Context) -> None:
    chat = await changing(update, context)
    if chat is None:
        return
    new = await services(context).chats.set_language(chat, command_args(update))
    chat = dataclasses.replace(chat, language=new)
    await reply(update, t(chat.language, "lang_set"))
