"""New connections across channels: a pair whose first credit ever falls within the period,
in a channel that is neither person's usual channel there (where most of that person's
credits, given or received, in the period are). It counts in the channel where it happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import CTE, Row, and_, case, exists, func, null, or_, select, union_all
from sqlalchemy.orm import aliased

from bot.insights.pairs import PairCounts
from bot.insights.period import LONGEST, PERIODS, Period, shaped
from bot.models import Credit

NEW = "new_connections"


def new_connection_rows(period: Period) -> list[Any]:
    """New connections across channels, and the people in them, per period: for the
    workspace and per channel where they happened. Both periods at once: a pair whose first
    credit ever falls in the last 4 weeks has that same credit first in the 12 weeks; only
    the usual channels differ."""
    starts, credits = period.starts, period.credits
    usual = _usual_channels(period)
    usual_lo, usual_hi = usual.alias("usual_lo"), usual.alias("usual_hi")

    def across_in(w: int) -> Any:
        return and_(
            credits.c.at >= starts[w],
            credits.c.channel_id.is_distinct_from(usual_lo.c[f"usual_{w}"]),
            credits.c.channel_id.is_distinct_from(usual_hi.c[f"usual_{w}"]),
        )

    # Each pair's first credit of the period, across channels: then, only for those, whether
    # the pair met before. The first credits come in the order of the pair index, which
    # each probe then reads near the one before.
    across = (
        select(
            credits.c.lo,
            credits.c.hi,
            credits.c.channel_id,
            *(case((across_in(w), 1), else_=0).label(f"across_{w}") for w in PERIODS),
        )
        .join(usual_lo, usual_lo.c.person == credits.c.lo)
        .join(usual_hi, usual_hi.c.person == credits.c.hi)
        .where(
            credits.c.nth == 1,
            credits.c.channel_id.is_not(None),
            or_(*(across_in(w) for w in PERIODS)),
            *never_met(period, credits.c.lo, credits.c.hi),
        )
        .cte("across")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    flags = [across.c[f"across_{w}"] for w in PERIODS]
    ends = union_all(
        *(
            select(end.label("person"), across.c.channel_id, *flags)
            for end in (across.c.lo, across.c.hi)
        )
    ).subquery()
    # Each pair is two ends, in the channel where they met: pairs are half the ends. Folded
    # by person first, people are counted by sums rather than one sort per DISTINCT.
    folds = [
        fold(ends.c[f"across_{w}"]).label(f"{name}_{w}")
        for w in PERIODS
        for name, fold in (("ends", func.sum), ("in", func.max))
    ]
    by_channel = (
        select(ends.c.person, ends.c.channel_id, *folds)
        .group_by(ends.c.person, ends.c.channel_id)
        .cte("across_people")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    anywhere = (
        select(
            *(
                fold(by_channel.c[f"{name}_{w}"]).label(f"{name}_{w}")
                for w in PERIODS
                for name, fold in (("ends", func.sum), ("in", func.max))
            )
        )
        .group_by(by_channel.c.person)
        .subquery()
    )

    def counted(people: Any) -> list[Any]:
        return [
            column
            for w in PERIODS
            for column in (func.sum(people.c[f"ends_{w}"]) // 2, func.sum(people.c[f"in_{w}"]))
        ]

    per_channel = select(*shaped(NEW, by_channel.c.channel_id, 1, counted(by_channel))).group_by(
        by_channel.c.channel_id
    )
    return [per_channel, select(*shaped(NEW, null(), 0, counted(anywhere)))]


def never_met(period: Period, lo: Any, hi: Any) -> list[Any]:
    """That the pair has no credit, either way, from before the period: one probe of the
    pair index each way."""
    earlier = aliased(Credit)
    before = (
        earlier.team_id == period.team_id,
        earlier.created_at < period.starts[LONGEST],
        earlier.retracted_at.is_(None),
    )
    return [
        ~exists().where(earlier.helper_id == helper, earlier.helped_id == helped, *before)
        for helper, helped in ((lo, hi), (hi, lo))
    ]


def _usual_channels(period: Period) -> CTE:
    """Each person's usual channel in each period: the one with most of their credits (the
    smallest id on a tie); a person with none in a period has none. Only the channels where
    a person has their most are ranked."""
    mine, anywhere = period.mine, period.anywhere
    most = {
        w: and_(mine.c[f"n_{w}"] == anywhere.c[f"n_{w}"], mine.c[f"n_{w}"] > 0) for w in PERIODS
    }
    tops = (
        select(
            mine.c.person,
            mine.c.channel_id,
            *(case((most[w], 1), else_=0).label(f"most_{w}") for w in PERIODS),
            *(
                func.row_number()
                .over(partition_by=(mine.c.person, most[w]), order_by=mine.c.channel_id)
                .label(f"place_{w}")
                for w in PERIODS
            ),
        )
        .join(anywhere, anywhere.c.person == mine.c.person)
        .where(or_(*most.values()))
        .subquery()
    )
    first = {w: and_(tops.c[f"most_{w}"] == 1, tops.c[f"place_{w}"] == 1) for w in PERIODS}
    return (
        select(
            tops.c.person,
            *(func.max(case((first[w], tops.c.channel_id))).label(f"usual_{w}") for w in PERIODS),
        )
        .group_by(tops.c.person)
        .cte("usual")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )


def new_connections(rows: Iterable[Row[Any]]) -> PairCounts:
    """From the rows of every figure, those of `new_connection_rows`: for the workspace
    (key None) and by channel."""
    found: PairCounts = {None: {w: (0, 0) for w in PERIODS}}
    for row in (row for row in rows if row.part == NEW):
        numbers = row[3:]
        found[row.channel_id if row.per_channel else None] = {
            w: (int(numbers[2 * i] or 0), int(numbers[2 * i + 1] or 0))
            for i, w in enumerate(PERIODS)
        }
    return found
