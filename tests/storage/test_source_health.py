"""Source health kept in the database: failures in a row make a channel degraded, then dead; a
good poll makes it ok again; every change is queued for each admin once; markup drift is named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.alert import Reasons
from bot.errors import MarkupDriftError, SourceError
from bot.ops.metrics import Metrics
from bot.ops.sources import SourceHealthTracker, SourceState, render_source_health, state_after
from bot.services.sources import SourceService
from storage.models import Alert, Delivery

ADMINS = (4242, 4343)


def test_state_follows_failures_in_a_row() -> None:
    states = [state_after(n, 2, 4) for n in range(6)]
    assert states == ["ok", "ok", "degraded", "degraded", "dead", "dead"]
    # A dead threshold below the degraded one still means dead at the larger of the two.
    assert state_after(3, 3, 1) is SourceState.DEAD


async def _admin_messages(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[int, dict]]:
    async with sessions() as session:
        rows = await session.execute(
            select(Delivery.chat_id, Alert.payload)
            .join(Alert, Alert.id == Delivery.alert_id)
            .where(Alert.kind == "source_health")
            .order_by(Delivery.id)
        )
        return [(chat, dict(payload)) for chat, payload in rows.all()]


async def test_failures_degrade_then_kill_and_a_good_poll_recovers(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    woken: list[int] = []
    metrics = Metrics()
    tracker = SourceHealthTracker(
        sessions,
        metrics,
        degraded_after=2,
        dead_after=3,
        admin_ids=ADMINS,
        on_enqueued=lambda: woken.append(1),
    )
    svc = SourceService(sessions)
    await tracker.polled("chan", None)
    assert (await svc.all())[0].state == "ok"

    await tracker.polled("chan", SourceError("HTTP 502"))
    assert (await svc.all())[0].state == "ok"
    await tracker.polled("chan", SourceError("HTTP 502"))
    src = (await svc.all())[0]
    assert (src.state, src.failures, src.last_error) == ("degraded", 2, "HTTP 502")
    await tracker.polled("chan", MarkupDriftError("t.me/s/chan: the page yields no posts"))
    src = (await svc.all())[0]
    assert src.state == "dead"
    assert src.last_error is not None and src.last_error.startswith("markup drift")
    await tracker.polled("chan", SourceError("still down"))  # no new change, no new message
    await tracker.polled("chan", None)
    assert (await svc.all())[0].state == "ok"

    messages = await _admin_messages(sessions)
    assert [(chat, p["previous"], p["state"]) for chat, p in messages] == [
        (admin, before, after)
        for before, after in (("ok", "degraded"), ("degraded", "dead"), ("dead", "ok"))
        for admin in ADMINS
    ]
    assert len(woken) == 3
    text = metrics.render().decode()
    assert 'dozor_source_failures_total{channel="chan"} 4.0' in text
    assert "dozor_alerts_queued_total 6.0" in text  # 3 changes, 2 admins


async def test_admin_message_says_what_changed_in_the_admins_language() -> None:
    payload = {
        "channel": "kpszsu",
        "state": "dead",
        "previous": "degraded",
        "failures": 10,
        "error": "markup drift: <none>",
    }
    en = render_source_health(payload, Reasons(), lang="en", tz="UTC").text
    uk = render_source_health(payload, Reasons(), lang="uk", tz="UTC").text
    assert "@kpszsu is dead: 10 failed polls" in en and "&lt;none&gt;" in en
    assert "@kpszsu не працює" in uk
    back = render_source_health(
        payload | {"state": "ok", "previous": "dead"}, Reasons(), lang="en", tz="UTC"
    ).text
    assert back.startswith("✅ Channel @kpszsu is read again (was: dead)")


async def test_a_flapping_channel_needs_good_polls_in_a_row_and_rate_limits_messages(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Fail, succeed, fail, succeed …: one good poll no longer means ok (two in a row do), and
    admins hear of a bad state at most once per interval; the recovery is always told."""
    clock = [datetime(2026, 12, 2, 8, 0, tzinfo=UTC)]
    tracker = SourceHealthTracker(
        sessions,
        Metrics(),
        degraded_after=2,
        dead_after=4,
        recover_after=2,
        alert_min_interval=timedelta(minutes=15),
        admin_ids=ADMINS[:1],
        clock=lambda: clock[0],
    )
    svc = SourceService(sessions)

    async def poll(error: str | None, minutes: float = 1) -> str:
        clock[0] += timedelta(minutes=minutes)
        await tracker.polled("chan", SourceError(error) if error else None)
        return (await svc.all())[0].state

    assert [await poll("down"), await poll("down")] == ["ok", "degraded"]
    for _ in range(5):  # flapping: never ok, never dead, no new message
        assert [await poll(None), await poll("down")] == ["degraded", "degraded"]
    assert await poll(None) == "degraded"
    assert await poll(None) == "ok"  # two good polls in a row
    assert [(p["previous"], p["state"]) for _, p in await _admin_messages(sessions)] == [
        ("ok", "degraded"),
        ("degraded", "ok"),
    ]
    # Bad again within 15 minutes of the last bad-state message (minute 2): not told yet.
    assert [await poll("down"), await poll("down")] == ["ok", "degraded"]
    assert len(await _admin_messages(sessions)) == 2
    # Once the interval is over, the next poll tells it (it still holds), once.
    assert await poll("down", minutes=5) == "degraded"
    assert await poll("down") == "dead"
    messages = [(p["previous"], p["state"]) for _, p in await _admin_messages(sessions)]
    assert messages[2:] == [("ok", "degraded")]
    assert await poll("down", minutes=15) == "dead"
    assert await poll("down") == "dead"
    messages = [(p["previous"], p["state"]) for _, p in await _admin_messages(sessions)]
    assert messages[2:] == [("ok", "degraded"), ("degraded", "dead")]
    # The recovery is told at once, whatever the interval.
    assert [await poll(None), await poll(None)] == ["dead", "ok"]
    messages = [(p["previous"], p["state"]) for _, p in await _admin_messages(sessions)]
    assert messages[-1] == ("dead", "ok") and len(messages) == 5


async def test_a_bad_state_never_told_is_not_followed_by_a_recovery_message(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = [datetime(2026, 12, 2, 8, 0, tzinfo=UTC)]
    tracker = SourceHealthTracker(
        sessions,
        Metrics(),
        degraded_after=1,
        dead_after=3,
        recover_after=1,
        alert_min_interval=timedelta(minutes=15),
        admin_ids=ADMINS[:1],
        clock=lambda: clock[0],
    )
    await tracker.polled("chan", SourceError("down"))  # degraded: told
    await tracker.polled("chan", None)  # ok: told
    await tracker.polled("chan", SourceError("down"))  # degraded again: held back
    await tracker.polled("chan", None)  # ok: the admins never heard otherwise
    messages = [(p["previous"], p["state"]) for _, p in await _admin_messages(sessions)]
    assert messages == [("ok", "degraded"), ("degraded", "ok")]
