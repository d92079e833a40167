"""The Bot API methods the fake answers. Each takes (store, params, files) and returns the
``result`` or raises ApiError with the description the real server uses."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from typing import Any

from tests.botapi import objects
from tests.botapi.failures import ApiError
from tests.botapi.markup import apply_parse_mode, utf16_len
from tests.botapi.state import Store, StoredFile

Params = dict[str, Any]
Files = dict[str, bytes]
Handler = Callable[[Store, Params, Files], Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def _chat(store: Store, params: Params) -> dict[str, Any]:
    chat_id = params.get("chat_id")
    if chat_id in (None, ""):
        raise _bad("chat_id is empty")
    return store.chat(chat_id)


def _outgoing(store: Store, chat: dict[str, Any], params: Params, **fields: Any) -> dict[str, Any]:
    """A message from the bot, with the echoed options Telegram puts into the Message."""
    extra: dict[str, Any] = dict(fields)
    thread = params.get("message_thread_id")
    if thread:
        extra["message_thread_id"] = thread
        if chat.get("is_forum"):
            extra["is_topic_message"] = True
    markup = params.get("reply_markup")
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        extra["reply_markup"] = markup
    reply = params.get("reply_parameters") or {}
    reply_to = reply.get("message_id") or params.get("reply_to_message_id")
    if reply_to:
        target = store.messages.get((chat["id"], int(reply_to)))
        if target is not None:
            extra["reply_to_message"] = {k: v for k, v in target.items() if k != "reply_to_message"}
        elif not (
            reply.get("allow_sending_without_reply") or params.get("allow_sending_without_reply")
        ):
            raise _bad("message to be replied not found")
    msg = objects.message(store.next_message_id(chat["id"]), chat, objects.bot_user(), **extra)
    store.remember(msg)
    store.sent.append(msg)
    return msg


def _own_message(store: Store, params: Params) -> dict[str, Any]:
    chat = _chat(store, params)
    msg = store.messages.get((chat["id"], int(params.get("message_id") or 0)))
    if msg is None:
        raise _bad("message to edit not found")
    if msg["from"]["id"] != objects.BOT_ID:
        raise _bad("message can't be edited")
    return msg


def _inline_markup(params: Params) -> dict[str, Any] | None:
    markup = params.get("reply_markup")
    return markup if isinstance(markup, dict) and "inline_keyboard" in markup else None


def _set_markup(msg: dict[str, Any], markup: dict[str, Any] | None) -> dict[str, Any]:
    """An edit without reply_markup removes the keyboard, as on Telegram."""
    if markup:
        msg["reply_markup"] = markup
    else:
        msg.pop("reply_markup", None)
    msg["edit_date"] = int(time.time())
    return msg


def _not_modified() -> ApiError:
    return _bad(
        "message is not modified: specified new message content and reply markup are "
        "exactly the same as a current content and reply markup of the message"
    )


def _caption(params: Params) -> dict[str, Any]:
    caption = params.get("caption")
    if not caption:
        return {}
    visible, entities = apply_parse_mode(
        caption, params.get("parse_mode"), params.get("caption_entities")
    )
    if utf16_len(visible) > MAX_CAPTION:
        raise _bad("message caption is too long")
    return {"caption": visible, "caption_entities": entities or None}


def _image_size(data: bytes, strict: bool) -> tuple[int, int]:
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as img:
            return int(img.width), int(img.height)
    except Exception:
        if strict:
            raise _bad("IMAGE_PROCESS_FAILED") from None
        return 800, 600


def _resolve_photo(
    store: Store, ref: Any, files: Files, strict: bool
) -> tuple[StoredFile, int, int]:
    if isinstance(ref, str) and ref.startswith("attach://"):
        name = ref.removeprefix("attach://")
        if name not in files:
            raise _bad(f"file of type photo not found in the request: {name}")
        data = files[name]
        return store.add_file(data), *_image_size(data, strict)
    if isinstance(ref, str) and ref.startswith(("http://", "https://")):
        return store.add_file(b"", url=ref), 800, 600
    if isinstance(ref, str) and (known := store.find_file(ref)) is not None:
        return known, *_image_size(known.data, strict=False)
    raise _bad("wrong file identifier/HTTP URL specified")


def _photo_fields(stored: StoredFile, width: int, height: int) -> dict[str, Any]:
    return {
        "photo": objects.photo_sizes(
            stored.file_id, stored.unique_id, len(stored.data), width, height
        )
    }


def make_methods(strict_photos: bool = False) -> dict[str, tuple[str, Handler]]:
    """Handlers keyed by lower-cased name (Telegram's method names are case-insensitive),
    each with its canonical spelling for the call record."""

    def get_me(store: Store, p: Params, f: Files) -> Any:
        return objects.bot_user()

    def delete_webhook(store: Store, p: Params, f: Files) -> Any:
        if p.get("drop_pending_updates"):
            store.updates.clear()
        return True

    def set_webhook(store: Store, p: Params, f: Files) -> Any:
        if not str(p.get("url") or "").startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        store.webhook = dict(p)
        return True

    def send_message(store: Store, p: Params, f: Files) -> Any:
        chat = _chat(store, p)
        visible, entities = apply_parse_mode(
            str(p.get("text") or ""), p.get("parse_mode"), p.get("entities")
        )
        if not visible.strip():
            raise _bad("message text is empty")
        if utf16_len(visible) > MAX_TEXT:
            raise _bad("message is too long")
        return _outgoing(
            store,
            chat,
            p,
            text=visible,
            entities=entities or None,
            link_preview_options=p.get("link_preview_options"),
        )

    def send_photo(store: Store, p: Params, f: Files) -> Any:
        chat = _chat(store, p)
        ref = p.get("photo")
        if ref is None and "photo" in f:
            ref = "attach://photo"
        if ref is None:
            raise _bad("there is no photo in the request")
        caption = _caption(p)
        stored, width, height = _resolve_photo(store, ref, f, strict_photos)
        return _outgoing(store, chat, p, **_photo_fields(stored, width, height), **caption)

    def send_media_group(store: Store, p: Params, f: Files) -> Any:
        chat = _chat(store, p)
        media = p.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise _bad("wrong number of media")
        prepared = []
        for item in media:
            if not isinstance(item, dict) or item.get("type") != "photo":
                raise _bad("unsupported media type in the fake Bot API (photos only)")
            stored, width, height = _resolve_photo(store, item.get("media"), f, strict_photos)
            prepared.append((_photo_fields(stored, width, height), _caption(item)))
        group_id = f"{int(time.time() * 1000)}{len(store.sent)}"
        return [
            _outgoing(store, chat, p, media_group_id=group_id, **photo, **caption)
            for photo, caption in prepared
        ]

    def edit_message_text(store: Store, p: Params, f: Files) -> Any:
        if p.get("inline_message_id"):
            return True
        msg = _own_message(store, p)
        if "text" not in msg:
            raise _bad("there is no text in the message to edit")
        visible, entities = apply_parse_mode(
            str(p.get("text") or ""), p.get("parse_mode"), p.get("entities")
        )
        if not visible.strip():
            raise _bad("message text is empty")
        markup = _inline_markup(p)
        if (visible, entities or None, markup) == (
            msg["text"],
            msg.get("entities"),
            msg.get("reply_markup"),
        ):
            raise _not_modified()
        msg["text"] = visible
        msg.pop("entities", None)
        if entities:
            msg["entities"] = entities
        return _set_markup(msg, markup)

    def edit_message_reply_markup(store: Store, p: Params, f: Files) -> Any:
        if p.get("inline_message_id"):
            return True
        msg = _own_message(store, p)
        markup = _inline_markup(p)
        if markup == msg.get("reply_markup"):
            raise _not_modified()
        return _set_markup(msg, markup)

    def delete_message(store: Store, p: Params, f: Files) -> Any:
        chat = _chat(store, p)
        if store.messages.pop((chat["id"], int(p.get("message_id") or 0)), None) is None:
            raise _bad("message to delete not found")
        return True

    def answer_callback_query(store: Store, p: Params, f: Files) -> Any:
        if str(p.get("callback_query_id")) not in store.open_callbacks:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        store.open_callbacks.discard(str(p["callback_query_id"]))
        return True

    def get_file(store: Store, p: Params, f: Files) -> Any:
        stored = store.find_file(str(p.get("file_id") or ""))
        if stored is None:
            raise _bad("invalid file_id")
        return {
            "file_id": p["file_id"],
            "file_unique_id": stored.unique_id,
            "file_size": len(stored.data),
            "file_path": stored.path,
        }

    def set_my_commands(store: Store, p: Params, f: Files) -> Any:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        for cmd in commands:
            if not _COMMAND_NAME.match(str(cmd.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description", ""))) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        key = (store.scope_key(p.get("scope")), str(p.get("language_code") or ""))
        store.commands[key] = list(commands)
        return True

    def get_my_commands(store: Store, p: Params, f: Files) -> Any:
        key = (store.scope_key(p.get("scope")), str(p.get("language_code") or ""))
        return store.commands.get(key, [])

    def delete_my_commands(store: Store, p: Params, f: Files) -> Any:
        key = (store.scope_key(p.get("scope")), str(p.get("language_code") or ""))
        store.commands.pop(key, None)
        return True

    def send_chat_action(store: Store, p: Params, f: Files) -> Any:
        _chat(store, p)
        return True

    def get_chat(store: Store, p: Params, f: Files) -> Any:
        chat = dict(_chat(store, p))
        chat.setdefault("accent_color_id", 0)
        chat.setdefault("max_reaction_count", 11)
        return chat

    def _member_user(user_id: int) -> dict[str, Any]:
        return objects.bot_user() if user_id == objects.BOT_ID else objects.user(user_id)

    def get_chat_member(store: Store, p: Params, f: Files) -> Any:
        chat = _chat(store, p)
        user_id = int(p.get("user_id") or 0)
        return objects.chat_member(_member_user(user_id), store.status_of(chat["id"], user_id))

    def get_chat_administrators(store: Store, p: Params, f: Files) -> Any:
        chat = _chat(store, p)
        if chat["type"] == "private":
            raise _bad("there are no administrators in the private chat")
        members = store.members.get(chat["id"], {})
        return [
            objects.chat_member(_member_user(uid), status)
            for uid, status in members.items()
            if status in ("creator", "administrator")
        ]

    table: dict[str, Handler] = {
        "getMe": get_me,
        "deleteWebhook": delete_webhook,
        "setWebhook": set_webhook,
        "sendMessage": send_message,
        "sendPhoto": send_photo,
        "sendMediaGroup": send_media_group,
        "editMessageText": edit_message_text,
        "editMessageReplyMarkup": edit_message_reply_markup,
        "deleteMessage": delete_message,
        "answerCallbackQuery": answer_callback_query,
        "getFile": get_file,
        "setMyCommands": set_my_commands,
        "getMyCommands": get_my_commands,
        "deleteMyCommands": delete_my_commands,
        "sendChatAction": send_chat_action,
        "getChat": get_chat,
        "getChatMember": get_chat_member,
        "getChatAdministrators": get_chat_administrators,
    }
    return {name.lower(): (name, handler) for name, handler in table.items()}


# How many messages a successful call adds, for the flood limits.
SEND_COUNT: dict[str, Callable[[Params], int]] = {
    "sendMessage": lambda p: 1,
    "sendPhoto": lambda p: 1,
    "sendMediaGroup": lambda p: len(p["media"]) if isinstance(p.get("media"), list) else 1,
}
