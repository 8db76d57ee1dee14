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

from sqlalchemy import CTE, and_, case, func, literal, null, select, union_all
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
    new_connections: int = 0  # pairs (see bot.insights.connections)
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


ROLES = ("gave", "received", "asked")


def people_counts(
    session: Session, team_id: str, now: datetime
) -> dict[str | None, dict[int, dict[str, int]]]:
    """Active, gave, received, asked and only-gave counts: for the workspace (key None) and
    per channel, in one statement.

    Each person's roles are first folded into flags, per channel (`mine`) and then across
    channels (`anywhere`): the counts are sums of flags, hash aggregates rather than one sort
    per `count(DISTINCT …)`.
    """
    starts = period_starts(now)
    rows = participation(team_id, starts[LONGEST], now)
    flags: list[Any] = []
    for weeks, since in starts.items():
        recent = rows.c.at >= since
        for role in ROLES:
            flags.append(_flag(and_(recent, rows.c.role == role)).label(f"{role}_{weeks}"))
    mine = (
        select(rows.c.person, rows.c.channel_id, *flags)
        .group_by(rows.c.person, rows.c.channel_id)
        .cte("mine")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    names = [f"{role}_{weeks}" for weeks in PERIODS for role in ROLES]
    anywhere = (
        select(mine.c.person, *(func.max(mine.c[name]).label(name) for name in names))
        .group_by(mine.c.person)
        .cte("anywhere")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )

    def sums(scope: Any, took: Any) -> list[Any]:
        columns = []
        for weeks in PERIODS:
            gave, received, asked = (scope.c[f"{role}_{weeks}"] for role in ROLES)
            columns += [
                func.sum(case((gave + received + asked > 0, 1), else_=0)).label(f"active_{weeks}"),
                *(func.sum(scope.c[f"{role}_{weeks}"]).label(f"{role}_{weeks}") for role in ROLES),
                func.sum(
                    case(
                        (
                            and_(
                                gave == 1,
                                took.c[f"received_{weeks}"] + took.c[f"asked_{weeks}"] == 0,
                            ),
                            1,
                        ),
                        else_=0,
                    )
                ).label(f"only_gave_{weeks}"),
            ]
        return columns

    workspace = select(
        null().label("channel_id"), literal(0).label("per_channel"), *sums(anywhere, anywhere)
    )
    channels = (
        select(mine.c.channel_id, literal(1), *sums(mine, anywhere))
        .join_from(mine, anywhere, anywhere.c.person == mine.c.person)
        .group_by(mine.c.channel_id)
    )
    found: dict[str | None, dict[int, dict[str, int]]] = {}
    for row in session.execute(union_all(workspace, channels)).mappings():
        channel = row["channel_id"] if row["per_channel"] else None
        found[channel] = {
            weeks: {
                name: int(row[f"{name}_{weeks}"] or 0)
                for name in ("active", "gave", "received", "asked", "only_gave")
            }
            for weeks in PERIODS
        }
    return found


def _flag(condition: Any) -> Any:
    return func.max(case((condition, 1), else_=0))
