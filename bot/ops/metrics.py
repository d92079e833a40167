"""The process's Prometheus metrics, in a registry of its own.

One ``Metrics`` is built by the composition root and handed to the parts that count; each
event is one method call. Counters are per process; the figures that live in the database
(outbox depth and age, per-source lag, state and failures) are read on every scrape, so each
process shows the same view of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from storage.repos.ops import Backlog, SourceRow

__all__ = ["CONTENT_TYPE", "Metrics"]

SOURCE_STATES = ("ok", "degraded", "dead")


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = r = registry or CollectorRegistry()
        self._posts = Counter(
            "dozor_posts_ingested", "Posts stored for the first time", ["channel"], registry=r
        )
        self._queued = Counter("dozor_alerts_queued", "Outbox rows queued", registry=r)
        self._sent = Counter("dozor_alerts_sent", "Outbox rows delivered", registry=r)
        self._throttled = Counter(
            "dozor_telegram_429", "Bot API answers 429 Too Many Requests", registry=r
        )
        self._retries = Counter("dozor_delivery_retries", "Sends rescheduled to retry", registry=r)
        self._flood = Counter("dozor_flood_waits", "Telethon FloodWait errors", registry=r)
        self._source_failures = Counter(
            "dozor_source_failures", "Failed polls of a source", ["channel"], registry=r
        )
        self._digests = Counter("dozor_digest_runs", "Daily digests run", ["outcome"], registry=r)
        self._analysis = Histogram(
            "dozor_analysis_seconds",
            "Matching and analysis time per stored post",
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=r,
        )
        self._depth = Gauge("dozor_outbox_depth", "Outbox rows waiting to be sent", registry=r)
        self._oldest = Gauge(
            "dozor_outbox_oldest_age_seconds", "Age of the oldest waiting outbox row", registry=r
        )
        self._lag = Gauge(
            "dozor_source_lag_seconds",
            "Now minus the date of the newest post stored for the source",
            ["channel"],
            registry=r,
        )
        self._state = Gauge(
            "dozor_source_state", "1 for the state a source is in", ["channel", "state"], registry=r
        )
        self._consecutive = Gauge(
            "dozor_source_consecutive_failures",
            "Failed polls in a row, as recorded in the database",
            ["channel"],
            registry=r,
        )
        self._heartbeat = Gauge(
            "dozor_event_loop_heartbeat_age_seconds",
            "Seconds since the event loop last ran the heartbeat",
            registry=r,
        )

    # -- events (one call each) -------------------------------------------------------------
    def post_stored(self, channel: str) -> None:
        self._posts.labels(channel).inc()

    def alerts_queued(self, count: int = 1) -> None:
        self._queued.inc(count)

    def alert_sent(self) -> None:
        self._sent.inc()

    def rate_limited(self) -> None:
        self._throttled.inc()

    def retried(self) -> None:
        self._retries.inc()

    def flood_wait(self) -> None:
        self._flood.inc()

    def source_failed(self, channel: str) -> None:
        self._source_failures.labels(channel).inc()

    def digest_run(self, outcome: str) -> None:
        self._digests.labels(outcome).inc()

    def analysed(self, seconds: float) -> None:
        self._analysis.observe(seconds)

    # -- read at scrape time ----------------------------------------------------------------
    def heartbeat_age(self, seconds: float) -> None:
        self._heartbeat.set(seconds)

    def database_view(self, backlog: Backlog, sources: Iterable[SourceRow], now: datetime) -> None:
        self._depth.set(backlog.depth)
        self._oldest.set((now - backlog.oldest).total_seconds() if backlog.oldest else 0.0)
        # Removed channels must disappear from the output, not keep their last value.
        self._lag.clear()
        self._state.clear()
        self._consecutive.clear()
        for src in sources:
            if not src.active:
                continue
            if src.newest_post_at is not None:
                self._lag.labels(src.channel).set((now - src.newest_post_at).total_seconds())
            for state in SOURCE_STATES:
                self._state.labels(src.channel, state).set(1.0 if src.state == state else 0.0)
            self._consecutive.labels(src.channel).set(src.failures)

    def render(self) -> bytes:
        return generate_latest(self.registry)
