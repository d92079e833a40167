"""The composition root: what it builds and how the parts reach each other."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path
from typing import Any

from telegram import Bot

from bot.app import build_application, build_dispatcher, start_core
from bot.deliver.pacing import Limits, Pacer
from bot.deliver.sender import PtbSender
from bot.places import Places
from handlers.context import BotData
from tests.botapi import BotApiServer
from tests.botapi.fixtures import TEST_TOKEN
from tests.delivery_kit import post, seed

ROOT = Path(__file__).resolve().parents[2]
# The composition root, its processes and the command line's entry points (and the replay
# tool, which is one such entry point): the only modules that may build from bot.app.
WIRING = ("bot/app.py", "bot/compose/", "bot/cli/", "bot/replay.py")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_only_the_wiring_imports_the_root_or_the_handlers() -> None:
    offenders = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(WIRING):
            continue
        upward = {
            m
            for m in _imports(path)
            if m in ("bot.app", "handlers") or m.startswith(("bot.compose", "handlers."))
        }
        if upward:
            offenders.append((rel, sorted(upward)))
    assert offenders == []


async def test_rows_queued_after_the_dispatcher_was_built_wake_it(settings_factory: Any) -> None:
    """Nothing registers with anything after construction: the core's wakeup exists first,
    whatever queues sets it, the dispatcher built later waits on it. With a minute between
    polls, only the wakeup can deliver the alert within seconds."""
    core = await start_core(settings_factory())
    try:
        await seed(core.sessions, [501])
        async with (
            BotApiServer() as botapi,
            Bot(TEST_TOKEN, base_url=botapi.base_url, base_file_url=botapi.base_file_url) as bot,
        ):
            dispatcher = build_dispatcher(
                core, PtbSender(bot, Path(".")), Pacer(Limits()), idle_poll=60.0
            )
            stop = asyncio.Event()
            running = asyncio.create_task(dispatcher.run(stop))
            try:
                await asyncio.sleep(0.3)  # the dispatcher is idle, waiting
                assert await core.ingest.new_posts([post(1)]) == 1
                await botapi.wait_for(lambda _: bool(botapi.sent_messages()), timeout=10)
            finally:
                stop.set()
                await running
            assert [int(m["chat"]["id"]) for m in botapi.sent_messages()] == [501]
    finally:
        await core.close()


async def test_the_bot_data_is_typed_and_replies_are_html_without_previews(
    settings_factory: Any,
) -> None:
    core = await start_core(settings_factory())
    try:
        app = build_application(core)
        assert isinstance(app.bot_data, BotData)
        # The handlers' services share the core's sessions and places.
        assert app.bot_data.subscriptions.sessions is core.sessions
        assert app.bot_data.archive.places.places is core.places
        defaults = app.bot.defaults
        assert defaults is not None
        assert defaults.parse_mode == "HTML"
        assert defaults.link_preview_options is not None
        assert defaults.link_preview_options.is_disabled
    finally:
        await core.close()


async def test_a_post_read_in_one_task_is_not_seen_by_another(settings_factory: Any) -> None:
    """The ingest reads a post's mentions once and the claims hook of that post is answered
    from that reading; posts of other sources, ingested at the same time, keep their own."""
    core = await start_core(settings_factory())
    places: Places = core.places
    kursk, kharkiv = "Бої під Суджею.", "Обстріл Харкова."
    seen: dict[str, tuple[object, ...]] = {}

    async def read(text: str) -> None:
        with places.reading(text) as reading:
            mentions = reading.mentions
            seen[text] = tuple(mentions)
            await asyncio.sleep(0.05)  # the other task reads meanwhile
            again = places.find(text)
            assert all(a is b for a, b in zip(again, mentions, strict=True))

    try:
        await asyncio.gather(read(kursk), read(kharkiv))
        assert [m.place.id for m in seen[kursk] if m.place] != [
            m.place.id for m in seen[kharkiv] if m.place
        ]
        assert seen[kursk] and seen[kharkiv]
    finally:
        await core.close()
