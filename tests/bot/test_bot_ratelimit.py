"""Per-user command rate limit: one polite reply, then silence until the bucket refills."""

from __future__ import annotations

import asyncio

from bot.services.ratelimit import RateLimiter, Verdict
from tests.bot_kit import OTHER, USER, Talk, bot

__all__ = ["bot"]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=3, clock=clock)
    assert [limiter.check(1) for _ in range(5)] == [
        Verdict.ALLOW,
        Verdict.ALLOW,
        Verdict.ALLOW,
        Verdict.WARN,
        Verdict.SILENT,
    ]
    assert limiter.check(2) is Verdict.ALLOW  # per user
    clock.now += 20  # one token back
    assert limiter.check(1) is Verdict.ALLOW
    assert limiter.check(1) is Verdict.WARN  # told again after a pause


def test_memory_is_bounded() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=2, clock=clock, max_users=10)
    for uid in range(10):
        limiter.check(uid)
    clock.now += 60
    limiter.check(99)
    assert len(limiter._buckets) <= 2


async def test_flooding_user_is_told_once_then_ignored(bot: Talk) -> None:
    bot.running.app.bot_data.limiter = RateLimiter(per_minute=5)
    for _ in range(8):
        bot.api.inject_message(USER, "/help", user_id=USER, language_code="en")
    # Another user is unaffected: answered while the flooder's replies are still being paced.
    await bot.say(OTHER, "/help")
    await bot.api.wait_for(lambda _: len(bot.api.calls_of("sendMessage", USER)) >= 6, timeout=15)
    await asyncio.sleep(1.5)  # and nothing more comes
    texts = [str(c.params.get("text")) for c in bot.api.calls_of("sendMessage", USER)]
    assert sum("What to track" in t for t in texts) == 5
    assert sum("Too many commands" in t for t in texts) == 1
    assert len(texts) == 6
