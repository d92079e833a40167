"""Pytest fixtures and helpers for tests that run PTB against the loopback Bot API.

The lead can expose them suite-wide with ``from tests.botapi.fixtures import botapi, ptb_bot``
in tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from telegram import Bot
from telegram.ext import Application, ApplicationBuilder

from tests.botapi.server import BotApiServer

TEST_TOKEN = "123456:TEST-loopback-token"

AnyApp = Application[Any, Any, Any, Any, Any, Any]
AnyBuilder = ApplicationBuilder[Any, Any, Any, Any, Any, Any]


def application_builder(srv: BotApiServer, token: str = TEST_TOKEN) -> AnyBuilder:
    """An ApplicationBuilder wired to the fake; add handlers/settings, then ``.build()``."""
    return ApplicationBuilder().token(token).base_url(srv.base_url).base_file_url(srv.base_file_url)


def make_bot(srv: BotApiServer, token: str = TEST_TOKEN) -> Bot:
    return Bot(token, base_url=srv.base_url, base_file_url=srv.base_file_url)


@asynccontextmanager
async def polling(app: AnyApp, poll_timeout: int = 1) -> AsyncIterator[AnyApp]:
    """Run ``app`` with getUpdates polling for the duration of the block, then stop it
    cleanly (updater first, as PTB requires)."""
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=poll_timeout)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


@pytest.fixture
async def botapi() -> AsyncIterator[BotApiServer]:
    async with BotApiServer() as srv:
        yield srv


@pytest.fixture
async def ptb_bot(botapi: BotApiServer) -> AsyncIterator[Bot]:
    async with make_bot(botapi) as bot:
        yield bot
