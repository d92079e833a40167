"""Bulk data for ``bench_scale.py``: an archive of N posts with search terms, claims and
match records, chats with places and keywords, sent deliveries, written with batched
INSERTs (not through ingest, which is what is being measured).

Posts reuse a pool of realistic texts (tests/data); the expensive per-text work (search terms,
claims, which subscriptions match) is done once per distinct text and copied per post.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from benchmarks.corpus import make_posts
from bot.analysis.claims import default_place_tools
from bot.analysis.claims.extract import extract_claims
from bot.analysis.places import get_gazetteer
from bot.core.keywords import analyse_text, parse
from bot.core.tokens import index_terms
from bot.matching import PlaceSubscriptions
from storage.models import Alert, Channel, Chat, Delivery, Post, PostMatch, Subscription
from storage.models import Claim as ClaimRow
from storage.repos.search import index_for

ROOT = Path(__file__).resolve().parent.parent
PER_DAY = 2000  # posts a day across ~100 channels
CHANNELS = 100
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
CHUNK = 2000


def text_pool(n: int) -> list[str]:
    """Realistic posts: packed paragraphs of labelled texts plus the claims fixtures."""
    pool = make_posts(n)
    for path in sorted((ROOT / "tests" / "data").glob("claims_*.jsonl")):
        pool += [json.loads(x)["text"] for x in path.read_text(encoding="utf-8").splitlines() if x]
    return pool


ID_TOP = 50_000_000  # post i has id ID_TOP - i: older posts, smaller ids; live ones above


def post_id(i: int) -> int:
    return ID_TOP - i


def post_date(i: int) -> datetime:
    """Post ``i`` (0: newest) at 2,000 posts a day back from now."""
    return NOW - timedelta(seconds=i * 86400 / PER_DAY)


@dataclass
class Pool:
    texts: list[str]
    terms: list[Any] = field(default_factory=list)  # search index parameter per text
    claims: list[list[dict[str, Any]]] = field(default_factory=list)
    covered: list[dict[str, list[tuple[int, int]]]] = field(default_factory=list)
    docs: list[Any] = field(default_factory=list)

    def prepare(self, dialect: str) -> None:
        index = index_for_dialect_name(dialect)
        tools = default_place_tools()
        places = PlaceSubscriptions()
        self.terms = [index._terms_param(index_terms(t)) for t in self.texts]
        self.claims = []
        for t in self.texts:
            found = extract_claims(
                t, channel_side="UA", date=NOW, find_places=tools.find, contains=tools.contains
            )
            self.claims.append(
                [
                    {
                        "place_id": c.place_id,
                        "place_name": c.place_name,
                        "kind": c.kind,
                        "side": c.side,
                        "polarity": c.polarity,
                        "quote": c.quote,
                        "data": {**c.data, "controller": c.controller},
                    }
                    for c in found
                ]
            )
        self.covered = [
            {k: sorted(set(v.spans)) for k, v in places.covered(t).items()} for t in self.texts
        ]
        self.docs = [analyse_text(t) for t in self.texts]


def index_for_dialect_name(dialect: str) -> Any:
    from storage.repos.search import index_for_dialect

    return index_for_dialect(dialect)


async def ensure_channels(sessions: async_sessionmaker[AsyncSession]) -> list[int]:
    async with sessions() as s, s.begin():
        have = list(await s.scalars(select(Channel.id).order_by(Channel.id)))
        if not have:
            await s.execute(
                insert(Channel),
                [{"username": f"chan{i:03d}", "title": f"Channel {i}"} for i in range(CHANNELS)],
            )
            have = list(await s.scalars(select(Channel.id).order_by(Channel.id)))
    return have


async def add_posts(
    sessions: async_sessionmaker[AsyncSession], pool: Pool, start: int, stop: int
) -> None:
    """Posts ``start``..``stop`` (by age), with their search terms and claims."""
    channels = await ensure_channels(sessions)
    for lo in range(start, stop, CHUNK):
        hi = min(stop, lo + CHUNK)
        posts, terms, claims = [], [], []
        for i in range(lo, hi):
            k = i % len(pool.texts)
            when = post_date(i)
            posts.append(
                {
                    "id": post_id(i),
                    "channel_id": channels[i % len(channels)],
                    "message_id": i + 1,
                    "date": when,
                    "text": pool.texts[k],
                    "origin_channel": f"chan{i % len(channels):03d}",
                    "origin_id": i + 1,
                    "deleted": False,
                    "ingested_at": NOW,
                }
            )
            terms.append({"id": post_id(i), "terms": pool.terms[k]})
            claims += [
                {**c, "post_id": post_id(i), "asserted_at": when, "data": c["data"]}
                for c in pool.claims[k]
            ]
        async with sessions() as s, s.begin():
            await s.execute(insert(Post), posts)
            if s.get_bind().dialect.name == "sqlite":  # doc id = post id, then the terms
                await s.execute(
                    text("INSERT INTO post_search_docs (doc_id, post_id) VALUES (:id, :id)"),
                    [{"id": t["id"]} for t in terms],
                )
            await s.execute(index_for(s)._upsert(), terms)
            if claims:
                await s.execute(insert(ClaimRow), claims)


@dataclass
class Chats:
    place_keys: list[str]
    keywords: list[str]
    subs: dict[int, tuple[int, str, str]] = field(default_factory=dict)  # id -> chat, kind, key


def subscription_pool(pool: Pool, seed: int = 7) -> tuple[list[str], list[str]]:
    """Places (those the corpus names, and as many other settlements) and keywords (words of
    the corpus, some ANDed pairs), as users would pick them."""
    gaz = get_gazetteer()
    named = sorted({k for c in pool.covered for k in c if not k.startswith("~")})
    rnd = random.Random(seed)
    others = [p.id for p in rnd.sample(gaz.places, min(len(gaz.places), len(named) * 2))]
    words = sorted(
        {w for t in pool.texts for w in t.lower().split() if len(w) >= 7 and w.isalpha()}
    )
    singles = rnd.sample(words, min(len(words), 1500))
    pairs = [f"{a} AND {b}" for a, b in zip(singles[::2], singles[1::2], strict=False)][:300]
    return list(dict.fromkeys(named + others)), singles + pairs  # a named place may be drawn again


async def add_chats(
    sessions: async_sessionmaker[AsyncSession],
    chats: Chats,
    start: int,
    stop: int,
    *,
    digest_hour: int = 8,
) -> None:
    """Chats ``start``..``stop``, each with 5 places and 3 keywords, digest at one hour."""
    from datetime import time

    rnd = random.Random(start)
    for lo in range(start, stop, CHUNK):
        hi = min(stop, lo + CHUNK)
        rows, subs = [], []
        for c in range(lo, hi):
            chat_id = 10_000_000 + c
            rows.append(
                {
                    "id": chat_id,
                    "type": "private",
                    "language": "uk",
                    "timezone": "Europe/Kyiv",
                    "digest_time": time(digest_hour, 0),
                    "digest_when_empty": True,
                    "is_forum": False,
                    "active": True,
                    "created_at": NOW - timedelta(days=3650),
                }
            )
            for key in rnd.sample(chats.place_keys, 5):
                subs.append(
                    {"chat_id": chat_id, "kind": "place", "key": key, "label": key, "thread_id": 0}
                )
            for key in rnd.sample(chats.keywords, 3):
                subs.append(
                    {
                        "chat_id": chat_id,
                        "kind": "keyword",
                        "key": key,
                        "label": key,
                        "thread_id": 0,
                    }
                )
        async with sessions() as s, s.begin():
            await s.execute(insert(Chat), rows)
            await s.execute(insert(Subscription), subs)
    async with sessions() as s:
        result = await s.execute(
            select(Subscription.id, Subscription.chat_id, Subscription.kind, Subscription.key)
        )
        chats.subs = {int(i): (int(c), k, key) for i, c, k, key in result}


def matches_by_text(pool: Pool, chats: Chats) -> list[list[tuple[int, int, list[list[int]]]]]:
    """For each pool text: (subscription, chat, spans) it matches, as the live matcher would."""
    by_place: dict[str, list[tuple[int, int]]] = {}
    by_kw: dict[str, list[tuple[int, int]]] = {}
    for sub_id, (chat_id, kind, key) in chats.subs.items():
        (by_place if kind == "place" else by_kw).setdefault(key, []).append((sub_id, chat_id))
    exprs = {k: parse(k) for k in by_kw}
    out = []
    for covered, doc in zip(pool.covered, pool.docs, strict=True):
        found: list[tuple[int, int, list[list[int]]]] = []
        for key, spans in covered.items():
            found += [(s, c, [list(x) for x in spans]) for s, c in by_place.get(key, ())]
        for key, expr in exprs.items():
            if expr.matches(doc):
                spans = [list(x) for x in expr.highlights(doc)]
                found += [(s, c, spans) for s, c in by_kw[key]]
        out.append(found)
    return out


async def add_matches(
    sessions: async_sessionmaker[AsyncSession],
    per_text: Sequence[list[tuple[int, int, list[list[int]]]]],
    posts: range,
    chats_wanted: set[int] | None = None,
) -> int:
    """Match records of ``posts`` (by age) for every chat, or for ``chats_wanted`` only."""
    rows: list[dict[str, Any]] = []
    done = 0
    for i in posts:
        for sub_id, chat_id, spans in per_text[i % len(per_text)]:
            if chats_wanted is None or chat_id in chats_wanted:
                rows.append(
                    {
                        "post_id": post_id(i),
                        "subscription_id": sub_id,
                        "chat_id": chat_id,
                        "date": post_date(i),
                        "spans": spans,
                    }
                )
        if len(rows) >= 20_000:
            async with sessions() as s, s.begin():
                await s.execute(insert(PostMatch), rows)
            done += len(rows)
            rows = []
    if rows:
        async with sessions() as s, s.begin():
            await s.execute(insert(PostMatch), rows)
        done += len(rows)
    return done


async def add_sent(
    sessions: async_sessionmaker[AsyncSession], chat_ids: Sequence[int], n: int, days: int
) -> None:
    """``n`` sent deliveries spread over ``days`` back from now (100 chats per alert)."""
    async with sessions() as s:
        base = int(await s.scalar(select(func.coalesce(func.max(Alert.id), 0))) or 0)
    per_alert = 100
    for lo in range(0, n, 50_000):
        hi = min(n, lo + 50_000)
        alerts, rows = [], []
        for a in range(lo // per_alert, -(-hi // per_alert)):
            alerts.append(
                {
                    "id": base + a + 1,
                    "kind": "match",
                    "dedupe_key": f"bench:{base + a}",
                    "priority": 1,
                    "payload": {},
                    "created_at": NOW,
                }
            )
        for j in range(lo, hi):
            when = NOW - timedelta(seconds=(j / n) * days * 86400)
            rows.append(
                {
                    "alert_id": base + j // per_alert + 1,
                    "chat_id": chat_ids[j % len(chat_ids)],
                    "thread_id": 0,
                    "priority": 1,
                    "status": "sent",
                    "attempts": 1,
                    "not_before": when,
                    "sent_at": when,
                    "reasons": {},
                    "created_at": when,
                }
            )
        async with sessions() as s, s.begin():
            await s.execute(insert(Alert), alerts)
            await s.execute(insert(Delivery), rows)


async def settle(sessions: async_sessionmaker[AsyncSession]) -> None:
    """After bulk inserts with explicit ids: PostgreSQL's sequences past them; statistics."""
    async with sessions() as s, s.begin():
        if s.get_bind().dialect.name == "postgresql":
            for table in ("posts", "alerts"):
                await s.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM {table}))"
                    )
                )
        await s.execute(text("ANALYZE"))
