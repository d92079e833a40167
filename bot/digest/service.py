"""Run one chat's digest for one day: build it, draw its chart, queue it once.

"Once" rests on the digest_runs row, inserted in the same transaction as the alerts and
outbox rows: two schedulers (a leader and a standby during a failover, or two tasks) racing
for the same (chat, day) both build the digest, but only one transaction inserts the row and
queues anything.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.alert import AlertKind
from bot.digest import content as content_mod
from bot.digest.batch import DigestBatch
from bot.digest.chart import render_chart
from bot.digest.content import DigestContent
from bot.digest.labels import item_name
from bot.digest.schedule import DigestSlot, slot
from bot.ingest import PRIORITY_DIGEST
from bot.matching import SubscriptionMatcher
from bot.media import MediaStore
from bot.ops.metrics import Metrics
from storage.models import Chat
from storage.repos import chats as chat_repo
from storage.repos import digests as digest_repo
from storage.repos import outbox
from storage.types import utcnow

log = logging.getLogger(__name__)

# The chart follows the text: a later not_before keeps it second in the chat.
CHART_DELAY = timedelta(seconds=2)
QUEUED, EMPTY, SKIPPED = "queued", "empty", "skipped"
CHART_CACHE = 512


def chat_zone(chat: Chat, default_tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(chat.timezone or default_tz)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning(
            "chat %s has an unknown time zone %r; using %s", chat.id, chat.timezone, default_tz
        )
        return ZoneInfo(default_tz)


@dataclass(frozen=True, slots=True)
class Preview:
    payload: dict[str, object]
    chart_path: str | None
    content: DigestContent


class DigestService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        matcher: SubscriptionMatcher,
        media: MediaStore,
        *,
        default_tz: str,
        default_time: time = time(8, 0),
        on_enqueued: Callable[[], None] = lambda: None,
        charts: bool = True,
        metrics: Metrics | None = None,
    ) -> None:
        self.sessions = sessions
        self.matcher = matcher
        self.media = media
        self.default_tz = default_tz
        self.default_time = default_time
        self.on_enqueued = on_enqueued
        self.charts = charts
        self.metrics = metrics or Metrics()
        self._charts: dict[str, str] = {}  # chart data -> media path, oldest first

    def slot_for(self, chat: Chat, day: date) -> DigestSlot:
        return slot(day, chat.digest_time or self.default_time, chat_zone(chat, self.default_tz))

    async def preview(
        self, chat_id: int, day: date, batch: DigestBatch | None = None
    ) -> Preview | None:
        """The digest of ``chat_id`` due on ``day``, built but not queued (None: no chat)."""
        async with self.sessions() as session:
            chat = await chat_repo.get(session, chat_id)
            if chat is None:
                return None
            content = await self._build(session, chat, day, batch or DigestBatch())
        chart = await self._chart(content, chat.language) if not content.empty else None
        return Preview(content.payload(chart), chart, content)

    async def _build(
        self, session: AsyncSession, chat: Chat, day: date, batch: DigestBatch
    ) -> DigestContent:
        slots = [self.slot_for(chat, d) for d in content_mod.week_days(day)]
        return await content_mod.build(
            session,
            batch,
            chat_id=chat.id,
            day=day,
            windows=content_mod.windows_for(slots),
            tz=chat_zone(chat, self.default_tz),
        )

    async def _chart(self, content: DigestContent, lang: str) -> str | None:
        week = content.week
        if not self.charts or not week:
            return None
        # Chats tracking the same places get the same chart: draw it once (~60 ms each).
        key = json.dumps([week, lang], sort_keys=True, ensure_ascii=False)
        if key in self._charts:
            return self._charts[key]
        days = [date.fromisoformat(d) for d in week["days"]]
        # Named now, in the chat's language: the legend matches the title and the text.
        gaz = self.matcher.places.gazetteer
        series = {item_name(s, lang, short=True, gaz=gaz): s["values"] for s in week["series"]}
        try:
            png = await asyncio.to_thread(render_chart, week["kind"], days, series, lang=lang)
            path = (await asyncio.to_thread(self.media.put_bytes, png, "image/png")).path
        except Exception:  # a digest without its chart beats no digest
            log.exception("digest chart for chat %s failed", content.chat_id)
            return None
        if len(self._charts) >= CHART_CACHE:
            self._charts.pop(next(iter(self._charts)))
        self._charts[key] = path
        return path

    async def run(self, chat_id: int, day: date, batch: DigestBatch | None = None) -> str:
        """Queue the (chat, day) digest unless it was done; returns queued|empty|skipped."""
        async with self.sessions() as session:
            if await digest_repo.exists(session, chat_id, day):
                return SKIPPED
            chat = await chat_repo.get(session, chat_id)
            if chat is None or not chat.active:
                return SKIPPED
            content = await self._build(session, chat, day, batch or DigestBatch())
        silent = content.empty and not chat.digest_when_empty
        chart = None if content.empty else await self._chart(content, chat.language)
        async with self.sessions() as session, session.begin():
            run_id = await digest_repo.claim(session, chat_id, day, EMPTY if silent else QUEUED)
            if run_id is None:
                return SKIPPED
            if silent:
                return EMPTY
            alert, _ = await outbox.ensure_alert(
                session,
                kind=AlertKind.DIGEST,
                dedupe_key=f"digest:{chat_id}:{day.isoformat()}",
                payload=content.payload(chart),
                priority=PRIORITY_DIGEST,
            )
            queued = int(await outbox.enqueue(session, alert, chat_id, thread_id=content.thread_id))
            await digest_repo.attach_alert(session, run_id, alert.id)
            if chart is not None:
                chart_alert, _ = await outbox.ensure_alert(
                    session,
                    kind=AlertKind.DIGEST_CHART,
                    dedupe_key=f"digest-chart:{chat_id}:{day.isoformat()}",
                    payload={
                        "day": day.isoformat(),
                        "chart": chart,
                        "chart_kind": content.week.get("kind"),
                    },
                    priority=PRIORITY_DIGEST,
                )
                queued += await outbox.enqueue(
                    session,
                    chart_alert,
                    chat_id,
                    thread_id=content.thread_id,
                    not_before=utcnow() + CHART_DELAY,
                )
        log.info("digest for chat %s, %s queued", chat_id, day)
        if queued:
            self.metrics.alerts_queued(queued)
            self.on_enqueued()
        return QUEUED
