"""Helpers for the delivery tests (no tests here): chats that track one word, posts that match
it, and a dispatcher running against the loopback Bot API server."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.core.post import Post
from bot.deliver.dispatcher import Dispatcher
from bot.deliver.pacing import Limits, Pacer, SharedBudget
from bot.deliver.sender import PtbSender
from bot.ingest import IngestService
from bot.matching import SubscriptionMatcher
from storage.repos import chats as chat_repo
from storage.repos import subscriptions as sub_repo
from storage.types import utcnow
from tests.botapi import BotApiServer
from tests.botapi.fixtures import TEST_TOKEN

WORD = "kursk"


def chat_type(chat_id: int) -> str:
    """As the loopback server sees ids it has no update for: positive ids are private."""
    if chat_id > 0:
        return "private"
    return "supergroup" if chat_id <= -1_000_000_000_000 else "group"


async def seed(
    sessions: async_sessionmaker[AsyncSession], chat_ids: Iterable[int], word: str = WORD
) -> None:
    async with sessions() as session, session.begin():
        for chat_id in chat_ids:
            await chat_repo.ensure(session, chat_id, type_=chat_type(chat_id), language="en")
            await sub_repo.add(session, chat_id, "text", word, word.title())


def post(n: int, word: str = WORD) -> Post:
    return Post(
        channel="mod_russia",
        id=n,
        date=utcnow(),
        text=f"Report {n}: fighting near {word.title()} continues.",
    )


def ingest_service(
    sessions: async_sessionmaker[AsyncSession], dispatcher: Dispatcher | None = None
) -> IngestService:
    wake = dispatcher.wake if dispatcher is not None else (lambda: None)
    return IngestService(sessions, SubscriptionMatcher(), on_enqueued=wake)


def make_bot(srv: BotApiServer, pool: int = 32) -> Bot:
    return Bot(
        TEST_TOKEN,
        base_url=srv.base_url,
        base_file_url=srv.base_file_url,
        request=HTTPXRequest(connection_pool_size=pool),
    )


@asynccontextmanager
async def delivering(
    sessions: async_sessionmaker[AsyncSession],
    srv: BotApiServer,
    limits: Limits = Limits(),
    *,
    budget: SharedBudget | None = None,
    **kwargs: Any,
) -> AsyncIterator[Dispatcher]:
    """A running dispatcher; stopped (and its sends recorded) when the block ends."""
    kwargs.setdefault("idle_poll", 0.05)
    kwargs.setdefault("lease", timedelta(seconds=30))
    async with make_bot(srv) as bot:
        dispatcher = Dispatcher(
            sessions,
            PtbSender(bot, Path(".")),
            Pacer(limits, budget=budget),
            default_tz="Europe/Kyiv",
            **kwargs,
        )
        stop = asyncio.Event()
        task = asyncio.create_task(dispatcher.run(stop))
        try:
            yield dispatcher
        finally:
            stop.set()
            await task


def sent_per_chat(srv: BotApiServer) -> Counter[int]:
    return Counter(int(m["chat"]["id"]) for m in srv.sent_messages())


def ok_calls(srv: BotApiServer, chat_id: int | None = None) -> list[Any]:
    return [c for c in srv.calls_of("sendMessage", chat_id) if c.outcome == "ok"]
