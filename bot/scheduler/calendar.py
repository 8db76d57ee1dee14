"""When weekly and daily things happen, in a given time zone: pure functions of `now`."""

from __future__ import annotations

import zlib
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str | None) -> ZoneInfo:
    """The named time zone, or UTC when Slack gave none or one this system does not know."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _wall(day: date, hour: int, tz: str | None) -> datetime:
    # Built from the wall-clock date, so that a DST change within the week does not shift it.
    return datetime(day.year, day.month, day.day, hour, tzinfo=zone(tz)).astimezone(UTC)


def latest_weekly(now: datetime, weekday: int, hour: int, tz: str | None) -> datetime:
    """The most recent `weekday` (0 = Monday) at `hour`:00 local time, at or before `now` (UTC)."""
    local = now.astimezone(zone(tz))
    days_back = (local.weekday() - weekday) % 7
    candidate = (local - timedelta(days=days_back)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    if candidate > local:
        candidate -= timedelta(days=7)
    return _wall(candidate.date(), hour, tz)


def next_weekly(now: datetime, weekday: int, hour: int, tz: str | None) -> datetime:
    """The first `weekday` at `hour`:00 local time strictly after `now`: the one that
    `latest_weekly` gives once it has come."""
    latest = latest_weekly(now, weekday, hour, tz)
    return _wall(latest.astimezone(zone(tz)).date() + timedelta(days=7), hour, tz)


def iso_week(instant: datetime, tz: str | None) -> str:
    year, week, _ = instant.astimezone(zone(tz)).isocalendar()
    return f"{year}-W{week:02d}"


def in_working_hours(now: datetime, tz: str | None, start: int = 9, end: int = 17) -> bool:
    """Monday to Friday, `start`:00 to `end`:00, in the person's own time zone."""
    local = now.astimezone(zone(tz))
    return local.weekday() < 5 and start <= local.hour < end


def next_workday_start(now: datetime, tz: str | None, start: int = 9) -> datetime:
    """The first Monday-to-Friday `start`:00 local time strictly after `now`."""
    today = now.astimezone(zone(tz)).date()
    for days in range(8):
        day = today + timedelta(days=days)
        if day.weekday() < 5 and (at := _wall(day, start, tz)) > now:
            return at
    raise AssertionError("a week always has a working day")  # pragma: no cover


def own_minute(team_id: str) -> int:
    """The workspace's own minute past the hour for its hourly checks, the same on every host
    and every run, so that thousands of workspaces do not all come due in the same minute."""
    return zlib.crc32(team_id.encode()) % 60


def next_hourly(now: datetime, minute: int) -> datetime:
    """The first instant strictly after `now` at `minute` past an hour (UTC)."""
    at = now.astimezone(UTC).replace(minute=minute, second=0, microsecond=0)
    return at if at > now else at + timedelta(hours=1)
