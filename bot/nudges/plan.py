"""Private nudges: rare, kind DMs about a person's own exchanges (DESIGN.md §1.2 and §1.5).

Three rules, tried in this order for each person (one nudge at most, the most personal first):

- *pair*: someone helped them (weighted, decayed, over 90 days) at least
  `nudge_pair_min_weight`, they gave back at most a third of that, and they have not thanked
  that person in 30 days: they are nudged to say thanks or offer help, naming that person;
- *ask too*: they helped at least `nudge_ask_too_min_people` people in 30 days, and have
  neither asked nor received anything in 60: they are encouraged to ask;
- *give back*: at least `nudge_give_back_min_people` people helped them in 60 days, and they
  helped no one: they are invited to offer help.

Only to people in their own working hours (Monday to Friday, 09:00 to 17:00), at most once a
week (seven days), never about the same pair (either way round) or with the same encouragement
twice in 28 days, never to bots, deactivated or opted-out members; nobody at capacity
(`/favor busy`) is asked to give (pair, give back). A nudge that never reached
the person (failed, expired) does not count. Retracted credits never count.

All of it is one statement per workspace (bot/nudges/rules.py): the members in working
hours first, then one pass over 90 days of credits that touch them, grouped per (helper,
helped) pair, from which every rule is answered in SQL. Python only picks one nudge per person
from what comes back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache

from sqlalchemy import Select, bindparam, func, select, tuple_
from sqlalchemy.orm import Session

from bot.busy.rules import busy_among
from bot.models import Credit, Member, UTCDateTime, Workspace
from bot.nudges.blocks import nudge_message
from bot.nudges.candidate import NudgeCandidate
from bot.nudges.rules import (
    ASK_TOO,
    GIVE_BACK,
    PAIR,
    PAIR_WINDOW,
    candidate_values,
    candidates_statement,
)
from bot.scheduler.calendar import (
    in_working_hours,
    iso_week,
    next_hourly,
    next_workday_start,
    own_minute,
    zone,
)
from bot.scheduler.planned import Planned

__all__ = [
    "ASK_TOO",
    "GIVE_BACK",
    "PAIR",
    "PRIORITY",
    "NudgeCandidate",
    "end_of_working_day",
    "next_nudge_at",
    "nudge_candidates",
    "nudge_key",
    "plan_nudges",
    "recent_reasons",
    "working_zones",
]

PRIORITY = (PAIR, ASK_TOO, GIVE_BACK)
ASKS_TO_GIVE = frozenset({PAIR, GIVE_BACK})

WORKDAY_START, WORKDAY_END = 9, 17
REASONS_SHOWN = 3
_PAIRS_PER_QUERY = 400


def plan_nudges(
    session: Session, workspace: Workspace, now: datetime, zones: Sequence[str] | None = None
) -> list[Planned]:
    """The nudges due now: one DM each, sent before the end of the person's working day.
    `zones`: the members' time zones, when the caller has read them already."""
    candidates = nudge_candidates(session, workspace, now, zones)
    reasons = recent_reasons(
        session,
        workspace.team_id,
        [(c.about_id, c.recipient_id) for c in candidates if c.about_id is not None],
        now,
    )
    planned = []
    for candidate in candidates:
        key = nudge_key(workspace.team_id, candidate, now)
        shown = reasons.get((candidate.about_id or "", candidate.recipient_id), [])
        planned.append(
            Planned(
                dedupe_key=key,
                kind="nudge",
                channel_id=candidate.recipient_id,
                payload=nudge_message(key, candidate, shown),
                due_at=now,
                expires_at=end_of_working_day(now, candidate.tz),
                recipient_id=candidate.recipient_id,
                about_user_id=candidate.about_id,
            )
        )
    return planned


def nudge_key(team_id: str, candidate: NudgeCandidate, now: datetime) -> str:
    week = iso_week(now, candidate.tz)
    return f"nudge:{team_id}:{candidate.recipient_id}:{candidate.kind}:{week}"


def end_of_working_day(now: datetime, tz: str | None) -> datetime:
    local = now.astimezone(zone(tz))
    end = datetime(local.year, local.month, local.day, WORKDAY_END, tzinfo=zone(tz))
    return end.astimezone(UTC)


def next_nudge_at(workspace: Workspace, zones: Sequence[str], now: datetime) -> datetime:
    """When to plan the workspace's nudges again after `now`, for members in `zones`: at the
    start of the next working day in any of them, and, while someone is at work, once an hour
    at the workspace's own minute, for what changed meanwhile (new credits, windows that
    moved on, a nudge that expired, someone who joined)."""
    starts = [next_workday_start(now, tz, WORKDAY_START) for tz in zones]
    at_work = any(in_working_hours(now, tz, WORKDAY_START, WORKDAY_END) for tz in zones)
    if at_work or not starts:
        starts.append(next_hourly(now, own_minute(workspace.team_id)))
    return min(starts)


