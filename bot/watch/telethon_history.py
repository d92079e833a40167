"""Reading a channel's history through Telethon, oldest first, resumable after a flood wait."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from telethon import TelegramClient
from telethon.errors import FloodWaitError

from bot.watch import telethon_convert as conv
from bot.watch.telethon_flood import FloodGuard


async def iter_history(
    client: TelegramClient, flood: FloodGuard, entity: Any, **kwargs: Any
) -> AsyncIterator[Any]:
    """``iter_messages(reverse=True)``; a flood wait mid-way resumes after the last id read."""
    last: int | None = None
    while True:
        start = dict(kwargs)
        if last is not None:
            start["min_id"] = max(last, int(start.get("min_id") or 0))
            start.pop("offset_date", None)
        try:
            async for message in client.iter_messages(entity, reverse=True, **start):
                last = int(message.id)
                yield message
            return
        except FloodWaitError as exc:
            await flood.wait(exc)


async def read_history(
    client: TelegramClient, flood: FloodGuard, entity: Any, **kwargs: Any
) -> list[Any]:
    return [m async for m in iter_history(client, flood, entity, **kwargs)]


async def stream_units(
    client: TelegramClient, flood: FloodGuard, entity: Any, **kwargs: Any
) -> AsyncIterator[list[Any]]:
    """Content messages oldest first, an album's (consecutive) items as one unit."""
    unit: list[Any] = []
    async for message in iter_history(client, flood, entity, **kwargs):
        if not conv.is_content(message):
            continue
        group = message.grouped_id
        if unit and group is not None and group == unit[0].grouped_id:
            unit.append(message)
            continue
        if unit:
            yield unit
        unit = [message]
    if unit:
        yield unit
