"""The admins' team insight: who takes part, over the last 4 and 12 weeks, as counts.

Every figure is an aggregate the database computes (`count(DISTINCT …)` over the credits and
asks of the period, window functions for medians and first exchanges), the same statements on
SQLite and PostgreSQL; no credit is read into Python. A figure names no one: the blocks show
each only when it is over at least `MIN_PEOPLE` people (bot.insights.blocks).

Both periods come from one pass: the 12 weeks are read once, and each figure for the last 4
weeks is the same aggregate with a condition on the date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CTE, Select, and_, case, distinct, func, literal, select, union_all
from sqlalchemy.orm import Session

from bot.models import Credit, FavorRequest

PERIODS = (4, 12)  # weeks
MIN_PEOPLE = 5
LONGEST = max(PERIODS)


@dataclass(frozen=True)
class Figures:
    """One scope (the workspace or a channel) over one period. Counts of people unless said."""

    active: int = 0  # gave, received or asked
    gave: int = 0
    received: int = 0
    asked: int = 0
    only_gave: int = 0  # gave, and neither received nor asked, anywhere in the period
    two_way_pairs: int = 0  # pairs who helped each other both ways (count of pairs)
    two_way_people: int = 0
    asks: int = 0  # asks posted (count of asks)
    asks_answered: int = 0  # of those, asks someone offered to help with (count of asks)
    answered_askers: int = 0  # the people whose asks were answered
    median_answer_seconds: float | None = None
    new_connections: int = 0  # pairs (see bot.insights.pairs.new_connections)
    new_connection_people: int = 0


@dataclass(frozen=True)
class ScopeInsight:
    channel_id: str | None  # None: the whole workspace
    periods: dict[int, Figures]  # by weeks


@dataclass(frozen=True)
class Insights:
    now: datetime
    workspace: ScopeInsight
    # Channels with at least MIN_PEOPLE active members over the longest period, busiest first.
    channels: list[ScopeInsight] = field(default_factory=list)
    quiet_channels: int = 0  # channels with someone active, but fewer than MIN_PEOPLE


def period_starts(now: datetime) -> dict[int, datetime]:
    return {weeks: now - timedelta(weeks=weeks) for weeks in PERIODS}


def participation(team_id: str, since: datetime, now: datetime) -> CTE:
    """(person, channel_id, role, at): each credit twice (gave, received), each ask once."""
    credit_window = and_(
        Credit.team_id == team_id,
        Credit.retracted_at.is_(None),
        Credit.created_at >= since,
        Credit.created_at < now,
    )
    rows = [
        select(
            person.label("person"),
            Credit.channel_id.label("channel_id"),
            literal(role).label("role"),
            Credit.created_at.label("at"),
        ).where(credit_window)
        for person, role in ((Credit.helper_id, "gave"), (Credit.helped_id, "received"))
    ]
    asks = select(
        FavorRequest.author_id.label("person"),
        FavorRequest.channel_id.label("channel_id"),
        literal("asked").label("role"),
        FavorRequest.created_at.label("at"),
    ).where(
        FavorRequest.team_id == team_id,
        FavorRequest.kind == "ask",
        FavorRequest.created_at >= since,
        FavorRequest.created_at < now,
    )
    return union_all(*rows, asks).cte("participation")


def people_counts(
    session: Session, team_id: str, now: datetime, by_channel: bool
) -> dict[str | None, dict[int, dict[str, int]]]:
    """Active, gave, received, asked and only-gave counts, per channel or for the workspace."""
    starts = period_starts(now)
    rows = participation(team_id, starts[LONGEST], now)
    # Whether each person received or asked in each period, anywhere: "only gave" is
    # gave here and took nothing anywhere.
    took = (
        select(
            rows.c.person,
            *(
                func.max(case((and_(rows.c.role != "gave", rows.c.at >= since), 1), else_=0)).label(
                    f"took_{weeks}"
                )
                for weeks, since in starts.items()
            ),
        )
        .group_by(rows.c.person)
        .cte("took")
    )
    columns: list[Any] = []
    for weeks, since in starts.items():
        recent = rows.c.at >= since
        columns.append(_people(rows, recent).label(f"active_{weeks}"))
        for role in ("gave", "received", "asked"):
            columns.append(
                _people(rows, and_(recent, rows.c.role == role)).label(f"{role}_{weeks}")
            )
        only = and_(recent, rows.c.role == "gave", took.c[f"took_{weeks}"] == 0)
        columns.append(_people(rows, only).label(f"only_gave_{weeks}"))
    query: Select[Any] = select(*columns).select_from(
        rows.join(took, took.c.person == rows.c.person)
    )
    if by_channel:
        query = query.add_columns(rows.c.channel_id).group_by(rows.c.channel_id)
    found: dict[str | None, dict[int, dict[str, int]]] = {}
    for row in session.execute(query).mappings():
        channel = row["channel_id"] if by_channel else None
        found[channel] = {
            weeks: {
                name: int(row[f"{name}_{weeks}"] or 0)
                for name in ("active", "gave", "received", "asked", "only_gave")
            }
            for weeks in PERIODS
        }
    return found


def _people(rows: CTE, condition: Any) -> Any:
    return func.count(distinct(case((condition, rows.c.person), else_=None)))
