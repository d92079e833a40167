"""Next-run arithmetic: per-chat zones, both DST directions, gaps and repeated hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.digest.schedule import catch_up_slot, due_at, last_slot, next_slot, slot

KYIV = ZoneInfo("Europe/Kyiv")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_default_0800_kyiv_shifts_in_utc_across_both_dst_changes() -> None:
    # Kyiv: EET (+2) in winter, EEST (+3) in summer; 2025 changes on 30 March and 26 October.
    assert due_at(date(2025, 3, 29), time(8), KYIV) == utc(2025, 3, 29, 6)
    assert due_at(date(2025, 3, 30), time(8), KYIV) == utc(2025, 3, 30, 5)
    assert due_at(date(2025, 10, 25), time(8), KYIV) == utc(2025, 10, 25, 5)
    assert due_at(date(2025, 10, 26), time(8), KYIV) == utc(2025, 10, 26, 6)


def test_spring_forward_gap_still_one_digest() -> None:
    # Berlin 2025-03-30: 02:00 -> 03:00, so 02:30 does not exist that day.
    day = date(2025, 3, 30)
    due = due_at(day, time(2, 30), BERLIN)
    assert due == utc(2025, 3, 30, 1, 30)  # 03:30 CEST, after the gap
    # Walking through the night minute by minute finds exactly one due instant that day.
    start = utc(2025, 3, 29, 22)
    instants = {
        next_slot(start + timedelta(minutes=m), time(2, 30), BERLIN).due for m in range(0, 6 * 60)
    }
    assert [i for i in instants if i.astimezone(BERLIN).date() == day] == [due]


def test_fall_back_repeated_hour_first_occurrence_only() -> None:
    # Berlin 2025-10-26: 03:00 -> 02:00, so 02:30 happens twice; the digest goes once.
    day = date(2025, 10, 26)
    due = due_at(day, time(2, 30), BERLIN)
    assert due == utc(2025, 10, 26, 0, 30)  # 02:30 CEST, the first one
    after = next_slot(due, time(2, 30), BERLIN)
    assert after.day == date(2025, 10, 27)


def test_window_is_since_the_previous_digest() -> None:
    s = slot(date(2025, 3, 30), time(8), KYIV)
    assert s.until - s.since == timedelta(hours=23)  # the short night
    s = slot(date(2025, 10, 26), time(8), KYIV)
    assert s.until - s.since == timedelta(hours=25)


def test_per_chat_time_zone() -> None:
    now = utc(2025, 6, 1, 10)
    assert next_slot(now, time(8), KYIV).due == utc(2025, 6, 2, 5)
    assert next_slot(now, time(8), NEW_YORK).due == utc(2025, 6, 1, 12)
    assert last_slot(now, time(8), NEW_YORK).day == date(2025, 5, 31)


def test_catch_up_only_the_latest_recent_day() -> None:
    at = time(8)
    # Down from 07:00 to 09:30: today's 08:00 digest is sent late.
    missed = catch_up_slot(
        utc(2025, 6, 1, 6, 30), at, KYIV, max_late=timedelta(hours=20), not_before=None
    )
    assert missed is not None and missed.day == date(2025, 6, 1)
    # Down for days: only the most recent day is a candidate, and only if recent enough.
    assert (
        catch_up_slot(utc(2025, 6, 2, 1), at, KYIV, max_late=timedelta(hours=20), not_before=None)
        is not None
    )
    assert (
        catch_up_slot(utc(2025, 6, 2, 4), at, KYIV, max_late=timedelta(hours=20), not_before=None)
        is None
    )
    # A chat that enabled its digest after today's time waits for tomorrow.
    assert (
        catch_up_slot(
            utc(2025, 6, 1, 7),
            at,
            KYIV,
            max_late=timedelta(hours=20),
            not_before=utc(2025, 6, 1, 6),
        )
        is None
    )


zones = st.sampled_from([KYIV, BERLIN, NEW_YORK, ZoneInfo("Australia/Lord_Howe"), ZoneInfo("UTC")])


@given(
    now=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    ),
    at=st.times(),
    tz=zones,
)
def test_last_and_next_bracket_now_and_are_consecutive_days(
    now: datetime, at: time, tz: ZoneInfo
) -> None:
    last, nxt = last_slot(now, at, tz), next_slot(now, at, tz)
    assert last.due <= now < nxt.due
    assert nxt.day == last.day + timedelta(days=1)
    assert nxt.since == last.due
    assert timedelta(hours=22) <= nxt.due - last.due <= timedelta(hours=26)
