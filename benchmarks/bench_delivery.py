"""Delivery at Telegram's limits: our dispatcher against PTB's AIORateLimiter and no limiter.

All three send the same workload through PTB to the loopback Bot API server
(tests/botapi), which enforces Telegram's limits scaled by --scales (default: ×1, Telegram's
own, and ×5: 150 msg/s overall, 5/s per private chat, 100/min per group; the windows stay 1 s
and 60 s). The server tops out near 490 sendMessage/s through PTB on a 2-core machine, so
scales above 5 start measuring the server rather than the limiter.

Workload: one post matching --chats chats (70 % private, 30 % groups), then --burst posts in
a row to 30 private chats that track a second word (more than one private chat's per-second
allowance, as when a channel posts a thread). Then --trials single posts, each to 5 fresh
chats with idle budgets, for the latency of the first message.

- ours: posts are ingested into a SQLite outbox (IngestService), the Dispatcher sends them.
  Latency: from the post's transaction commit to the server's acceptance of the message.
- ptb_aio_default: Bot(rate_limiter=AIORateLimiter()) as shipped (30/s overall, 20/min per
  group, max_retries=0), every message sent at once with asyncio.gather; the sender retries a
  429 itself after retry_after. Latency: from the start of the sends.
- ptb_aio_scaled: the same with overall/group rates scaled to the server and max_retries=3
  (PTB then pauses *all* requests on every 429), to see the design rather than the defaults.
- none: no limiter, gather, retry after retry_after.

ratio = achieved msg/s ÷ the server's global limit (target ≥ 0.9); n429 (target 0);
p50/p99 over all messages; first_p99 (target < 200 ms).

Prints a table; the last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Bot  # noqa: E402
from telegram.error import RetryAfter  # noqa: E402
from telegram.ext import AIORateLimiter  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from bot.core.post import Post  # noqa: E402
from bot.deliver.dispatcher import Dispatcher  # noqa: E402
from bot.deliver.pacing import Limits, Pacer  # noqa: E402
from bot.deliver.sender import PtbSender  # noqa: E402
from bot.ingest import IngestService  # noqa: E402
from bot.matching import SubscriptionMatcher  # noqa: E402
from storage.engine import make_engine, make_sessionmaker, upgrade_schema  # noqa: E402
from storage.repos import chats as chat_repo  # noqa: E402
from storage.repos import subscriptions as sub_repo  # noqa: E402
from storage.types import utcnow  # noqa: E402
from tests.botapi import BotApiServer  # noqa: E402
from tests.botapi import Limits as ServerLimits  # noqa: E402

TOKEN = "123456:BENCH"
BUSY_CHATS = 30
IDLE = 1.2  # seconds: longer than the global window
_REPORT = re.compile(r"Report (\d+):")


class Workload:
    def __init__(self, chats: int, burst: int, trials: int, base: int) -> None:
        n_private = int(chats * 0.7)
        self.fanout = [base + i for i in range(n_private)]
        self.fanout += [-(base + i) for i in range(chats - n_private)]
        self.busy = [base + 50_000 + i for i in range(BUSY_CHATS)]
        self.burst = burst
        self.trial_chats = [[base + 80_000 + 5 * t + i for i in range(5)] for t in range(trials)]

    def posts(self) -> list[tuple[Post, list[int]]]:
        """Each post with the chats it goes to, in the order they are published."""
        out = [(_post(1, "kursk"), self.fanout)]
        out += [(_post(2 + i, "sumy"), self.busy) for i in range(self.burst)]
        return out

    @property
    def total(self) -> int:
        return len(self.fanout) + self.burst * len(self.busy)


def _post(n: int, word: str) -> Post:
    return Post(
        channel="bench",
        id=n,
        date=utcnow(),
        text=f"Report {n}: fighting near {word.title()} continues.",
    )


def _text(n: int) -> str:
    return f"Report {n}: fighting near the place continues."


def _bot(srv: BotApiServer, rate_limiter: Any = None) -> Bot:
    request = HTTPXRequest(connection_pool_size=64, pool_timeout=30.0)
    if rate_limiter is None:
        return Bot(TOKEN, base_url=srv.base_url, request=request)
    from telegram.ext import ExtBot

    return ExtBot(TOKEN, base_url=srv.base_url, request=request, rate_limiter=rate_limiter)


def _accepted(srv: BotApiServer, since: int) -> list[tuple[int, float, int]]:
    """(post number, arrival, chat) of every accepted sendMessage after call index ``since``."""
    out = []
    for call in srv.calls[since:]:
        if call.method == "sendMessage" and call.outcome == "ok":
            match = _REPORT.search(str(call.params.get("text", "")))
            if match:
                out.append((int(match.group(1)), call.at, int(call.chat_id)))
    return out


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _figures(
    srv: BotApiServer,
    since: int,
    stored: dict[int, float],
    limit: float,
    first: list[float],
    total: int,
    n429: int,
) -> dict[str, Any]:
    got = [g for g in _accepted(srv, since) if g[0] in stored]  # the trials count apart
    latencies = [at - stored[n] for n, at, _ in got if n in stored]
    start = min(stored.values())
    seconds = max(at for _, at, _ in got) - start if got else float("nan")
    rate = len(got) / seconds if got else 0.0
    return {
        "messages": total,
        "delivered": len(got),
        "seconds": round(seconds, 3),
        "msg_per_s": round(rate, 1),
        "limit_per_s": limit,
        "ratio": round(rate / limit, 3),
        "n429": n429,
        "p50_ms": round(_pct(latencies, 0.5) * 1000, 1),
        "p99_ms": round(_pct(latencies, 0.99) * 1000, 1),
        "first_p50_ms": round(_pct(first, 0.5) * 1000, 1),
        "first_p99_ms": round(_pct(first, 0.99) * 1000, 1),
    }


async def run_ours(srv: BotApiServer, work: Workload, scale: float) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="dozor-bench-"))
    engine = make_engine(f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}")
    await upgrade_schema(engine)
    sessions = make_sessionmaker(engine)
    async with sessions() as session, session.begin():
        groups = ((work.fanout, "kursk"), (work.busy, "sumy"))
        for chats, word in (*groups, *((c, f"trial{t}") for t, c in enumerate(work.trial_chats))):
            for chat in chats:
                kind = "private" if chat > 0 else "group"
                await chat_repo.ensure(session, chat, type_=kind, language="en")
                await sub_repo.add(session, chat, "text", word, word)
    limits = Limits(30 * scale, 1 * scale, 20 * scale, 1 * scale)
    since, n429_before = len(srv.calls), srv.count_429
    async with _bot(srv) as bot:
        dispatcher = Dispatcher(
            sessions,
            PtbSender(bot, tmp),
            Pacer(limits),
            default_tz="Europe/Kyiv",
            batch=200,
            concurrency=16,
            idle_poll=0.05,
        )
        ingest = IngestService(sessions, SubscriptionMatcher(), on_enqueued=dispatcher.wake)
        stop = asyncio.Event()
        task = asyncio.create_task(dispatcher.run(stop))
        stored: dict[int, float] = {}
        for post, _ in work.posts():
            await ingest.new_posts([post])
            stored[post.id] = time.monotonic()
        await srv.wait_for(lambda _: len(_accepted(srv, since)) >= work.total, timeout=600)
        await asyncio.sleep(IDLE)  # the global window empties: the trials start idle
        first: list[float] = []
        for t, chats in enumerate(work.trial_chats):
            await asyncio.sleep(0.25)
            mark = len(srv.calls)
            post = _post(10_000 + t, f"trial{t}")
            await ingest.new_posts([post])
            t0 = time.monotonic()
            await srv.wait_for(lambda _, m=mark, c=chats: len(_accepted(srv, m)) >= len(c))
            first.append(min(at for _, at, _ in _accepted(srv, mark)) - t0)
        stop.set()
        await task
    await engine.dispose()
    return _figures(srv, since, stored, 30 * scale, first, work.total, srv.count_429 - n429_before)


async def _send_all(bot: Bot, items: list[tuple[int, int]]) -> None:
    async def one(chat: int, n: int) -> None:
        for _ in range(20):
            try:
                await bot.send_message(chat, _text(n))
                return
            except RetryAfter as exc:
                await asyncio.sleep(float(exc._retry_after.total_seconds()))

    await asyncio.gather(*(one(chat, n) for chat, n in items))


async def run_baseline(
    srv: BotApiServer, work: Workload, scale: float, limiter: Callable[[], Any] | None
) -> dict[str, Any]:
    since, n429_before = len(srv.calls), srv.count_429
    async with _bot(srv, limiter() if limiter else None) as bot:
        items = [(chat, post.id) for post, chats in work.posts() for chat in chats]
        t0 = time.monotonic()
        stored = {post.id: t0 for post, _ in work.posts()}
        await _send_all(bot, items)
        await asyncio.sleep(IDLE)  # the global window empties: the trials start idle
        first: list[float] = []
        for t, chats in enumerate(work.trial_chats):
            await asyncio.sleep(0.25)
            mark = len(srv.calls)
            t1 = time.monotonic()
            await _send_all(bot, [(c, 10_000 + t) for c in chats])
            first.append(min(at for _, at, _ in _accepted(srv, mark)) - t1)
    return _figures(srv, since, stored, 30 * scale, first, work.total, srv.count_429 - n429_before)


async def run_scale(args: argparse.Namespace, scale: float) -> dict[str, Any]:
    results: dict[str, Any] = {}
    modes: list[tuple[str, Callable[[BotApiServer, Workload], Awaitable[dict[str, Any]]]]] = [
        ("ours", lambda s, w: run_ours(s, w, scale)),
        ("ptb_aio_default", lambda s, w: run_baseline(s, w, scale, AIORateLimiter)),
        (
            "ptb_aio_scaled",
            lambda s, w: run_baseline(
                s,
                w,
                scale,
                lambda: AIORateLimiter(
                    overall_max_rate=30 * scale, group_max_rate=20 * scale, max_retries=3
                ),
            ),
        ),
        ("none", lambda s, w: run_baseline(s, w, scale, None)),
    ]
    for i, (name, run) in enumerate(modes):
        if args.only and name not in args.only:
            continue
        # A fresh server per mode: no limit window carries over from the previous one.
        async with BotApiServer(limits=ServerLimits(scale=scale)) as srv:
            work = Workload(args.chats, _burst(args, scale), args.trials, base=1_000_000 * (i + 1))
            results[name] = await run(srv, work)
            print(f"  ×{scale:g} {name}: done", file=sys.stderr)
    return results


async def main_async(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    return {f"x{scale:g}": await run_scale(args, scale) for scale in args.scales}


def _burst(args: argparse.Namespace, scale: float) -> int:
    """More posts than a private chat may get in two seconds."""
    return int(args.burst or 2 * scale + 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=600)
    parser.add_argument(
        "--burst",
        type=int,
        default=0,
        help="posts to the busy private chats (default: 2 × scale + 1)",
    )
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument(
        "--scales",
        type=float,
        nargs="+",
        default=[1.0, 5.0],
        help="limit multipliers to run (default: 1 = Telegram's own, and 5)",
    )
    parser.add_argument("--only", nargs="*", help="run only these modes")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    # AIORateLimiter logs every 429 it gives up on with a traceback; the table counts them.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
    by_scale = asyncio.run(main_async(args))

    cols = (
        "messages",
        "delivered",
        "msg_per_s",
        "ratio",
        "n429",
        "p50_ms",
        "p99_ms",
        "first_p50_ms",
        "first_p99_ms",
    )
    for scale in args.scales:
        results = by_scale[f"x{scale:g}"]
        print(
            f"\nlimits ×{scale:g}: {30 * scale:g} msg/s overall, {scale:g}/s per private "
            f"chat, {20 * scale:g}/min per group; {args.chats} chats + "
            f"{_burst(args, scale)} posts to {BUSY_CHATS} private chats"
        )
        print(f"{'mode':18}" + "".join(f"{c:>13}" for c in cols))
        for name, fig in results.items():
            print(f"{name:18}" + "".join(f"{fig[c]!s:>13}" for c in cols))
        ours = results.get("ours")
        if ours:
            ok = ours["ratio"] >= 0.9 and ours["n429"] == 0 and ours["first_p99_ms"] < 200
            print(
                f"ours vs targets (ratio ≥ 0.9, 0 × 429, first p99 < 200 ms): "
                f"{'met' if ok else 'NOT met'}"
            )
    summary = {
        "bench": "delivery",
        "chats": args.chats,
        "busy_chats": BUSY_CHATS,
        "trials": args.trials,
        "scales": args.scales,
        "bursts": {f"x{s:g}": _burst(args, s) for s in args.scales},
        "global_limit_per_s": {f"x{s:g}": 30 * s for s in args.scales},
        "results": by_scale,
    }
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main()
