"""Source health: each watched channel is ok, degraded or dead, from its polls in a row.

The state lives in the database (``source_health``), so every process, ``/sources`` and
``dozor sources list`` see the same thing, and a restart does not forget a dead channel. A
change of state is queued as a message to every ``ADMIN_IDS`` chat in the same transaction.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.alert import AlertKind, Reasons
from bot.core.i18n import t
from bot.deliver.render import Rendered
from bot.errors import MarkupDriftError
from bot.ops.metrics import Metrics
from storage.repos import channels as channel_repo
from storage.repos import chats as chat_repo
from storage.repos import outbox
from storage.repos import source_health as health_repo
from storage.types import utcnow

log = logging.getLogger(__name__)

ALERT_KIND = AlertKind.SOURCE_HEALTH
PRIORITY_ADMIN = 0  # ahead of everything: the operator should hear first
_MAX_ERROR = 500


class SourceState(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    DEAD = "dead"


_SEVERITY = [SourceState.OK, SourceState.DEGRADED, SourceState.DEAD]


def state_after(failures: int, degraded_after: int, dead_after: int) -> SourceState:
    """The state for ``failures`` consecutive failed polls. Pure."""
    if failures >= max(dead_after, degraded_after):
        return SourceState.DEAD
    if failures >= degraded_after:
        return SourceState.DEGRADED
    return SourceState.OK


def describe_error(error: BaseException) -> str:
    if isinstance(error, MarkupDriftError):
        return f"markup drift: {error}"
    text = str(error) or type(error).__name__
    return text[:_MAX_ERROR]


class SourceHealthTracker:
    """Implements ``bot.watch.base.SourceMonitor``."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        metrics: Metrics,
        *,
        degraded_after: int,
        dead_after: int,
        recover_after: int = 1,
        alert_min_interval: timedelta = timedelta(0),
        admin_ids: Sequence[int] = (),
        on_enqueued: Callable[[], None] = lambda: None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.metrics = metrics
        self.degraded_after = degraded_after
        self.dead_after = dead_after
        self.recover_after = max(1, recover_after)
        self.alert_min_interval = alert_min_interval
        self.admin_ids = tuple(admin_ids)
        self.on_enqueued = on_enqueued
        self.clock = clock

    async def polled(self, channel: str, error: BaseException | None) -> None:
        if error is not None:
            self.metrics.source_failed(channel)
        try:
            change = await self._record(channel, error)
        except Exception:  # health bookkeeping must never stop a watcher
            log.exception("recording the health of %s failed", channel)
            return
        if change is None:
            return
        before, after, detail, queued = change
        if after is not before:
            level = logging.INFO if after is SourceState.OK else logging.WARNING
            log.log(
                level, "source %s: %s -> %s (%s)", channel, before, after, detail or "recovered"
            )
        if queued:
            self.metrics.alerts_queued(queued)
            self.on_enqueued()

    def _next_state(self, before: SourceState, failures: int, successes: int) -> SourceState:
        """Hysteresis: failures never make a channel look better than it was (a flapping
        channel stays degraded), and a bad channel is ok again only after ``recover_after``
        good polls in a row."""
        if failures:
            worse = state_after(failures, self.degraded_after, self.dead_after)
            return max(before, worse, key=_SEVERITY.index)
        if before is SourceState.OK or successes >= self.recover_after:
            return SourceState.OK
        return before

    def _may_tell(self, known: SourceState, after: SourceState, last: datetime | None) -> bool:
        """Whether the admins, who last heard ``known``, are told ``after`` now. A recovery
        is always told; a bad state at most once per ``alert_min_interval`` per channel (a
        later poll tells it once the interval is over, if it still holds)."""
        if after is known:
            return False
        if after is SourceState.OK:
            return True
        return last is None or self.clock() - last >= self.alert_min_interval

    async def _record(
        self, channel: str, error: BaseException | None
    ) -> tuple[SourceState, SourceState, str | None, int] | None:
        now = self.clock()
        async with self.sessions() as session, session.begin():
            row = await channel_repo.ensure(session, channel)
            health = await health_repo.get_for_update(session, row.id)
            before = SourceState(health.state)
            detail: str | None = None
            if error is None:
                health.failures = 0
                health.successes += 1
                health.last_ok_at = now
            else:
                detail = describe_error(error)
                health.failures += 1
                health.successes = 0
                health.last_error = detail
                health.last_error_at = now
            after = self._next_state(before, health.failures, health.successes)
            if after is not before:
                health.state = after.value
                health.changed_at = now
            known = SourceState(health.alerted_state)
            if not self._may_tell(known, after, health.alerted_at):
                return (before, after, detail, 0) if after is not before else None
            health.alerted_state = after.value
            if after is not SourceState.OK:
                health.alerted_at = now
            queued = await self._tell_admins(
                session,
                {
                    "channel": channel,
                    "state": after.value,
                    "previous": known.value,
                    "failures": health.failures,
                    "error": detail or health.last_error,
                    "at": now.isoformat(),
                },
            )
        return before, after, detail, queued

    async def _tell_admins(self, session: AsyncSession, payload: dict[str, Any]) -> int:
        """Queue the change for every admin; returns how many outbox rows were written."""
        if not self.admin_ids:
            return 0
        alert, _ = await outbox.ensure_alert(
            session,
            kind=ALERT_KIND,
            dedupe_key=f"{ALERT_KIND}:{payload['channel']}:{payload['state']}:{payload['at']}",
            payload=payload,
            priority=PRIORITY_ADMIN,
        )
        queued = 0
        for admin in self.admin_ids:
            if await chat_repo.get(session, admin) is None:
                await chat_repo.ensure(session, admin, type_="private")
            queued += await outbox.enqueue(session, alert, admin)
        return queued


def render_source_health(
    payload: Mapping[str, Any], reasons: Reasons, *, lang: str, tz: str
) -> Rendered:
    """The admin's message about a state change. Pure."""
    del reasons, tz
    state = str(payload["state"])
    text = t(
        lang,
        f"source_{state}",
        channel=payload["channel"],
        previous=t(lang, f"source_state_{payload['previous']}"),
        failures=payload["failures"],
    )
    if payload.get("error") and state != SourceState.OK:
        text += "\n" + t(lang, "source_last_error", error=html.escape(str(payload["error"])))
    return Rendered(text)
