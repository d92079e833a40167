"""The options of `dozor deliver` and `dozor serve` when they run as processes of their own
(PostgreSQL deployments). The processes themselves are put together by the composition root
(``bot/compose/processes.py``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeliverOptions:
    lease: float = 60.0  # seconds a claimed row stays ours
    batch: int = 50
    concurrency: int = 8
    idle_poll: float = 0.2  # rows queued by other processes may not wake us: poll the outbox
    shared_budget: bool = True  # on PostgreSQL: one global budget for all deliver processes


@dataclass(frozen=True)
class WebhookOptions:
    url: str  # the public URL Telegram posts updates to
    listen: str = "0.0.0.0"  # noqa: S104 - a webhook server listens on all interfaces
    port: int = 8443
    url_path: str = ""
