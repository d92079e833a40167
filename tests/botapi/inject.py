"""Injecting updates as if users wrote, pressed buttons, or changed the bot's membership."""

from __future__ import annotations

from typing import Any

from tests.botapi import objects, updates
from tests.botapi.state import Store


class UpdateInjector:
    """Mixin for BotApiServer; each method queues one update for getUpdates and returns its
    update_id."""

    store: Store

    def _wake_pollers(self) -> None:
        raise NotImplementedError

    def inject_update(self, raw: dict[str, Any]) -> int:
        for value in raw.values():
            if isinstance(value, dict) and isinstance(value.get("chat"), dict):
                chat = value["chat"]
                self.store.chats.setdefault(chat["id"], chat)
        update_id = self.store.push_update(raw)
        self._wake_pollers()
        return update_id

    def inject_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str | None = None,
        language_code: str | None = "en",
        message_thread_id: int | None = None,
        is_topic_message: bool = False,
        sender_chat: bool | dict[str, Any] | None = None,
        entities: list[dict[str, Any]] | None = None,
        first_name: str | None = None,
        username: str | None = None,
        title: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> int:
        """A user's text message. ``chat_type`` defaults from the id's sign; ``user_id`` to the
        chat id in private chats and 1 elsewhere; a leading /command gets its entity."""
        chat = updates.chat_for(
            chat_id,
            chat_type,
            title=title,
            first_name=first_name,
            username=username,
            is_forum=is_topic_message or bool(self.store.chats.get(chat_id, {}).get("is_forum")),
        )
        self.store.chats[chat_id] = chat
        uid = user_id if user_id is not None else (chat_id if chat["type"] == "private" else 1)
        user = objects.user(uid, language_code, first_name, username)
        sender, sender_chat_obj = updates.sender_for(chat, sender_chat, user)
        reply = self.store.messages.get((chat_id, reply_to_message_id or 0))
        msg = objects.message(
            self.store.next_message_id(chat_id),
            chat,
            sender,
            text=text,
            entities=objects.command_entities(text) if entities is None else entities,
            sender_chat=sender_chat_obj,
            message_thread_id=message_thread_id,
            is_topic_message=True if is_topic_message else None,
            reply_to_message=reply,
        )
        self.store.remember(msg)
        return self.inject_update({"message": msg})

    def inject_callback(
        self,
        chat_id: int,
        user_id: int,
        data: str,
        message_id: int | None = None,
        *,
        language_code: str | None = "en",
    ) -> int:
        """A button press on ``message_id`` (default: the bot's last message in the chat)."""
        if message_id is None:
            own = [m for m in self.store.sent if m["chat"]["id"] == chat_id]
            message_id = own[-1]["message_id"] if own else 1
        msg = self.store.messages.get((chat_id, message_id)) or objects.message(
            message_id, self.store.chat(chat_id), objects.bot_user(), text="…"
        )
        query_id = str(self.store.next_callback_id)
        self.store.next_callback_id += 1
        self.store.open_callbacks.add(query_id)
        user = objects.user(user_id, language_code)
        return self.inject_update(
            {"callback_query": updates.callback_query(query_id, user, data, msg)}
        )

    def inject_membership(
        self,
        chat_id: int,
        by_user_id: int,
        old_status: str = "left",
        new_status: str = "member",
        chat_type: str | None = None,
        title: str | None = None,
    ) -> int:
        """The bot's own membership changed (added: left→member, removed: member→left,
        blocked in private: member→kicked)."""
        chat = self.store.chats.get(chat_id) or updates.chat_for(chat_id, chat_type, title=title)
        self.store.chats[chat_id] = chat
        by = objects.user(by_user_id)
        return self.inject_update(
            {"my_chat_member": updates.my_chat_member(chat, by, old_status, new_status)}
        )

    def inject_migration(self, chat_id: int, new_chat_id: int, user_id: int = 1) -> int:
        """The service message in the old group when it becomes a supergroup."""
        chat = self.store.chats.get(chat_id) or updates.chat_for(chat_id, "group")
        msg = objects.message(
            self.store.next_message_id(chat_id),
            chat,
            objects.user(user_id),
            migrate_to_chat_id=new_chat_id,
        )
        self.store.chats[new_chat_id] = updates.chat_for(
            new_chat_id, "supergroup", title=chat.get("title")
        )
        return self.inject_update({"message": msg})
