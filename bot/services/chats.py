"""A chat's settings (language, time zone, digest, mute) and its life: joined, left, moved.

Inputs are parsed before any database work, so a refused command changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.i18n import LANGS
from bot.digest.schedule import last_slot
from bot.errors import UserInputError
from bot.services.prefs import (
    TZ_EXAMPLES,
    is_off,
    parse_duration,
    parse_time,
    resolve_timezone,
)
from bot.services.subscriptions import ChatRef
from storage.models import Chat
from storage.repos import chats as chat_repo
from storage.repos import digests as digest_repo
from storage.types import utcnow


@dataclass(frozen=True, slots=True)
class ChatView:
    """What /list shows about a chat."""

    language: str
    timezone: str
    digest_time: time | None
    muted_until: datetime | None  # UTC; None or past: not muted

    @property
    def muted(self) -> bool:
        return self.muted_until is not None and self.muted_until > utcnow()

    def local(self, when: datetime) -> str:
        return when.astimezone(ZoneInfo(self.timezone)).strftime("%d.%m.%Y %H:%M")


class ChatService:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], default_tz: str = "Europe/Kyiv"
    ) -> None:
        self.sessions = sessions
        self.default_tz = default_tz

    def _view(self, chat: Chat | None, fallback_lang: str) -> ChatView:
        if chat is None:
            return ChatView(fallback_lang, self.default_tz, None, None)
        return ChatView(
            chat.language, chat.timezone or self.default_tz, chat.digest_time, chat.muted_until
        )

    async def view(self, chat: ChatRef) -> ChatView:
        async with self.sessions() as session:
            return self._view(await chat_repo.get(session, chat.id), chat.language)

    async def language(self, chat: ChatRef) -> str:
        """The chat's chosen language; before it has one, the user's."""
        return (await self.view(chat)).language

    async def _ensure(self, session: AsyncSession, chat: ChatRef) -> Chat:
        existing = await chat_repo.get(session, chat.id)
        language = existing.language if existing else chat.language
        return await chat_repo.ensure(
            session,
            chat.id,
            type_=chat.type,
            title=chat.title,
            language=language,
            is_forum=chat.is_forum,
        )

    # --- settings -----------------------------------------------------------------------------

    async def set_language(self, chat: ChatRef, value: str) -> str:
        lang = value.strip().lower()
        if lang not in LANGS:
            raise UserInputError.coded("lang_usage")
        async with self.sessions() as session, session.begin():
            row = await self._ensure(session, chat)
            row.language = lang
        return lang

    async def set_timezone(self, chat: ChatRef, value: str) -> str:
        if not value.strip():
            raise UserInputError.coded("tz_usage", examples=TZ_EXAMPLES)
        name = resolve_timezone(value)
        if name is None:
            raise UserInputError.coded("tz_unknown", examples=TZ_EXAMPLES)
        async with self.sessions() as session, session.begin():
            row = await self._ensure(session, chat)
            row.timezone = name
            await _skip_passed_digest(session, row, self.default_tz)
        return name

    async def set_digest(self, chat: ChatRef, value: str) -> time | None:
        """The new digest time (in the chat's time zone), None: digest off."""
        if not value.strip():
            raise UserInputError.coded("digest_usage")
        when: time | None = None
        if not is_off(value):
            when = parse_time(value)
            if when is None:
                raise UserInputError.coded("digest_usage")
        async with self.sessions() as session, session.begin():
            row = await self._ensure(session, chat)
            row.digest_time = when
            await _skip_passed_digest(session, row, self.default_tz)
        return when

    async def set_mute(self, chat: ChatRef, value: str) -> datetime | None:
        """Muted until (UTC), None: unmuted."""
        if not value.strip():
            raise UserInputError.coded("mute_usage")
        until: datetime | None = None
        if not is_off(value):
            span = parse_duration(value)
            if span is None:
                raise UserInputError.coded("mute_usage")
            until = utcnow() + span
        async with self.sessions() as session, session.begin():
            await self._ensure(session, chat)
            await chat_repo.set_muted(session, chat.id, until)
        return until

    # --- membership ---------------------------------------------------------------------------

    async def joined(self, chat: ChatRef) -> None:
        async with self.sessions() as session, session.begin():
            await self._ensure(session, chat)

    async def left(self, chat_id: int) -> None:
        """Removed from a group or blocked in private: nothing more is sent there."""
        async with self.sessions() as session, session.begin():
            await chat_repo.deactivate(session, chat_id)

    async def migrated(self, old_id: int, new_id: int) -> None:
        async with self.sessions() as session, session.begin():
            await chat_repo.migrate(session, old_id, new_id)


async def _skip_passed_digest(session: AsyncSession, chat: Chat, default_tz: str) -> None:
    """A digest time set (or a zone changed) after today's slot has passed starts tomorrow:
    today's slot is marked done, so the scheduler's catch-up does not send it at once."""
    if chat.digest_time is None:
        return
    passed = last_slot(utcnow(), chat.digest_time, ZoneInfo(chat.timezone or default_tz))
    await digest_repo.claim(session, chat.id, passed.day, status="skipped")
