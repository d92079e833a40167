"""Keyword subscriptions indexed by their terms: a post evaluates only the expressions it can
satisfy, and finds exactly what evaluating every expression finds."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.keywords import ALWAYS, Not, Word, analyse_text, anchor_terms, parse
from bot.core.post import Post
from bot.errors import ExpressionError
from bot.matching import (
    KEYWORD,
    AllKeywordsLoop,
    KeywordSubscriptions,
    index_keywords,
    keyword_terms,
    subscribe,
)
from storage.models import KeywordTerm
from storage.repos import chats as chat_repo
from storage.repos import subscriptions as sub_repo

SAMPLE = Path(__file__).resolve().parents[2] / "bot" / "data" / "sample" / "posts.jsonl"
TEXTS = [json.loads(line)["text"] for line in SAMPLE.read_text("utf-8").splitlines()]
HAND_WRITTEN = [
    "kursk OR sudzha",
    "Суджа -навчання",
    "(Харків OR Київ) обстріл",
    '"Курської області"',
    '"Курской области" AND NOT учения',
    "Гуляй-Поле",
    '"Гуляй Поле"',
    "ППО NOT (шахед OR ракета)",
    "операції -(Курській області)",
    "Сирського OR (Білгород -Курськ)",
    "ворог -ворог OR Покровськ",
]


def _expressions(count: int, seed: int = 7) -> list[str]:
    """Hand-written ones, then random AND/OR/NOT/phrase mixes of words from the sample."""
    rng = random.Random(seed)
    words = sorted({w.strip(".,:;!?«»()\"'—–") for t in TEXTS for w in t.split()} - {""})
    words = [w for w in words if w.isalpha() and w.upper() not in ("AND", "OR", "NOT")]
    out = list(HAND_WRITTEN)
    while len(out) < count:
        a, b, c = rng.sample(words, 3)
        shape = rng.randrange(6)
        text = [
            f"{a} OR {b}",
            f"{a} {b}",
            f"{a} -{b}",
            f'"{a} {b}" OR {c}',
            f"({a} OR {b}) NOT {c}",
            f"{a} OR ({b} -{c})",
        ][shape]
        try:
            parse(text)
        except ExpressionError:
            continue
        out.append(text)
    return out


def _post(i: int, text: str) -> Post:
    return Post(channel="mod_russia", id=i, date=datetime(2025, 1, 1, tzinfo=UTC), text=text)


async def _track(sessions: async_sessionmaker[AsyncSession], exprs: list[str]) -> None:
    async with sessions() as session, session.begin():
        for chat_id, text in enumerate(exprs, start=1):
            await chat_repo.ensure(session, chat_id, type_="private")
            await subscribe(session, chat_id, KEYWORD, parse(text).canonical(), text)


def test_a_post_without_any_positive_term_never_matches() -> None:
    docs = [analyse_text(t) for t in TEXTS] + [analyse_text("")]
    for text in _expressions(400):
        expr = parse(text)
        anchors = anchor_terms(expr)
        assert ALWAYS not in anchors
        for doc in docs:
            if anchors.isdisjoint(doc.index):
                assert not expr.matches(doc), (text, doc.text[:60])


def test_expressions_that_match_nothing_in_particular_are_evaluated_for_every_post() -> None:
    # The parser refuses them; a stored one (older rule, hand-edited row) is not lost.
    assert anchor_terms(Not(Word("x"))) == {ALWAYS}
    assert keyword_terms("NOT NOT broken") == {ALWAYS}
    assert keyword_terms("-x") == {ALWAYS}
    assert keyword_terms("kursk") == anchor_terms(parse("kursk")) != {ALWAYS}


async def test_index_finds_exactly_what_the_all_expressions_loop_finds(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    exprs = _expressions(300)
    assert any(" -" in e for e in exprs) and any('"' in e for e in exprs)
    await _track(sessions, exprs)
    indexed, loop = KeywordSubscriptions(), AllKeywordsLoop()
    total = 0
    async with sessions() as session:
        for i, text in enumerate([*TEXTS, "Гуляйполе і Гуляй Поле", "ворог", ""]):
            post = _post(i, text)
            got = sorted(await indexed.match(session, post), key=lambda m: m.subscription_id)
            want = sorted(await loop.match(session, post), key=lambda m: m.subscription_id)
            assert got == want, text[:80]
            total += len(got)
    assert total > 50  # the comparison is not vacuous


async def test_a_post_looks_only_at_expressions_sharing_a_term(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    unrelated = [f"zzword{i} OR qqword{i}" for i in range(1000)]
    await _track(sessions, [*unrelated, "Суджа -навчання"])
    doc = analyse_text("Бої біля Суджі тривають")
    async with sessions() as session:
        candidates = await sub_repo.keys_for_terms(session, [*doc.index, ALWAYS])
    assert candidates == {parse("Суджа -навчання").canonical()}


async def test_untracking_the_last_chat_drops_the_expression_from_the_index(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await _track(sessions, ["kursk OR sudzha", "kursk OR sudzha"])
    key = parse("kursk OR sudzha").canonical()

    async def indexed() -> int:
        async with sessions() as session:
            found = await session.scalar(
                select(func.count()).select_from(KeywordTerm).where(KeywordTerm.key == key)
            )
            return int(found or 0)

    assert await indexed() > 0
    async with sessions() as session, session.begin():
        subs = await sub_repo.of_kinds(session, [KEYWORD])
        await sub_repo.remove(session, subs[0].chat_id, subs[0].id)
    assert await indexed() > 0  # another chat still tracks it
    async with sessions() as session, session.begin():
        await sub_repo.remove(session, subs[1].chat_id, subs[1].id)
    assert await indexed() == 0


async def test_subscriptions_stored_before_the_index_are_indexed_at_start(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await chat_repo.ensure(session, 1, type_="private")
        await sub_repo.add(session, 1, KEYWORD, "sudzha", "Sudzha")  # no index rows
    post = _post(1, "Fighting near Sudzha")
    async with sessions() as session:
        assert await KeywordSubscriptions().match(session, post) == []
    async with sessions() as session, session.begin():
        assert await index_keywords(session) == 1
        assert await index_keywords(session) == 0
    async with sessions() as session:
        assert [m.chat_id for m in await KeywordSubscriptions().match(session, post)] == [1]
