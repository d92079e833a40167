"""Turns a Bot API request (query string, JSON, urlencoded form or multipart) into typed params.

PTB 22 (httpx) posts ``application/x-www-form-urlencoded`` where every non-string value is
JSON-dumped, and ``multipart/form-data`` when a file is attached. The real server types each
field from its schema, so we do the same with the field names our methods use.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import BodyPartReader, web

_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "media",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "allowed_updates",
        "commands",
        "scope",
    }
)
_INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "message_thread_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "cache_time",
        "reply_to_message_id",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "has_spoiler",
        "allow_sending_without_reply",
        "show_caption_above_media",
    }
)


def _coerce(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    if name in _INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            return value  # e.g. chat_id="@channelname"
    if name in _BOOL_FIELDS:
        return value.lower() == "true"
    return value


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    raw: dict[str, Any] = dict(request.query)
    files: dict[str, bytes] = {}
    ctype = request.content_type
    if request.can_read_body:
        if ctype == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                raw.update(body)
        elif ctype == "multipart/form-data":
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                data = await part.read()
                if part.filename is not None:
                    files[part.name] = bytes(data)
                else:
                    raw[part.name] = data.decode(part.get_charset("utf-8"))
        else:
            form = await request.post()
            raw.update({k: v for k, v in form.items() if isinstance(v, str)})
    return {k: _coerce(k, v) for k, v in raw.items()}, files
