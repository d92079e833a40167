"""A post's analysis runs before its write transaction: while a ``PreparedHook`` prepares
(pymorphy3's work, for the search terms), another connection can still write the SQLite file,
which it could not once the ingest held the write lock; the transaction then stores what was
prepared. Hooks without ``prepare`` (the plain ``PostHook`` form) still run, inside it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.analysis.claims.model import Claim
from bot.core.post import Post
from bot.core.tokens import search_query
from bot.ingest import IngestService, PreparedHook
from bot.matching import SubscriptionMatcher
from bot.search_hook import SearchHook
from bot.services.claims import ClaimsHook
from storage.models import Claim as ClaimRow
from storage.models import Contradiction
from storage.models import Post as PostRow
from storage.repos.search import index_for

Sessions = async_sessionmaker[AsyncSession]
T0 = datetime(2025, 4, 26, 9, 0, tzinfo=UTC)


@dataclass
class Probe:
    """Prepares by writing the database through a connection of its own that never waits:
    that succeeds only while nobody holds the write lock."""

    path: str
    prepared_free: list[bool] = field(default_factory=list)
    written: list[tuple[int, str]] = field(default_factory=list)
    plain_calls: int = 0

    def prepare(self, post: Post, *, side: str | None = None) -> str:
        conn = sqlite3.connect(self.path, timeout=0)
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS probe (n INTEGER)")
            conn.execute("INSERT INTO probe VALUES (1)")
            conn.commit()
            self.prepared_free.append(True)
        except sqlite3.OperationalError:  # "database is locked"
            self.prepared_free.append(False)
        finally:
            conn.close()
        return post.text.upper()

    async def write(
        self,
        session: AsyncSession,
        row: PostRow,
        post: Post,
        prepared: str,
        *,
        alert: bool = True,
    ) -> None:
        self.written.append((row.message_id, prepared))

    async def __call__(
        self, session: AsyncSession, row: PostRow, post: Post, *, alert: bool = True
    ) -> None:
        self.plain_calls += 1


@dataclass
class Plain:
    seen: list[int] = field(default_factory=list)

    async def __call__(
        self, session: AsyncSession, row: PostRow, post: Post, *, alert: bool = True
    ) -> None:
        self.seen.append(row.message_id)


def _post(n: int, text: str) -> Post:
    return Post(channel="mod_russia", id=n, date=T0, text=text)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_hooks_prepare_outside_the_write_transaction(db_url: str, sessions: Sessions) -> None:
    probe, plain, search = Probe(db_url.split("///", 1)[1]), Plain(), SearchHook()
    ingest = IngestService(
        sessions,
        SubscriptionMatcher(),
        hooks=[probe, plain, search],
        edit_hooks=[probe, search],
    )
    await ingest.new_posts([_post(1, "Бої під Курськом"), _post(2, "Обстріл Сум")])
    await ingest.edited(_post(2, "Обстріл Сумської громади"))
    assert probe.prepared_free == [True, True, True]  # nobody held the write lock
    assert probe.written == [
        (1, "БОЇ ПІД КУРСЬКОМ"),
        (2, "ОБСТРІЛ СУМ"),
        (2, "ОБСТРІЛ СУМСЬКОЇ ГРОМАДИ"),
    ]
    assert probe.plain_calls == 0
    assert plain.seen == [1, 2]  # a plain hook still runs, in the transaction
    async with sessions() as session:
        index = index_for(session)
        # The terms prepared for the edit replaced those of the text it replaced.
        assert await index.count(session, search_query("громади")) == 1
        assert await index.count(session, search_query("Курськом")) == 1


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_a_post_stored_already_is_not_analysed_again(db_url: str, sessions: Sessions) -> None:
    probe = Probe(db_url.split("///", 1)[1])
    ingest = IngestService(sessions, SubscriptionMatcher(), hooks=[probe], edit_hooks=[probe])
    await ingest.new_posts([_post(1, "Бої під Курськом")])
    await ingest.new_posts([_post(1, "Бої під Курськом")])  # a repeat, same text
    assert len(probe.prepared_free) == 1 and len(probe.written) == 1


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_claims_are_extracted_before_the_transaction_and_stored_in_it(
    db_url: str, sessions: Sessions
) -> None:
    claims = ClaimsHook({"mod_russia": "RU", "generalstaffzsu": "UA"}.get)
    assert isinstance(claims, PreparedHook)
    extracted: list[int] = []
    prepare = claims.prepare

    def watched_prepare(post: Post, *, side: str | None = None) -> list[Claim]:
        found = prepare(post, side=side)
        extracted.append(len(found))
        return found

    claims.prepare = watched_prepare  # type: ignore[method-assign]
    ingest = IngestService(
        sessions, SubscriptionMatcher(), sides=claims.sides, hooks=[claims], edit_hooks=[claims]
    )
    # One post at a time: the capture claim first, then the General Staff's answer to it.
    await ingest.new_posts(
        [_post(1, "Подразделения группировки «Север» полностью освободили Суджу.")]
    )
    answer = (
        "Заяви російських загарбників про захоплення Суджі не відповідають дійсності. "
        "Бої в Суджі тривають."
    )
    await ingest.new_posts(
        [Post(channel="generalstaffzsu", id=5, date=T0.replace(hour=15), text=answer)]
    )
    assert extracted and all(n > 0 for n in extracted)
    async with sessions() as session:
        stored = await session.scalar(select(func.count()).select_from(ClaimRow))
        pairs = await session.scalar(select(func.count()).select_from(Contradiction))
    assert stored == sum(extracted)  # what was prepared is what the transaction stored
    assert pairs == 1
