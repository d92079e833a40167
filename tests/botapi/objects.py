"""Telegram JSON objects (users, chats, messages, photos, chat members) that PTB can de_json."""

from __future__ import annotations

import re
import time
import zlib
from typing import Any

from tests.botapi.markup import utf16_len

BOT_ID = 7000000001
BOT_USERNAME = "dozor_test_bot"
ANONYMOUS_ADMIN_ID = 1087968824  # Telegram's @GroupAnonymousBot

_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?")


def bot_user() -> dict[str, Any]:
    return {
        "id": BOT_ID,
        "is_bot": True,
        "first_name": "Dozor Test",
        "username": BOT_USERNAME,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


def user(
    user_id: int,
    language_code: str | None = "en",
    first_name: str | None = None,
    username: str | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": user_id,
        "is_bot": False,
        "first_name": first_name or f"User{user_id}",
    }
    if username:
        out["username"] = username
    if language_code:
        out["language_code"] = language_code
    return out


def default_chat(chat_id: int | str) -> dict[str, Any]:
    """A chat the bot has not seen an update from: the id's sign decides its type."""
    if isinstance(chat_id, str):
        return {
            "id": -1000000000000 - zlib.crc32(chat_id.encode()) % 10**9,
            "type": "channel",
            "title": chat_id,
            "username": chat_id.lstrip("@"),
        }
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
    # Supergroup and channel ids are -100 followed by at least ten digits.
    kind = "supergroup" if chat_id <= -1000000000000 else "group"
    return {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}


def chat_kind(chat: dict[str, Any]) -> str:
    """The limit bucket: Telegram limits private chats per second and the rest per minute."""
    return "private" if chat["type"] == "private" else "group"


def command_entities(text: str) -> list[dict[str, Any]]:
    match = _COMMAND.match(text)
    if not match:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]


def message(
    message_id: int,
    chat: dict[str, Any],
    sender: dict[str, Any],
    *,
    text: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    date: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "message_id": message_id,
        "date": date if date is not None else int(time.time()),
        "chat": chat,
        "from": sender,
    }
    if text is not None:
        out["text"] = text
    if entities:
        out["entities"] = entities
    out.update({k: v for k, v in extra.items() if v is not None})
    return out


def photo_sizes(
    file_id: str, unique_id: str, size: int, width: int, height: int
) -> list[dict[str, Any]]:
    """A thumbnail and the full size, like Telegram's answer. Both name the same bytes here, so
    downloading ``photo[-1]`` returns exactly what was uploaded."""
    scale = min(1.0, 90 / max(width, height, 1))
    thumb = {
        "file_id": f"{file_id}_s",
        "file_unique_id": f"{unique_id}s",
        "width": max(1, int(width * scale)),
        "height": max(1, int(height * scale)),
        "file_size": size,
    }
    full = {
        "file_id": file_id,
        "file_unique_id": unique_id,
        "width": width,
        "height": height,
        "file_size": size,
    }
    return [thumb, full]


_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)


def chat_member(member: dict[str, Any], status: str) -> dict[str, Any]:
    out: dict[str, Any] = {"user": member, "status": status}
    if status == "creator":
        out["is_anonymous"] = False
    elif status == "administrator":
        out.update({right: True for right in _ADMIN_RIGHTS})
        out.update({"can_be_edited": False, "is_anonymous": False, "can_promote_members": False})
    elif status == "kicked":
        out["until_date"] = 0
    elif status == "restricted":
        raise ValueError("restricted members are not modelled")
    return out
