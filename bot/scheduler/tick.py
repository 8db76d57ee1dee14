"""A tick: decide, for every workspace, what is due now, and write it to the outbox."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.digest.plan import plan_digest
from bot.models import Workspace
from bot.nudges.plan import plan_nudges
from bot.prompts.plan import plan_prompts
from bot.scheduler.housekeeping import sweep
from bot.scheduler.outbox import recover_abandoned
from bot.scheduler.planned import Planned, expire_overdue, plan

log = logging.getLogger(__name__)

Planner = Callable[[Session, Workspace, datetime], list[Planned]]

PLANNERS: tuple[Planner, ...] = (plan_digest, plan_prompts, plan_nudges)


@dataclass
class TickReport:
    planned: int = 0
    expired: int = 0
    uncertain: int = 0
    workspaces: int = 0
    swept: int = 0


def run_tick(
    sessions: sessionmaker[Session], now: datetime, planners: Sequence[Planner] = PLANNERS
) -> TickReport:
    """Plan everything due at `now`. Safe to run any number of times, from any process."""
    report = TickReport()
    with sessions.begin() as session:
        for message in recover_abandoned(session, now):
            log.warning("outbox message %s: %s", message.id, message.error)
            report.uncertain += 1
        report.expired = expire_overdue(session, now)
    with sessions.begin() as session:
        report.swept = sweep(session, now).rows
    with sessions.begin() as session:
        team_ids = list(session.scalars(select(Workspace.team_id).order_by(Workspace.team_id)))
    for team_id in team_ids:
        # One transaction a workspace: a failure in one does not hold back the others.
        try:
            with sessions.begin() as session:
                workspace = session.get(Workspace, team_id)
                if workspace is None:
                    continue  # uninstalled since the list was read
                for planner in planners:
                    report.planned += plan(session, team_id, planner(session, workspace, now))
        except Exception:
            log.exception("planning for workspace %s failed; the next tick tries again", team_id)
        report.workspaces += 1
    return report
