"""The weekly "Who helped you this week?" DM: when each member gets it, and turning it off.

Everyone gets it at the workspace's prompt weekday and hour in their own time zone. Planning
must stay cheap for a large workspace: members are grouped by time zone in SQL (or the tick
gives the zones, read for many workspaces at once), the due time is worked out once per zone,
and only members whose prompt is not in the outbox yet are read.

A tick plans a workspace's prompts only when `next_prompt_at` says so: at each of its members'
zones' hour, and once an hour in the stretch of the week when the hour comes somewhere on
Earth, so that someone who joined or moved zone since is still prompted in time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, literal, select, update
from sqlalchemy.orm import Session

from bot.errors import UnknownMemberError
from bot.models import Member, OutboxMessage, Workspace
from bot.prompts.blocks import prompt_message
from bot.scheduler.calendar import (
    iso_week,
    latest_weekly,
    next_hourly,
    next_weekly,
    own_minute,
)
from bot.scheduler.planned import Planned, plan_again

# A prompt missed by downtime is still sent within this long after its hour; later it would
# arrive at an odd time of someone's evening, or days late.
PROMPT_GRACE = timedelta(hours=4)
# Rows planned in one tick (one INSERT): well within both databases' limits on parameters.
# Members beyond it are planned by the next ticks, a minute apart, well within the grace.
PLAN_BATCH = 1000
# The prompt hour comes first on Kiritimati (UTC+14) and last 26 hours later at UTC-12: before
# and after that stretch of the week (and its grace), nobody anywhere can be due.
EARLIEST_ZONE = "Etc/GMT-14"
EARTH_SPAN = timedelta(hours=26)

# Members who are people, active, and have not opted out of the prompts.
GETS_PROMPTS = ~Member.is_bot & ~Member.is_deactivated & ~Member.prompts_opt_out


def prompt_key(team_id: str, user_id: str, week: str) -> str:
    return f"prompt:{team_id}:{user_id}:{week}"


def _prompted(team_id: str) -> ColumnElement[bool]:
    return (Member.team_id == team_id) & GETS_PROMPTS


def plan_prompts(
    session: Session, workspace: Workspace, now: datetime, zones: Sequence[str] | None = None
) -> list[Planned]:
    """This week's prompt for each member whose local prompt hour has come, once each.
    `zones`: those of the members who get prompts, when the caller has read them already."""
    team_id = workspace.team_id
    if zones is None:
        zones = list(
            session.scalars(select(Member.tz).where(_prompted(team_id)).group_by(Member.tz))
        )
    # Zones whose prompt hour passed within the grace, grouped by the ISO week it falls in
    # (the same for all of them, except around a week's turn far apart on the globe).
    due: dict[str, dict[str, datetime]] = defaultdict(dict)
    for tz in zones:
        occurrence = latest_weekly(now, workspace.prompt_weekday, workspace.prompt_hour, tz)
        if now - occurrence < PROMPT_GRACE:
            due[iso_week(occurrence, tz)][tz] = occurrence

    planned: list[Planned] = []
    for week, occurrences in sorted(due.items()):
        key = literal(f"prompt:{team_id}:") + Member.user_id + literal(f":{week}")
        already = select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key).exists()
        members = session.execute(
            select(Member.user_id, Member.tz)
            .where(_prompted(team_id), Member.tz.in_(list(occurrences)), ~already)
            .order_by(Member.user_id)
            .limit(PLAN_BATCH - len(planned))
        )
        for user_id, tz in members:
            occurrence = occurrences[tz]
            planned.append(
                Planned(
                    dedupe_key=prompt_key(team_id, user_id, week),
                    kind="prompt",
                    channel_id=user_id,  # a user ID: the app's DM with them
                    recipient_id=user_id,
                    payload=prompt_message(user_id),
                    due_at=occurrence,
                    expires_at=occurrence + PROMPT_GRACE,
                )
            )
        if len(planned) >= PLAN_BATCH:
            break
    return planned


def next_prompt_at(
    workspace: Workspace, zones: Sequence[str], now: datetime, planned: int
) -> datetime:
    """When to plan the workspace's prompts again, after planning `planned` of them at `now`
    for members in `zones`."""
    if planned >= PLAN_BATCH:
        return now  # more are due: the next tick goes on
    weekday, hour = workspace.prompt_weekday, workspace.prompt_hour
    start = latest_weekly(now, weekday, hour, EARLIEST_ZONE)
    if now >= start + EARTH_SPAN + PROMPT_GRACE:
        return next_weekly(now, weekday, hour, EARLIEST_ZONE)
    # Each zone at its hour; and hourly, at the workspace's own minute, for members whose zone
    # is new since `zones` were read (they are still within the grace).
    hours = (next_weekly(now, weekday, hour, tz) for tz in zones)
    return min(next_hourly(now, own_minute(workspace.team_id)), *hours)


def set_prompts(session: Session, team_id: str, user_id: str, *, enabled: bool) -> None:
    """Turn a member's weekly prompt off or back on, at once."""
    member = session.get(Member, (team_id, user_id), with_for_update=True)
    if member is None:
        raise UnknownMemberError(
            "I couldn't find you in this workspace's members yet. Try again in a minute."
        )
    member.prompts_opt_out = not enabled
    if enabled:
        plan_again(session, team_id)  # one still due this week is sent now
    else:
        # A prompt planned but not sent yet is not sent either: stopping means now.
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.team_id == team_id,
                OutboxMessage.recipient_id == user_id,
                OutboxMessage.kind == "prompt",
                OutboxMessage.status == "pending",
            )
            .values(status="expired", error="The person turned these prompts off.")
        )
