"""Driving the whole bot through the loopback Bot API: one server and one app per test.

async def test_x(bot: Talk) -> None:
    reply = await bot.say(USER, "/track Sudzha")
    await bot.press(USER, USER, "tp:RU-KRS")
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from sqlalchemy import select

from bot.app import Core, start_core
from bot.compose.processes import Running, start_bot, stop_bot
from bot.core.post import Post
from bot.services.ratelimit import RateLimiter
from storage.models import Chat, Subscription
from tests.botapi.limits import Limits
from tests.botapi.server import BotApiServer
from tests.botapi.state import Call

USER = 5001
OTHER = 5002
ADMIN = 6001
GROUP = -100777
FORUM = -100888

_post_ids = itertools.count(70_000)
T = TypeVar("T")


class Talk:
    """A user's side of the conversation, plus what the database holds."""

    def __init__(self, botapi: BotApiServer, running: Running) -> None:
        self.api = botapi
        self.running = running

    @property
    def core(self) -> Core:
        return self.running.core

    def _answers(self, chat_id: int) -> list[Call]:
        return [
            c
            for c in self.api.calls
            if str(c.chat_id) == str(chat_id) and c.method in ("sendMessage", "editMessageText")
        ]

    async def say(
        self, chat_id: int, text: str, *, user_id: int | None = None, lang: str = "en", **kw: Any
    ) -> dict[str, Any]:
        """Sends ``text`` and returns the params of the bot's (first) answer."""
        before = len(self._answers(chat_id))
        self.api.inject_message(
            chat_id,
            text,
            user_id=user_id if user_id is not None else chat_id,
            language_code=lang,
            **kw,
        )
        await self.api.wait_for(lambda _: len(self._answers(chat_id)) > before)
        return self._answers(chat_id)[before].params

    async def press(
        self, chat_id: int, user_id: int, data: str, lang: str = "en"
    ) -> dict[str, Any]:
        """Presses a button on the bot's last message; returns the edit or message it made."""
        before = len(self._answers(chat_id))
        alerts = len(self.api.calls_of("answerCallbackQuery"))
        self.api.inject_callback(chat_id, user_id, data, language_code=lang)
        await self.api.wait_for(
            lambda _: (
                len(self._answers(chat_id)) > before
                or any(
                    c.params.get("show_alert")
                    for c in self.api.calls_of("answerCallbackQuery")[alerts:]
                )
            )
        )
        answers = self._answers(chat_id)[before:]
        if answers:
            return answers[0].params
        return self.api.calls_of("answerCallbackQuery")[alerts:][-1].params

    async def snapshot(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """Every chat and subscription row, to show a refused command changed nothing."""
        async with self.core.sessions() as session:
            chats = [
                (
                    c.id,
                    c.type,
                    c.language,
                    c.timezone,
                    c.digest_time,
                    c.muted_until,
                    c.active,
                    c.migrated_to,
                )
                for c in await session.scalars(select(Chat).order_by(Chat.id))
            ]
            subs = [
                (s.id, s.chat_id, s.kind, s.key, s.thread_id)
                for s in await session.scalars(select(Subscription).order_by(Subscription.id))
            ]
        return chats, subs

    async def subs(self, chat_id: int) -> list[tuple[str, str, int]]:
        async with self.core.sessions() as session:
            rows = await session.scalars(
                select(Subscription)
                .where(Subscription.chat_id == chat_id)
                .order_by(Subscription.id)
            )
            return [(s.kind, s.key, s.thread_id) for s in rows]

    async def chat(self, chat_id: int) -> Chat | None:
        async with self.core.sessions() as session:
            return await session.get(Chat, chat_id)

    async def post(self, text: str, channel: str = "mod_russia") -> int:
        """A new channel post through the real ingest path; returns its id."""
        post_id = next(_post_ids)
        await self.core.ingest.new_posts(
            [Post(channel=channel, id=post_id, date=datetime.now(UTC), text=text)]
        )
        return post_id

    async def alerts_to(self, chat_id: int, count: int = 1) -> list[Call]:
        """Waits for ``count`` alerts (messages linking a post) to ``chat_id``."""

        def found(_: object) -> list[Call]:
            calls = [
                c
                for c in self.api.calls_of("sendMessage", chat_id)
                if "t.me/" in str(c.params.get("text", "")) and c.outcome == "ok"
            ]
            return calls if len(calls) >= count else []

        return await self.api.wait_for(found, timeout=10)


async def eventually(check: Callable[[], Awaitable[T]], timeout: float = 5.0) -> T:  # noqa: ASYNC109
    """Polls ``check`` until it returns something truthy (the bot works asynchronously)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value or asyncio.get_running_loop().time() > deadline:
            assert value, "condition never held"
            return value
        await asyncio.sleep(0.05)


def buttons(params: dict[str, Any]) -> list[tuple[str, str]]:
    markup = params.get("reply_markup") or {}
    return [
        (b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row
    ]


@contextlib.asynccontextmanager
async def talking(
    settings_factory: Any, db_url: str, *, limits: Limits | None = None, **overrides: Any
) -> AsyncIterator[Talk]:
    """A fresh database, the loopback Bot API server and the bot on it (``limits``: the
    server enforces Telegram's flood limits; ``overrides``: more settings, e.g. the t.me
    server's URL)."""
    from tests.conftest import reset_database

    await reset_database(db_url)
    async with BotApiServer(limits) as botapi:
        settings = settings_factory(
            database_url=db_url,
            telegram_api_url=f"{botapi.url}/bot",
            telegram_file_url=f"{botapi.url}/file/bot",
            **overrides,
        )
        core = await start_core(settings)
        running = await start_bot(core, poll_timeout=1)
        assert running is not None
        # Tests send many commands quickly; the rate-limit test installs its own limiter.
        running.app.bot_data.limiter = RateLimiter(per_minute=10_000)
        try:
            yield Talk(botapi, running)
        finally:
            await stop_bot(running)
            await core.close()


@pytest.fixture
async def bot(settings_factory: Any, db_url: str) -> AsyncIterator[Talk]:
    async with talking(settings_factory, db_url) as talk:
        yield talk
