"""Builders for the updates a test injects: user messages, button presses, membership changes."""

from __future__ import annotations

import time
from typing import Any

from tests.botapi import objects

CHANNEL_BOT_ID = 136817688  # Telegram's @Channel_Bot, the sender of channel-signed messages


def chat_for(
    chat_id: int,
    chat_type: str | None,
    *,
    title: str | None = None,
    first_name: str | None = None,
    username: str | None = None,
    is_forum: bool = False,
) -> dict[str, Any]:
    kind = chat_type or objects.default_chat(chat_id)["type"]
    if kind == "private":
        out: dict[str, Any] = {
            "id": chat_id,
            "type": "private",
            "first_name": first_name or f"User{chat_id}",
        }
        if username:
            out["username"] = username
        return out
    out = {"id": chat_id, "type": kind, "title": title or f"Group {chat_id}"}
    if is_forum:
        out["is_forum"] = True
    return out


def sender_for(
    chat: dict[str, Any], sender_chat: bool | dict[str, Any] | None, user: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """``sender_chat=True`` is an anonymous group admin: Telegram sets sender_chat to the group
    itself and ``from`` to @GroupAnonymousBot. A dict is some other chat, e.g. a linked channel."""
    if sender_chat is True:
        anon = {
            "id": objects.ANONYMOUS_ADMIN_ID,
            "is_bot": True,
            "first_name": "Group",
            "username": "GroupAnonymousBot",
        }
        return anon, chat
    if isinstance(sender_chat, dict):
        channel_bot = {
            "id": CHANNEL_BOT_ID,
            "is_bot": True,
            "first_name": "Channel",
            "username": "Channel_Bot",
        }
        return channel_bot, sender_chat
    return user, None


def callback_query(
    query_id: str, user: dict[str, Any], data: str, message: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": query_id,
        "from": user,
        "chat_instance": f"ci{message['chat']['id']}",
        "data": data,
        "message": message,
    }


def my_chat_member(
    chat: dict[str, Any], by: dict[str, Any], old_status: str, new_status: str
) -> dict[str, Any]:
    bot = objects.bot_user()
    return {
        "chat": chat,
        "from": by,
        "date": int(time.time()),
        "old_chat_member": objects.chat_member(bot, old_status),
        "new_chat_member": objects.chat_member(bot, new_status),
    }
