"""When weekly things happen, in a given time zone: pure functions of `now`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str | None) -> ZoneInfo:
    """The named time zone, or UTC when Slack gave none or one this system does not know."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def latest_weekly(now: datetime, weekday: int, hour: int, tz: str | None) -> datetime:
    """The most recent `weekday` (0 = Monday) at `hour`:00 local time, at or before `now` (UTC)."""
    local = now.astimezone(zone(tz))
    days_back = (local.weekday() - weekday) % 7
    candidate = (local - timedelta(days=days_back)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    if candidate > local:
        candidate -= timedelta(days=7)
    # Rebuild from the wall-clock date so that a DST change within the week does not shift it.
    wall = datetime(candidate.year, candidate.month, candidate.day, hour, tzinfo=zone(tz))
    return wall.astimezone(UTC)


def iso_week(instant: datetime, tz: str | None) -> str:
    year, week, _ = instant.astimezone(zone(tz)).isocalendar()
    return f"{year}-W{week:02d}"


def in_working_hours(now: datetime, tz: str | None, start: int = 9, end: int = 17) -> bool:
    """Monday to Friday, `start`:00 to `end`:00, in the person's own time zone."""
    local = now.astimezone(zone(tz))
    return local.weekday() < 5 and start <= local.hour < end
