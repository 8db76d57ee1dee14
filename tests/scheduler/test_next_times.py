"""When a workspace is next due: the weekly and daily instants the tick stores, as pure
functions of `now`, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import insert, select

from bot.db import alembic_config, make_engine
from bot.models import Workspace
from bot.scheduler.calendar import (
    in_working_hours,
    latest_weekly,
    next_hourly,
    next_weekly,
    next_workday_start,
    own_minute,
)
from tests.test_migrations import scratch_url

__all__ = ["scratch_url"]  # a fixture: a database of the test's own

ZONES = (
    "UTC",
    "Europe/Oslo",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",  # a half-hour DST shift
    "Asia/Kolkata",
    "Pacific/Chatham",
    "Etc/GMT-14",
    "Not/AZone",
)
instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)


@given(instants, st.integers(0, 6), st.integers(0, 23), st.sampled_from(ZONES))
# 02:00 on the Sunday New York skips it, and 01:00 on the Sunday it comes twice.
@example(datetime(2026, 3, 8, 6, 0, tzinfo=UTC), 6, 2, "America/New_York")
@example(datetime(2026, 11, 1, 5, 30, tzinfo=UTC), 6, 1, "America/New_York")
def test_the_next_weekly_time_is_the_one_the_planner_then_finds(
    now: datetime, weekday: int, hour: int, tz: str
) -> None:
    upcoming = next_weekly(now, weekday, hour, tz)
    assert upcoming > now
    assert upcoming - latest_weekly(now, weekday, hour, tz) <= timedelta(days=7, hours=1)
    # Once it has come, it is the latest; until then, the one before it still is.
    assert latest_weekly(upcoming, weekday, hour, tz) == upcoming
    just_before = upcoming - timedelta(microseconds=1)
    assert latest_weekly(just_before, weekday, hour, tz) == latest_weekly(now, weekday, hour, tz)


@given(instants, st.sampled_from(ZONES))
@example(datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "Europe/Oslo")  # DST begins at 01:00 UTC
@example(datetime(2026, 11, 27, 17, 0, tzinfo=UTC), "Europe/Oslo")  # a Friday after work
def test_the_next_working_day_starts_at_nine_and_none_starts_before(now: datetime, tz: str) -> None:
    start = next_workday_start(now, tz)
    assert start > now and start - now <= timedelta(days=3, hours=1)
    assert in_working_hours(start, tz)
    assert not in_working_hours(start - timedelta(minutes=1), tz)
    # No other working day began in between: each hour before it is either the same working
    # day as `now`, or outside working hours.
    at = now + timedelta(minutes=30)
    while at < start:
        assert not in_working_hours(at, tz) or in_working_hours(now, tz)
        at += timedelta(minutes=30)


@given(instants, st.integers(0, 59))
def test_hourly_checks_come_at_the_workspaces_own_minute(now: datetime, minute: int) -> None:
    at = next_hourly(now, minute)
    assert now < at <= now + timedelta(hours=1) and (at.minute, at.second) == (minute, 0)


def test_workspaces_have_their_minutes_spread_over_the_hour() -> None:
    minutes = {own_minute(f"T{number:08d}") for number in range(600)}
    assert len(minutes) == 60
    assert own_minute("T0SANDBOX") == own_minute("T0SANDBOX")


def test_the_upgrade_gives_existing_workspaces_their_next_times(scratch_url: str) -> None:
    config = alembic_config(scratch_url)
    command.upgrade(config, "0017")
    engine = make_engine(scratch_url)
    rows = [
        {"team_id": "T0BEFORE1", "timezone": "Europe/Oslo", "digest_weekday": 0, "digest_hour": 9},
        {"team_id": "T0BEFORE2", "timezone": "Not/AZone", "digest_weekday": 3, "digest_hour": 23},
    ]
    try:
        with engine.begin() as conn:
            conn.execute(insert(Workspace.__table__), rows)
        before = datetime.now(UTC)
        command.upgrade(config, "head")
        after = datetime.now(UTC)
        with engine.connect() as conn:
            found = {row.team_id: row for row in conn.execute(select(Workspace.__table__))}
    finally:
        engine.dispose()
    for row in rows:
        workspace = found[str(row["team_id"])]
        weekday, hour, tz = row["digest_weekday"], row["digest_hour"], row["timezone"]
        latest = latest_weekly(after, int(weekday), int(hour), str(tz))
        # This week's, while still timely; or else the next.
        expected = (
            latest
            if after - latest <= timedelta(hours=12)
            else next_weekly(after, int(weekday), int(hour), str(tz))
        )
        assert workspace.next_digest_at == expected
        assert before <= workspace.next_prompt_at <= after + timedelta(days=7)
        assert before < workspace.next_nudge_at <= after + timedelta(hours=1)
        assert workspace.next_nudge_at.minute == own_minute(workspace.team_id)
    command.downgrade(config, "0017")
