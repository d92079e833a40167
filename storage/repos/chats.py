"""Chats the bot serves."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat, Delivery, DigestRun, Subscription
from storage.repos._util import insert_ignore


async def get(session: AsyncSession, chat_id: int) -> Chat | None:
    return await session.get(Chat, chat_id)


async def ensure(
    session: AsyncSession,
    chat_id: int,
    *,
    type_: str,
    title: str | None = None,
    language: str | None = None,
    is_forum: bool = False,
    digest_time: time | None = None,
) -> Chat:
    """The chat row, created on first contact; re-activates a chat that came back."""
    values = {
        "id": chat_id,
        "type": type_,
        "title": title,
        "language": language or "uk",
        "is_forum": is_forum,
        "active": True,
        "digest_time": digest_time,
        "digest_when_empty": True,
    }
    await insert_ignore(session, Chat.__table__, values, ["id"])  # type: ignore[arg-type]
    chat = await session.get(Chat, chat_id, populate_existing=True)
    assert chat is not None
    chat.active = True
    chat.type = type_
    chat.is_forum = chat.is_forum or is_forum
    if title:
        chat.title = title
    return chat


async def deactivate(session: AsyncSession, chat_id: int) -> None:
    await session.execute(update(Chat).where(Chat.id == chat_id).values(active=False))


async def migrate(session: AsyncSession, old_id: int, new_id: int) -> None:
    """A group became a supergroup: its subscriptions, outbox and digests move along."""
    old = await session.get(Chat, old_id)
    if old is None:
        return
    new = await session.get(Chat, new_id)
    if new is None:
        new = Chat(
            id=new_id,
            type="supergroup",
            title=old.title,
            language=old.language,
            timezone=old.timezone,
            digest_time=old.digest_time,
            digest_when_empty=old.digest_when_empty,
            is_forum=old.is_forum,
            active=True,
            muted_until=old.muted_until,
        )
        session.add(new)
        await session.flush()
    existing = {
        (s.kind, s.key, s.thread_id)
        for s in await session.scalars(select(Subscription).where(Subscription.chat_id == new_id))
    }
    for sub in await session.scalars(select(Subscription).where(Subscription.chat_id == old_id)):
        if (sub.kind, sub.key, sub.thread_id) in existing:
            await session.delete(sub)
        else:
            sub.chat_id = new_id
    # An alert or digest day the new chat already has stays there; the old row goes.
    await session.execute(
        delete(Delivery).where(
            Delivery.chat_id == old_id,
            Delivery.alert_id.in_(select(Delivery.alert_id).where(Delivery.chat_id == new_id)),
        )
    )
    await session.execute(
        delete(DigestRun).where(
            DigestRun.chat_id == old_id,
            DigestRun.day.in_(select(DigestRun.day).where(DigestRun.chat_id == new_id)),
        )
    )
    for table in (Delivery, DigestRun):
        await session.execute(update(table).where(table.chat_id == old_id).values(chat_id=new_id))
    old.active = False
    old.migrated_to = new_id
    await session.flush()


async def with_digest(session: AsyncSession) -> list[Chat]:
    return list(
        await session.scalars(
            select(Chat).where(Chat.active.is_(True), Chat.digest_time.is_not(None))
        )
    )


async def set_muted(session: AsyncSession, chat_id: int, until: datetime | None) -> None:
    await session.execute(update(Chat).where(Chat.id == chat_id).values(muted_until=until))
