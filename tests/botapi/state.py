"""What the fake server remembers: recorded calls, chats, messages, files, queued updates."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from tests.botapi import objects

# Telegram's default when allowed_updates is empty: everything except these.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class Call:
    """One request. ``outcome`` is "pending" while a slow answer is being delayed, then "ok",
    "rate_limited" (limit enforcement), "failed" (injected with fail_next) or "error" (the fake
    itself refused it, e.g. bad HTML or an unknown method)."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes]
    at: float
    chat_id: int | str | None
    outcome: str = "pending"
    status: int = 0
    description: str | None = None
    result: Any = None
    answered_at: float = 0.0  # when the answer left the server (the clock of ``at``)

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


@dataclass
class StoredFile:
    file_id: str
    unique_id: str
    path: str
    data: bytes
    url: str | None = None


@dataclass
class Store:
    chats: dict[int | str, dict[str, Any]] = field(default_factory=dict)
    messages: dict[tuple[int | str, int], dict[str, Any]] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, StoredFile] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)
    commands: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    members: dict[int | str, dict[int, str]] = field(default_factory=dict)
    allowed_updates: list[str] | None = None
    webhook: dict[str, Any] | None = None  # the last setWebhook's parameters
    next_update_id: int = 1
    next_callback_id: int = 1
    open_callbacks: set[str] = field(default_factory=set)
    _message_ids: dict[int | str, int] = field(default_factory=dict)
    _file_seq: int = 0

    # chats and messages

    def chat(self, chat_id: int | str) -> dict[str, Any]:
        return self.chats.get(chat_id) or objects.default_chat(chat_id)

    def next_message_id(self, chat_id: int | str) -> int:
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def remember(self, msg: dict[str, Any]) -> dict[str, Any]:
        self.messages[(msg["chat"]["id"], msg["message_id"])] = msg
        return msg

    # files

    def add_file(self, data: bytes, url: str | None = None) -> StoredFile:
        self._file_seq += 1
        digest = hashlib.sha256(data or (url or "").encode()).hexdigest()
        stored = StoredFile(
            file_id=f"AgAC{self._file_seq:06d}{digest[:16]}",
            unique_id=f"AQAD{digest[:12]}",
            path=f"photos/file_{self._file_seq}.jpg",
            data=data,
            url=url,
        )
        self.files[stored.file_id] = stored
        return stored

    def find_file(self, file_id: str) -> StoredFile | None:
        # Thumbnails share the bytes of their full size (see objects.photo_sizes).
        return self.files.get(file_id) or self.files.get(file_id.removesuffix("_s"))

    def file_by_path(self, path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.path == path), None)

    # updates

    def push_update(self, raw: dict[str, Any]) -> int:
        update = dict(raw)
        if "update_id" not in update:
            update["update_id"] = self.next_update_id
        self.next_update_id = max(self.next_update_id, update["update_id"]) + 1
        self.updates.append(update)
        return int(update["update_id"])

    def confirm(self, offset: int) -> None:
        """Telegram forgets updates below the offset; a negative offset keeps the last N."""
        if offset < 0:
            self.updates = self.updates[offset:]
        elif offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def deliverable(self, limit: int) -> list[dict[str, Any]]:
        allowed = self.allowed_updates
        out = []
        for update in self.updates:
            kind = next((k for k in update if k != "update_id"), "")
            if allowed and kind not in allowed:
                continue
            if not allowed and kind in _OPT_IN_UPDATES:
                continue
            out.append(update)
            if len(out) >= limit:
                break
        return out

    # commands and members

    @staticmethod
    def scope_key(scope: Any) -> str:
        if not scope or scope == {"type": "default"}:
            return "default"
        return json.dumps(scope, sort_keys=True)

    def status_of(self, chat_id: int | str, user_id: int) -> str:
        explicit = self.members.get(chat_id, {}).get(user_id)
        if explicit:
            return explicit
        return "member"
