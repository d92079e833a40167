"""The layout of a Telegram Desktop export: one chat, or a whole account's chats."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import MalformedSourceError, SourceError
from bot.watch.confine import require_regular


@dataclass(frozen=True, slots=True)
class Chat:
    id: int | None
    name: str
    messages: list[Any]


def load_json(path: Path) -> object:
    require_regular(path)  # a FIFO would block the read forever
    try:
        with path.open("rb") as fh:
            return json.load(fh)
    except json.JSONDecodeError as exc:
        raise MalformedSourceError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    except UnicodeDecodeError as exc:
        raise MalformedSourceError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except ValueError:  # the only other ValueError: an integer of more than 4,300 digits
        raise MalformedSourceError(f"{path}: a number of more than 4,300 digits") from None
    except RecursionError:
        raise MalformedSourceError(f"{path}: JSON nested too deeply") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def read_chats(doc: object, path: Path) -> list[Chat]:
    if not isinstance(doc, dict):
        raise MalformedSourceError(f"{path}: a Desktop export is a JSON object at the top")
    if "messages" in doc:
        return [_chat(doc, path, "the export")]
    if "chats" in doc or "left_chats" in doc:
        chats: list[Chat] = []
        for key in ("chats", "left_chats"):
            for index, item in enumerate(_chat_list(doc.get(key), path, key)):
                chats.append(_chat(item, path, f"{key}[{index}]"))
        return chats
    raise MalformedSourceError(
        f"{path}: not a Telegram Desktop export: expected 'messages' (single chat) "
        "or 'chats' (full account) at the top"
    )


def _chat_list(value: object, path: Path, key: str) -> list[object]:
    if value is None:
        return []
    if isinstance(value, dict):  # the real layout: {"about": ..., "list": [...]}
        value = value.get("list", [])
    if not isinstance(value, list):
        raise MalformedSourceError(f"{path}: '{key}' should hold a list of chats")
    return value


def _chat(value: object, path: Path, where: str) -> Chat:
    if not isinstance(value, dict):
        raise MalformedSourceError(f"{path}: {where} is not a chat object")
    messages = value.get("messages", [])
    if not isinstance(messages, list):
        raise MalformedSourceError(f"{path}: {where}: 'messages' is not a list")
    raw_id = value.get("id")
    chat_id = raw_id if isinstance(raw_id, int) and not isinstance(raw_id, bool) else None
    name = value.get("name")
    return Chat(chat_id, name if isinstance(name, str) else "", messages)
