"""Another user's /help reply time while one user sends 20 of the heaviest commands allowed
(unknown 200-character place names in /claims, /latest and /track: each a fuzzy search).

The whole bot runs against the loopback Bot API server (tests/botapi) on SQLite. Measured in
the same run: the reply time on an idle bot (the floor), and the previous configuration as the
baseline: updates handled one at a time and the unbounded fuzzy search over every name (the
red team saw 78 s on their machine). Run: ``python benchmarks/bench_freeze.py``.

Target: under the flood, /help is answered within 1 s and at most 10x the idle time.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rapidfuzz import fuzz, process
from telegram.ext import SimpleUpdateProcessor

from bot.analysis.places import Gazetteer, Place, get_gazetteer
from bot.analysis.places.gazetteer import KIND_RANK
from bot.analysis.places.normalise import norm_key
from bot.app import start_core
from bot.compose.processes import start_bot, stop_bot
from bot.config import Settings
from bot.services.ratelimit import RateLimiter
from tests.botapi import BotApiServer

USER, OTHER = 5001, 5002
HEAVY_NAME = ("кпбгжмнлдщ" * 30)[:200]
HEAVY = [f"/{c} {HEAVY_NAME}" for _ in range(7) for c in ("claims", "latest", "track")][:20]
TARGET_S, TARGET_RATIO = 1.0, 10.0


_OLD_NAMES: dict[str, tuple[list[str], list[int]]] = {}


def _old_suggest(self: Gazetteer, query: str, limit: int = 5) -> list[Place]:
    """The suggestion search before the fix: every name, the whole query, no cut-off (the
    name list built once and kept, as it was)."""
    if not _OLD_NAMES:
        names: list[str] = []
        owner: list[int] = []
        for i, p in enumerate(self.places):
            for n in {p.name_uk, p.name_en, p.name_ru or ""}:
                if n:
                    names.append(norm_key(n))
                    owner.append(i)
        _OLD_NAMES["all"] = names, owner
    names, owner = _OLD_NAMES["all"]
    found = process.extract(norm_key(query), names, scorer=fuzz.WRatio, limit=limit * 8)
    out = [self.places[owner[j]] for _, score, j in found if score >= 60]
    return sorted(dict.fromkeys(out), key=lambda p: KIND_RANK.get(p.kind, 9))[:limit]


@contextmanager
def _previous_suggest() -> Iterator[None]:
    saved = Gazetteer.suggest
    Gazetteer.suggest = _old_suggest  # type: ignore[method-assign]
    try:
        yield
    finally:
        Gazetteer.suggest = saved  # type: ignore[method-assign]


async def _help_time(tmp: Path, flood: bool, previous: bool) -> float:
    async with BotApiServer() as api:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=f"sqlite+aiosqlite:///{tmp / f'freeze-{flood}-{previous}.sqlite3'}",
            media_dir=tmp / "media",
            bot_token="1:BENCH",
            telegram_api_url=f"{api.url}/bot",
            telegram_file_url=f"{api.url}/file/bot",
        )
        core = await start_core(settings)
        running = await start_bot(core, poll_timeout=1)
        running.app.bot_data.limiter = RateLimiter(per_minute=10_000)
        if previous:  # one update at a time, as PTB does by default
            running.app._update_processor = SimpleUpdateProcessor(1)
        try:
            if flood:
                for text in HEAVY:
                    api.inject_message(USER, text, user_id=USER, language_code="en")
            t0 = time.monotonic()
            api.inject_message(OTHER, "/help", user_id=OTHER, language_code="en")
            await api.wait_for(lambda _: api.calls_of("sendMessage", OTHER), timeout=600)
            elapsed = time.monotonic() - t0
            if flood:  # let the flood finish before the bot stops
                await api.wait_for(
                    lambda _: len(api.calls_of("sendMessage", USER)) >= len(HEAVY), timeout=600
                )
            return elapsed
        finally:
            await stop_bot(running)
            await core.close()


def main() -> None:
    get_gazetteer().suggest("warm up")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        idle = statistics.median(asyncio.run(_help_time(tmp, False, False)) for _ in range(3))
        flood = statistics.median(asyncio.run(_help_time(tmp, True, False)) for _ in range(3))
        with _previous_suggest():
            _old_suggest(get_gazetteer(), "warm up")
            before = asyncio.run(_help_time(tmp, True, True))
    rows = [
        ("idle bot: /help reply, s", idle),
        ("20 heavy commands from another user: /help reply, s", flood),
        ("baseline (one update at a time, unbounded search), s", before),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  value")
    for label, value in rows:
        print(f"{label.ljust(width)}  {value:8.3f}")
    met = flood <= TARGET_S and flood <= TARGET_RATIO * max(idle, 0.01)
    print(
        json.dumps(
            {
                "bench": "freeze",
                "heavy_commands": len(HEAVY),
                "help_reply_s_under_flood": round(flood, 3),
                "help_reply_s_idle": round(idle, 3),
                "baseline": {
                    "name": "sequential updates + unbounded fuzzy search (before the fix)",
                    "help_reply_s_under_flood": round(before, 3),
                },
                "target": f"under flood <= {TARGET_S} s and <= {TARGET_RATIO}x idle",
                "met": met,
            }
        )
    )


if __name__ == "__main__":
    main()
