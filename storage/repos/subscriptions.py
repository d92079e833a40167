"""What each chat tracks."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from sqlalchemy import String, any_, bindparam, delete, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat, KeywordTerm, Subscription
from storage.repos._util import dialect_name, insert_ignore

# Bound parameters per IN (...) list: well under SQLite's and asyncpg's limits.
_CHUNK = 1000


async def add(
    session: AsyncSession, chat_id: int, kind: str, key: str, label: str, thread_id: int = 0
) -> bool:
    """True when the subscription is new, False when the chat already had it."""
    new_id = await insert_ignore(
        session,
        Subscription.__table__,  # type: ignore[arg-type]
        {"chat_id": chat_id, "kind": kind, "key": key, "label": label, "thread_id": thread_id},
        ["chat_id", "kind", "key", "thread_id"],
        returning=Subscription.id,
    )
    return new_id is not None


async def remove(session: AsyncSession, chat_id: int, sub_id: int) -> Subscription | None:
    sub = await session.get(Subscription, sub_id)
    if sub is None or sub.chat_id != chat_id:
        return None
    await session.delete(sub)
    await session.flush()
    if sub.kind == "keyword":
        await forget_unused_terms(session, sub.key)
    return sub


# --- the keyword index: expressions by term --------------------------------------------------


async def add_terms(session: AsyncSession, key: str, terms: Collection[str]) -> None:
    """Index the keyword expression ``key`` under ``terms`` (idempotent)."""
    await add_terms_many(session, {key: terms})


async def add_terms_many(session: AsyncSession, index: Mapping[str, Collection[str]]) -> None:
    """Index many expressions at once: ``index`` maps each key to its terms."""
    rows = [{"term": term, "key": key} for key, terms in index.items() for term in set(terms)]
    dialect = postgresql if dialect_name(session) == "postgresql" else sqlite
    for i in range(0, len(rows), _CHUNK):
        stmt = dialect.insert(KeywordTerm).values(rows[i : i + _CHUNK])
        await session.execute(stmt.on_conflict_do_nothing(index_elements=["term", "key"]))


async def add_many(session: AsyncSession, rows: Sequence[tuple[int, str, str, str]]) -> None:
    """Store many (chat_id, kind, key, label) subscriptions at once (bulk loads, benchmarks);
    ones a chat already has are kept as they are."""
    values = [
        {"chat_id": c, "kind": kind, "key": key, "label": label, "thread_id": 0}
        for c, kind, key, label in rows
    ]
    dialect = postgresql if dialect_name(session) == "postgresql" else sqlite
    for i in range(0, len(values), _CHUNK // 5):
        stmt = dialect.insert(Subscription).values(values[i : i + _CHUNK // 5])
        await session.execute(
            stmt.on_conflict_do_nothing(index_elements=["chat_id", "kind", "key", "thread_id"])
        )


async def keys_for_terms(session: AsyncSession, terms: Collection[str]) -> set[str]:
    """The indexed expressions having at least one of ``terms`` (indexed lookups only)."""
    wanted = sorted(set(terms))
    if dialect_name(session) == "postgresql":
        # One array parameter: the same statement for every post, prepared once (an IN list
        # of a different length per post would be planned afresh each time).
        param = bindparam("terms", wanted, type_=ARRAY(String))
        stmt = select(KeywordTerm.key).where(KeywordTerm.term == any_(param)).distinct()
        return set(await session.scalars(stmt))
    keys: set[str] = set()
    for i in range(0, len(wanted), _CHUNK):
        chunk = wanted[i : i + _CHUNK]
        keys.update(
            await session.scalars(
                select(KeywordTerm.key).where(KeywordTerm.term.in_(chunk)).distinct()
            )
        )
    return keys


async def forget_unused_terms(session: AsyncSession, key: str) -> None:
    """Drop ``key`` from the index once no subscription tracks it any more."""
    used = await session.scalar(
        select(exists().where(Subscription.kind == "keyword", Subscription.key == key))
    )
    if not used:
        await session.execute(delete(KeywordTerm).where(KeywordTerm.key == key))


async def unindexed_keywords(session: AsyncSession) -> list[str]:
    """Keyword expressions tracked but not in the index (rows written before it existed)."""
    indexed = select(KeywordTerm.key).where(KeywordTerm.key == Subscription.key).exists()
    return list(
        await session.scalars(
            select(Subscription.key).where(Subscription.kind == "keyword", ~indexed).distinct()
        )
    )


async def for_chat(session: AsyncSession, chat_id: int) -> list[Subscription]:
    return list(
        await session.scalars(
            select(Subscription)
            .where(Subscription.chat_id == chat_id)
            .order_by(Subscription.kind, Subscription.label)
        )
    )


async def by_keys(session: AsyncSession, kind: str, keys: Collection[str]) -> list[Subscription]:
    """Active chats' subscriptions of ``kind`` whose key is one of ``keys`` (indexed lookup)."""
    if not keys:
        return []
    return list(
        await session.scalars(
            select(Subscription)
            .join(Chat, Chat.id == Subscription.chat_id)
            .where(
                Subscription.kind == kind, Subscription.key.in_(list(keys)), Chat.active.is_(True)
            )
        )
    )


async def of_kinds(session: AsyncSession, kinds: Collection[str]) -> list[Subscription]:
    """All active subscriptions of the given kinds (keywords are evaluated per post)."""
    return list(
        await session.scalars(
            select(Subscription)
            .join(Chat, Chat.id == Subscription.chat_id)
            .where(Subscription.kind.in_(list(kinds)), Chat.active.is_(True))
        )
    )


async def labels_by_keys(
    session: AsyncSession, kind: str, keys: Collection[str] | None = None
) -> list[tuple[str, str]]:
    """Distinct (key, label) of active chats' subscriptions of ``kind`` (whose key is one of
    ``keys``, if given): what a post matches once, for every chat that tracks it."""
    if keys is not None and not keys:
        return []
    stmt = (
        select(Subscription.key, Subscription.label)
        .join(Chat, Chat.id == Subscription.chat_id)
        .where(Subscription.kind == kind, Chat.active.is_(True))
        .distinct()
    )
    if keys is None:
        return [(k, label) for k, label in await session.execute(stmt)]
    wanted = sorted(set(keys))
    out: list[tuple[str, str]] = []
    for i in range(0, len(wanted), _CHUNK):
        chunk = stmt.where(Subscription.key.in_(wanted[i : i + _CHUNK]))
        out += [(k, label) for k, label in await session.execute(chunk)]
    return out
