"""The admins' insight, put together: who may see it, and every figure of every scope."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import CompoundSelect, text, union_all
from sqlalchemy.orm import Session

from bot.insights.asks import ask_figures
from bot.insights.connections import new_connection_rows, new_connections
from bot.insights.figures import (
    MIN_PEOPLE,
    Figures,
    Insights,
    ScopeInsight,
    people_counts,
    people_rows,
)
from bot.insights.pairs import two_way, two_way_rows
from bot.insights.period import LONGEST, PERIODS, read_period
from bot.members.cache import FetchUser
from bot.settings.workspace import require_admin

INSIGHTS_ADMINS_ONLY = (
    "Team insights are for workspace admins and owners. They show only counts over five or "
    "more people, never names; if you'd like to see them, ask an admin to type "
    "`/favor insights`."
)


def authorize_insights(
    session: Session, now: datetime, team_id: str, user_id: str, fetch_user: FetchUser
) -> None:
    """Nothing, for the workspace's admins and owners; NotAllowedError for anyone else."""
    require_admin(session, now, team_id, user_id, fetch_user, refusal=INSIGHTS_ADMINS_ONLY)


def figures_statement(team_id: str, now: datetime, dialect: str) -> CompoundSelect[Any]:
    """Every figure but the asks', in one statement: the period's credits are read once."""
    period = read_period(team_id, now, dialect)
    parts = [*people_rows(period), *two_way_rows(period), *new_connection_rows(period)]
    return union_all(*parts)


def team_insights(session: Session, team_id: str, now: datetime) -> Insights:
    """Every figure of the last 4 and 12 weeks, for the workspace and each channel with at
    least MIN_PEOPLE active members over the 12 weeks."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # Its hash aggregates group a period's credits by person and by pair: with the
        # default work_mem they spill to disk. For this transaction only.
        session.execute(text("SET LOCAL work_mem = '64MB'"))
    rows = session.execute(figures_statement(team_id, now, dialect)).all()
    people, pairs, met = people_counts(rows), two_way(rows), new_connections(rows)
    asks = ask_figures(session, team_id, now)

    def scope(channel: str | None) -> ScopeInsight:
        periods = {}
        for weeks in PERIODS:
            counts = people.get(channel, {}).get(weeks, {})
            two = pairs.get(channel, {}).get(weeks, (0, 0))
            new = met.get(channel, {}).get(weeks, (0, 0))
            figures = Figures(
                **counts,
                two_way_pairs=two[0],
                two_way_people=two[1],
                new_connections=new[0],
                new_connection_people=new[1],
            )
            periods[weeks] = replace(figures, **asks.get(channel, {}).get(weeks, {}))
        return ScopeInsight(channel, periods)

    channels = [c for c in people if c is not None]
    busy = [c for c in channels if people[c][LONGEST]["active"] >= MIN_PEOPLE]
    busy.sort(key=lambda c: (-people[c][LONGEST]["active"], c))
    return Insights(
        now=now,
        workspace=scope(None),
        channels=[scope(c) for c in busy],
        quiet_channels=len(channels) - len(busy),
    )
