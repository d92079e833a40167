"""What each chat tracks."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat, Subscription
from storage.repos._util import insert_ignore


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
    return sub


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
