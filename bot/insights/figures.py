"""The admins' team insight: who takes part, over the last 4 and 12 weeks, as counts.

Every figure is an aggregate the database computes (sums of per-person flags over the credits
and asks of the period, window functions for medians and first exchanges), the same statements
on SQLite and PostgreSQL; no credit is read into Python. A figure names no one: the blocks show
each only when it is over at least `MIN_PEOPLE` people (bot.insights.blocks).

Both periods come from one pass: the 12 weeks are read once (bot.insights.period), and each
figure for the last 4 weeks is the same aggregate with a condition on the date.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, case, func, null, select

from bot.insights.period import PERIODS, ROLES, Period, shaped

MIN_PEOPLE = 5
PEOPLE = "people"
COUNTS = ("active", *ROLES, "only_gave")


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


def people_rows(period: Period) -> list[Any]:
    """Active, gave, received, asked and only-gave counts: for the workspace and per channel.

    Each person's roles are folded into flags, per channel (`mine`) and then across channels
    (`anywhere`): the counts are sums of flags, hash aggregates rather than one sort per
    `count(DISTINCT …)`.
    """
    mine, anywhere = period.mine, period.anywhere

    def sums(scope: Any, took: Any) -> list[Any]:
        columns = []
        for weeks in PERIODS:
            gave, received, asked = (scope.c[f"{role}_{weeks}"] for role in ROLES)
            only_gave = and_(gave == 1, took.c[f"received_{weeks}"] + took.c[f"asked_{weeks}"] == 0)
            columns += [
                func.sum(case((gave + received + asked > 0, 1), else_=0)),
                *(func.sum(scope.c[f"{role}_{weeks}"]) for role in ROLES),
                func.sum(case((only_gave, 1), else_=0)),
            ]
        return columns

    workspace = select(*shaped(PEOPLE, null(), 0, sums(anywhere, anywhere)))
    channels = (
        select(*shaped(PEOPLE, mine.c.channel_id, 1, sums(mine, anywhere)))
        .join_from(mine, anywhere, anywhere.c.person == mine.c.person)
        .group_by(mine.c.channel_id)
    )
    return [workspace, channels]


def people_counts(rows: Iterable[Row[Any]]) -> dict[str | None, dict[int, dict[str, int]]]:
    """From the rows of every figure, those of `people_rows`: for the workspace (key None)
    and by channel."""
    found: dict[str | None, dict[int, dict[str, int]]] = {}
    for row in (row for row in rows if row.part == PEOPLE):
        numbers: Sequence[Any] = row[3:]
        found[row.channel_id if row.per_channel else None] = {
            weeks: {name: int(numbers[i * len(COUNTS) + n] or 0) for n, name in enumerate(COUNTS)}
            for i, weeks in enumerate(PERIODS)
        }
    return found