def working_zones(
    session: Session, team_id: str, now: datetime, zones: Sequence[str] | None = None
) -> list[str]:
    """The time zones (as members' rows spell them, or as given) in which it is a working
    hour now."""
    if zones is None:
        zones = list(
            session.scalars(select(Member.tz).where(Member.team_id == team_id).group_by(Member.tz))
        )
    return [tz for tz in zones if in_working_hours(now, tz, WORKDAY_START, WORKDAY_END)]


def nudge_candidates(
    session: Session, workspace: Workspace, now: datetime, zones: Sequence[str] | None = None
) -> list[NudgeCandidate]:
    """Who would be nudged now, and with which nudge: at most one each, by `PRIORITY`."""
    team_id = workspace.team_id
    working = working_zones(session, team_id, now, zones)
    if not working:
        return []
    best: dict[str, NudgeCandidate] = {}
    rows = session.execute(candidates_statement(), candidate_values(workspace, now, working)).all()
    # Nobody at capacity is asked to give (a pair's Offer help, give back); they may still be
    # encouraged to ask.
    busy = busy_among(session, team_id, {row.recipient_id for row in rows}, now)
    for row in rows:
        if row.recipient_id in busy and row.kind in ASKS_TO_GIVE:
            continue
        candidate = NudgeCandidate(
            recipient_id=row.recipient_id,
            kind=row.kind,
            tz=row.tz,
            about_id=row.about_id,
            given=float(row.given or 0.0),
            returned=float(row.returned or 0.0),
            people=int(row.people or 0),
            span=now - row.first_at if row.first_at is not None else None,
        )
        current = best.get(candidate.recipient_id)
        if current is None or _rank(candidate) < _rank(current):
            best[candidate.recipient_id] = candidate
    return [best[user_id] for user_id in sorted(best)]


def _rank(candidate: NudgeCandidate) -> tuple[int, float, str]:
    # The rule first; among pairs, the most one-sided; then a stable order.
    return (
        PRIORITY.index(candidate.kind),
        -(candidate.given - candidate.returned),
        candidate.about_id or "",
    )


def recent_reasons(
    session: Session, team_id: str, pairs: Sequence[tuple[str, str]], now: datetime
) -> dict[tuple[str, str], list[str]]:
    """For each (helper, helped) pair, the reasons of the helper's latest credits, newest first:
    what the helped person wrote themselves, so a nudge tells them nothing new."""
    found: dict[tuple[str, str], list[str]] = {}
    for start in range(0, len(pairs), _PAIRS_PER_QUERY):
        chunk = pairs[start : start + _PAIRS_PER_QUERY]
        values = {
            "team_id": team_id,
            "helped": sorted({helped_id for _, helped_id in chunk}),
            "pairs": list(chunk),
            "since": now - PAIR_WINDOW,
            "now": now,
        }
        for helper_id, helped_id, reason in session.execute(_reasons_query(), values):
            found.setdefault((helper_id, helped_id), []).append(reason)
    return found


@cache
def _reasons_query() -> Select[str, str, str]:
    # Built once: a workspace's nudges are planned again every hour its people are at work.
    ranked = (
        select(
            Credit.helper_id,
            Credit.helped_id,
            Credit.reason,
            func.row_number()
            .over(
                partition_by=(Credit.helper_id, Credit.helped_id),
                order_by=(Credit.created_at.desc(), Credit.id.desc()),
            )
            .label("n"),
        )
        .where(
            Credit.team_id == bindparam("team_id"),
            # The helped person's own rows first (their index), then the exact pairs.
            Credit.helped_id.in_(bindparam("helped", expanding=True)),
            tuple_(Credit.helper_id, Credit.helped_id).in_(bindparam("pairs", expanding=True)),
            Credit.retracted_at.is_(None),
            Credit.created_at >= bindparam("since", type_=UTCDateTime),
            Credit.created_at <= bindparam("now", type_=UTCDateTime),
            Credit.reason.is_not(None),
            Credit.reason != "",
        )
        .subquery()
    )
    return (
        select(ranked.c.helper_id, ranked.c.helped_id, ranked.c.reason)
        .where(ranked.c.n <= REASONS_SHOWN)
        .order_by(ranked.c.helper_id, ranked.c.helped_id, ranked.c.n)
    )
