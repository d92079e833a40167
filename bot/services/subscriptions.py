"""Tracking and untracking, with the input checks and limits users are told about."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.i18n import t
from bot.errors import LimitExceededError, UserInputError
from storage.repos import chats as chat_repo
from storage.repos import subscriptions as sub_repo

MAX_QUERY = 200
MAX_SUBSCRIPTIONS = 50


@dataclass(frozen=True, slots=True)
class ChatRef:
    """What a handler knows about where a command came from."""

    id: int
    type: str
    title: str | None = None
    language: str = "uk"
    is_forum: bool = False
    thread_id: int = 0


@dataclass(frozen=True, slots=True)
class TrackResult:
    label: str
    created: bool


@dataclass(frozen=True, slots=True)
class Tracked:
    id: int
    kind: str
    label: str
    thread_id: int


def _clean(text: str, lang: str) -> str:
    value = " ".join(text.split())
    if not value:
        raise UserInputError(t(lang, "track_usage"))
    if len(value) > MAX_QUERY:
        raise LimitExceededError(t(lang, "too_long", limit=MAX_QUERY))
    return value


class SubscriptionService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def register_chat(self, chat: ChatRef) -> None:
        async with self.sessions() as session, session.begin():
            await self._ensure_chat(session, chat)

    async def _ensure_chat(self, session: AsyncSession, chat: ChatRef) -> None:
        existing = await chat_repo.get(session, chat.id)
        language = existing.language if existing else chat.language
        await chat_repo.ensure(session, chat.id, type_=chat.type, title=chat.title,
                               language=language, is_forum=chat.is_forum)

    async def track_text(self, chat: ChatRef, text: str) -> TrackResult:
        label = _clean(text, chat.language)
        async with self.sessions() as session, session.begin():
            await self._ensure_chat(session, chat)
            if await sub_repo.count_for_chat(session, chat.id) >= MAX_SUBSCRIPTIONS:
                raise LimitExceededError(t(chat.language, "too_many", limit=MAX_SUBSCRIPTIONS))
            created = await sub_repo.add(
                session, chat.id, "text", label.casefold(), label, chat.thread_id
            )
        return TrackResult(label, created)

    async def list(self, chat_id: int) -> list[Tracked]:
        async with self.sessions() as session:
            subs = await sub_repo.for_chat(session, chat_id)
        return [Tracked(s.id, s.kind, s.label, s.thread_id) for s in subs]

    async def untrack_id(self, chat_id: int, sub_id: int) -> str | None:
        async with self.sessions() as session, session.begin():
            sub = await sub_repo.remove(session, chat_id, sub_id)
        return sub.label if sub else None

    async def untrack_label(self, chat: ChatRef, text: str) -> str | None:
        label = _clean(text, chat.language)
        wanted = label.casefold()
        async with self.sessions() as session, session.begin():
            for sub in await sub_repo.for_chat(session, chat.id):
                if sub.label.casefold() == wanted or sub.key == wanted:
                    await sub_repo.remove(session, chat.id, sub.id)
                    return sub.label
        return None
