"""The ingest path every source feeds: store, match, queue alerts. One short write transaction
per post: matching runs before it, and the fan-out to every concerned chat is one statement."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.alert import (
    AlertKind,
    EditAlert,
    PostAlert,
    PostSnapshot,
    Reasons,
    reason_from_label,
    reasons_to_json,
)
from bot.core.post import Post
from bot.matching import ChatMatch, SubscriptionMatcher, group_by_chat, unit_reasons
from bot.ops.metrics import Metrics
from bot.places import Places, PostReading
from storage.models import Post as PostRow
from storage.repos import channels as channel_repo
from storage.repos import fanout, outbox
from storage.repos import matches as match_repo
from storage.repos import posts as post_repo
from storage.repos.fanout import Unit
from storage.types import utcnow

log = logging.getLogger(__name__)

# Delivery order when the budget is short: alerts (a contradiction on its own at the same
# priority as the post's alert, queued after it, so never ahead of it), then digests.
PRIORITY_CONTRADICTION, PRIORITY_MATCH, PRIORITY_DIGEST = 1, 1, 2
_NUMBER = re.compile(r"\d[\d\s\u202f\u00a0]*\d|\d")


class PostHook(Protocol):
    """Runs inside a post's unit of work after it is stored or edited (claims, search).

    ``alert`` is False for posts that are archived silently (stale, or backfilled): a hook
    may record what it finds but must not queue alerts for them.
    """

    async def __call__(
        self, session: AsyncSession, row: PostRow, post: Post, *, alert: bool = True
    ) -> int | None: ...  # outbox rows queued (None: the hook never queues)


def post_snapshot(post: Post) -> PostSnapshot:
    """The snapshot an alert carries, so it renders the text as it was when it fired."""
    return PostSnapshot(
        channel=post.channel,
        id=post.id,
        title=post.channel_title,
        date=post.date,
        text=post.text,
        media=tuple(m.path for m in post.media if m.is_image),
        forward=post.forward.name or post.forward.channel if post.forward else None,
    )


def post_payload(post: Post) -> PostAlert:
    return PostAlert(post_snapshot(post))


def _reasons(matches: Sequence[ChatMatch]) -> Reasons:
    # Chats tracking the same things get equal reasons: one object, so the fan-out of a post
    # to thousands of chats builds (and the outbox encodes) each distinct one once.
    return _reasons_of(frozenset((m.label, m.kind, m.spans) for m in matches))


@lru_cache(maxsize=1024)
def _reasons_of(matched: frozenset[tuple[str, str, tuple[tuple[int, int], ...]]]) -> Reasons:
    labels = sorted({label for label, _kind, _spans in matched})
    return Reasons(
        labels=tuple(reason_from_label(label) for label in labels),
        kinds=tuple(sorted({kind for _label, kind, _spans in matched})),
        spans=tuple(sorted({span for _label, _kind, spans in matched for span in spans})),
    )


def _unit_reasons_json(units: Sequence[Unit]) -> dict[str, Any]:
    return reasons_to_json(unit_reasons(units))


def _figures(text: str) -> list[str]:
    return [re.sub(r"\D", "", n) for n in _NUMBER.findall(text)]


class IngestService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        matcher: SubscriptionMatcher,
        *,
        sides: Callable[[str], str | None] = lambda _c: None,
        hooks: Sequence[PostHook] = (),
        edit_hooks: Sequence[PostHook] = (),
        on_enqueued: Callable[[], None] = lambda: None,
        max_alert_age: timedelta | None = None,
        metrics: Metrics | None = None,
        yield_ratio: float = 0.0,
        places: Places | None = None,
    ) -> None:
        self.sessions = sessions
        self.matcher = matcher
        # Reads each post's place mentions once, for its matching and its hooks (claims).
        self.places = places
        self.sides = sides
        self.hooks = list(hooks)
        self.edit_hooks = list(edit_hooks)  # run on a stored post's new text (search index)
        self.on_enqueued = on_enqueued
        # Live sources set this: a weeks-old post that turns up late (catch-up, a first poll,
        # an edit of a post never seen) is archived, not alerted.
        self.max_alert_age = max_alert_age
        self.metrics = metrics or Metrics()
        # Between the posts of one batch, pause ``yield_ratio`` times as long as the last one
        # took (see new_posts).
        self.yield_ratio = yield_ratio

    async def new_posts(self, posts: Sequence[Post]) -> int:
        stored = 0
        ordered = sorted(posts, key=lambda p: (p.channel, p.id))
        for i, post in enumerate(ordered):
            began = time.monotonic()
            if await self._store_one(post, alert=self._fresh(post)):
                stored += 1
            if self.yield_ratio and i + 1 < len(ordered):
                # Sharing the event loop with delivery (`dozor run`): a burst of posts is
                # stored at most 1/(1+ratio) of the time, so the sends keep their share.
                await asyncio.sleep((time.monotonic() - began) * self.yield_ratio)
        return stored

    def _fresh(self, post: Post) -> bool:
        if self.max_alert_age is None:
            return True
        return utcnow() - post.date <= self.max_alert_age

    async def _store_one(self, post: Post, *, alert: bool) -> bool:
        if self.places is None:
            return await self._store_read(post, None, alert=alert)
        with self.places.reading(post.text) as reading:
            return await self._store_read(post, reading, alert=alert)

    async def _store_read(self, post: Post, reading: PostReading | None, *, alert: bool) -> bool:
        # Reading and matching (the post's analysis) happen before the write transaction
        # opens: on SQLite that transaction holds the one write lock the dispatcher's marks
        # need, so it stays a handful of statements, however many chats the post concerns.
        matches: list[Unit] = []
        started = time.perf_counter()
        async with self.sessions() as session:
            known = await channel_repo.get_by_username(session, post.channel)
            stored = known is not None and await post_repo.get(session, known.id, post.id)
            if not stored:
                mentions = reading.mentions if reading is not None else None
                matches = await self.matcher.match_units(session, post, mentions)
        matching = time.perf_counter() - started
        queued = 0  # outbox rows written
        try:
            async with self.sessions() as session, session.begin():
                channel = await channel_repo.ensure(
                    session,
                    post.channel,
                    title=post.channel_title,
                    side=self.sides(post.channel),
                )
                existing = await post_repo.get(session, channel.id, post.id)
                if existing is not None:
                    queued = await self._maybe_edit(session, existing, post)
                    new = False
                else:
                    row = await post_repo.insert(session, channel, post)
                    # Recorded for every new post (alerted or not): digests and /latest read it.
                    await fanout.record(session, row.id, post.date, matches)
                    if alert and matches:
                        queued = await self._queue_matches(session, row, post, matches)
                    started = time.perf_counter()
                    for hook in self.hooks:
                        queued += await hook(session, row, post, alert=alert) or 0
                    analysis = matching + time.perf_counter() - started
                    new = True
        except IntegrityError:
            # Another process stored the same (channel, id) first: it is not new here.
            log.info("post %s/%s stored concurrently elsewhere", post.channel, post.id)
            return False
        if new:
            log.info("post stored: %s/%s (row %s)", post.channel, post.id, row.id)
            self.metrics.post_stored(post.channel)
            self.metrics.analysed(analysis)
        if queued:
            self.metrics.alerts_queued(queued)
            self.on_enqueued()
        return new

    async def _queue_matches(
        self, session: AsyncSession, row: PostRow, post: Post, matches: Sequence[Unit]
    ) -> int:
        origin_channel, origin_id = post.origin
        alert, _ = await outbox.ensure_alert(
            session,
            kind=AlertKind.MATCH,
            dedupe_key=f"post:{origin_channel}/{origin_id}",
            payload=post_payload(post),
            post_id=row.id,
            priority=PRIORITY_MATCH,
        )
        return await fanout.fan_out(session, alert, matches, _unit_reasons_json)

    async def edited(self, post: Post) -> None:
        """An edit of a stored post; an edit of a post never seen is archived silently."""
        await self._store_one(post, alert=False)

    async def _maybe_edit(self, session: AsyncSession, row: PostRow, post: Post) -> int:
        if row.text == post.text:
            if post.media:
                await post_repo.attach_media(session, row, post)
            return 0
        old_text = await post_repo.record_edit(session, row, post)
        await post_repo.attach_media(session, row, post)
        fresh = self._fresh(post)
        hooked = 0
        for hook in self.edit_hooks:
            hooked += await hook(session, row, post, alert=fresh) or 0
        after = await self.matcher.match(session, post)
        await match_repo.replace(session, row.id, row.date, after)
        if not fresh:  # an edit of an old post is recorded, never alerted
            return hooked
        old_post = Post(channel=post.channel, id=post.id, date=post.date, text=old_text)
        before = {
            (m.chat_id, m.subscription_id): _surfaces(old_text, m)
            for m in await self.matcher.match(session, old_post)
        }
        figures_changed = _figures(old_text) != _figures(post.text)
        changed = [
            m
            for m in after
            if before.get((m.chat_id, m.subscription_id)) != _surfaces(post.text, m)
            or figures_changed
        ]
        if not changed:
            return hooked
        versions = len(await post_repo.versions(session, row.id))
        payload = EditAlert(post_snapshot(post), old_text)
        alert, _ = await outbox.ensure_alert(
            session,
            kind=AlertKind.EDIT,
            dedupe_key=f"edit:{post.channel}/{post.id}:{versions}",
            payload=payload,
            post_id=row.id,
            priority=PRIORITY_MATCH,
        )
        recipients = [
            outbox.Recipient(chat_id, thread_id, _reasons(chat_matches))
            for (chat_id, thread_id), chat_matches in group_by_chat(changed).items()
        ]
        return hooked + await outbox.enqueue_many(session, alert, recipients)

    async def deleted(self, channel: str, ids: Sequence[int], when: datetime) -> None:
        async with self.sessions() as session, session.begin():
            row = await channel_repo.get_by_username(session, channel)
            if row is not None:
                await post_repo.mark_deleted(session, row.id, ids, when)

    async def last_id(self, channel: str) -> int:
        async with self.sessions() as session:
            return await post_repo.last_id(session, channel)


def _surfaces(text: str, match: ChatMatch) -> tuple[str, ...]:
    return tuple(text[s:e].lower() for s, e in match.spans)
