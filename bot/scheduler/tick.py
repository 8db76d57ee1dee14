"""A tick: for the workspaces that have something due, plan it and write it to the outbox.

Each workspace's row says when its digest, its prompts and its nudges are next due
(`next_digest_at`, `next_prompt_at`, `next_nudge_at`; None: at the next tick). A tick reads
only the workspaces whose time has come, each through its index, so that its cost follows
what is due, not how many workspaces are installed; their members' time zones are read in one
grouped query, and on PostgreSQL a few workspaces are planned at once. Planning then stores
the next time, from the workspace's settings and those zones. A tick after downtime finds the
times that passed meanwhile and plans what is still timely, as the planners' grace periods
say; settings that change clear the time they move (bot.models.people), and someone turning
prompts or nudges back on clears those (`plan_again`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, or_, select, union
from sqlalchemy.orm import Session, sessionmaker

from bot.asks.plan import plan_requests, requests_due
from bot.db import dialect_of
from bot.digest.plan import next_digest_at, plan_digest
from bot.models import Member, Workspace
from bot.nudges.plan import next_nudge_at, plan_nudges
from bot.prompts.plan import GETS_PROMPTS, next_prompt_at, plan_prompts
from bot.scheduler.housekeeping import sweep
from bot.scheduler.outbox import recover_abandoned
from bot.scheduler.planned import Planned, expire_overdue, plan

log = logging.getLogger(__name__)

# Workspaces whose members' zones are read in one query (well within both databases' limits
# on parameters).
ZONES_AT_ONCE = 500
# Workspaces planned at the same time on PostgreSQL, each in its own transaction: planning a
# workspace mostly waits for the database, and a Monday plans every digest. (SQLite takes
# one writer at a time.)
PLANNING_THREADS = 4


@dataclass(frozen=True)
class Zones:
    """A workspace's members' time zones, as their rows spell them."""

    everyone: list[str] = field(default_factory=list)
    prompted: list[str] = field(default_factory=list)  # of those who get the weekly prompt


@dataclass(frozen=True)
class Rhythm:
    """One kind of scheduled message: the workspace column saying when it is next due, what
    is due then, and when it is due again, given how many were planned."""

    column: str
    planner: Callable[[Session, Workspace, datetime, Zones], list[Planned]]
    next_at: Callable[[Workspace, Zones, datetime, int], datetime]


RHYTHMS: tuple[Rhythm, ...] = (
    Rhythm(
        "next_digest_at",
        lambda session, workspace, now, _zones: plan_digest(session, workspace, now),
        lambda workspace, _zones, now, _planned: next_digest_at(workspace, now),
    ),
    Rhythm(
        "next_prompt_at",
        lambda session, workspace, now, zones: plan_prompts(
            session, workspace, now, zones.prompted
        ),
        lambda workspace, zones, now, planned: next_prompt_at(
            workspace, zones.prompted, now, planned
        ),
    ),
    Rhythm(
        "next_nudge_at",
        lambda session, workspace, now, zones: plan_nudges(session, workspace, now, zones.everyone),
        lambda workspace, zones, now, _planned: next_nudge_at(workspace, zones.everyone, now),
    ),
)


@dataclass
class TickReport:
    planned: int = 0
    expired: int = 0
    uncertain: int = 0
    workspaces: int = 0
    swept: int = 0


def run_tick(
    sessions: sessionmaker[Session],
    now: datetime,
    planners: Sequence[Rhythm] = RHYTHMS,
    requests: bool = True,
) -> TickReport:
    """Plan everything due at `now`. Safe to run any number of times, from any process.

    `requests`: the asks and offers with a reminder or an expiry due (bot.asks.plan) too.
    They have no stored time: theirs moves with every ask, answer and setting, and the open
    requests of every workspace are few, read in one grouped statement."""
    report = TickReport()
    with sessions.begin() as session:
        for message in recover_abandoned(session, now):
            log.warning("outbox message %s: %s", message.id, message.error)
            report.uncertain += 1
        report.expired = expire_overdue(session, now)
    with sessions.begin() as session:
        report.swept = sweep(session, now).rows
    with sessions.begin() as session:
        team_ids = due_workspaces(session, now, [rhythm.column for rhythm in planners])
        asked = requests_due(session, now) if requests else set()
        team_ids = sorted({*team_ids, *asked})
        threads = PLANNING_THREADS if dialect_of(session) == "postgresql" else 1

    def plan_one(team_id: str, zones: Zones) -> int:
        # One transaction a workspace: a failure in one does not hold back the others, and
        # leaves its times as they were, for the next tick to try again.
        try:
            with sessions.begin() as session:
                planned = _plan_workspace(session, team_id, now, zones, planners)
                if team_id in asked:
                    planned += _plan_requests(session, team_id, now)
                return planned
        except Exception:
            log.exception("planning for workspace %s failed; the next tick tries again", team_id)
            return 0

    with ThreadPoolExecutor(threads, thread_name_prefix="tick") as pool:
        run = pool.map if threads > 1 else map  # SQLite: in the tick's own thread
        for start in range(0, len(team_ids), ZONES_AT_ONCE):
            chunk = team_ids[start : start + ZONES_AT_ONCE]
            with sessions.begin() as session:
                zones = member_zones(session, chunk)
            each = [zones.get(team_id, Zones()) for team_id in chunk]
            report.planned += sum(run(plan_one, chunk, each))
            report.workspaces += len(chunk)
    return report


def _plan_workspace(
    session: Session, team_id: str, now: datetime, zones: Zones, planners: Sequence[Rhythm]
) -> int:
    # Locked, so that settings saved meanwhile wait, and their cleared times are not
    # overwritten with times worked out from the settings before.
    workspace = session.get(Workspace, team_id, with_for_update=True)
    if workspace is None:
        return 0  # uninstalled since the list was read
    new, next_times = 0, {}
    for rhythm in planners:
        due_at = getattr(workspace, rhythm.column)
        if due_at is not None and due_at > now:
            continue
        planned = rhythm.planner(session, workspace, now, zones)
        new += plan(session, team_id, planned)
        next_times[rhythm.column] = rhythm.next_at(workspace, zones, now, len(planned))
    for column, at in next_times.items():  # set last: one UPDATE, at the commit
        setattr(workspace, column, at)
    return new


def _plan_requests(session: Session, team_id: str, now: datetime) -> int:
    workspace = session.get(Workspace, team_id)
    if workspace is None:
        return 0
    return plan(session, team_id, plan_requests(session, workspace, now))


def due_workspaces(session: Session, now: datetime, columns: Sequence[str]) -> list[str]:
    """The workspaces with something due at `now`, in team order: one indexed read a column."""
    if not columns:
        return []
    reads = []
    for name in columns:
        column = getattr(Workspace, name)
        reads.append(select(Workspace.team_id).where(or_(column.is_(None), column <= now)))
    return sorted(session.scalars(union(*reads)))


def member_zones(session: Session, team_ids: Sequence[str]) -> dict[str, Zones]:
    """The time zones of the workspaces' members, in one grouped query."""
    prompted = func.max(case((GETS_PROMPTS, 1), else_=0))
    rows = session.execute(
        select(Member.team_id, Member.tz, prompted)
        .where(Member.team_id.in_(team_ids))
        .group_by(Member.team_id, Member.tz)
        .order_by(Member.team_id, Member.tz)
    )
    found: dict[str, Zones] = {}
    for team_id, tz, gets_prompts in rows:
        zones = found.setdefault(team_id, Zones())
        zones.everyone.append(tz)
        if gets_prompts:
            zones.prompted.append(tz)
    return found
