"""Pairs: who helped each other both ways.

A pair is two people, whichever helped whom: (lo, hi), the smaller user id first.

*Two-way*: the pair has credits in both directions within the period (in a channel's
figures, both within that channel).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row, and_, case, func, null, select, tuple_, union_all

from bot.insights.period import LONGEST, PERIODS, WAYS, Period, shaped

PairCounts = dict[str | None, dict[int, tuple[int, int]]]  # channel -> weeks -> (pairs, people)
PAIRS, PEOPLE = "two_way_pairs", "two_way_people"


def two_way_rows(period: Period) -> list[Any]:
    """Two-way pairs and the people in them, per period: for the workspace and per channel.

    A pair is two-way in a period once its credits so far went both ways (the period's
    running flags); then, for those pairs only, each channel's credits are folded into two
    flags per period, one per direction: a pair two-way in a channel is two-way in the
    workspace. Hash aggregates, no sort of the period's credits per `count(DISTINCT …)`.
    """
    credits = period.credits

    def both(pairs: Any, w: int) -> Any:
        return pairs.c[f"fwd_{w}"] + pairs.c[f"back_{w}"] == 2

    anywhere = (
        select(
            credits.c.lo,
            credits.c.hi,
            null().label("channel_id"),
            *(func.max(case((both(credits, w), 1), else_=0)).label(f"both_{w}") for w in PERIODS),
        )
        .where(both(credits, LONGEST))
        .group_by(credits.c.lo, credits.c.hi)
        .cte("two_way_anywhere")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    forward = credits.c.helper_id < credits.c.helped_id
    flags = [
        func.max(case((and_(credits.c.at >= since, way), 1), else_=0)).label(f"{name}_{w}")
        for w, since in period.starts.items()
        for name, way in zip(WAYS, (forward, ~forward), strict=True)
    ]
    in_channel = (
        select(credits.c.lo, credits.c.hi, credits.c.channel_id, *flags)
        .where(tuple_(credits.c.lo, credits.c.hi).in_(select(anywhere.c.lo, anywhere.c.hi)))
        .group_by(credits.c.lo, credits.c.hi, credits.c.channel_id)
        .subquery()
    )
    two_way_in_channel = (
        select(
            in_channel.c.lo,
            in_channel.c.hi,
            in_channel.c.channel_id,
            *(case((both(in_channel, w), 1), else_=0).label(f"both_{w}") for w in PERIODS),
        )
        .where(both(in_channel, LONGEST))
        .cte("two_way_in_channel")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    return [*_counted(anywhere, 0), *_counted(two_way_in_channel, 1)]


def _counted(pairs: Any, per_channel: int) -> list[Any]:
    """Two selects over two-way `pairs` (flag `both_<weeks>` per period): the pairs, and the
    people in them, per channel_id."""
    ends = union_all(
        *(
            select(
                end.label("person"), pairs.c.channel_id, *(pairs.c[f"both_{w}"] for w in PERIODS)
            )
            for end in (pairs.c.lo, pairs.c.hi)
        )
    ).subquery()
    # A person is in a two-way pair of a period if any of their pairs is.
    person = (
        select(
            ends.c.person,
            ends.c.channel_id,
            *(func.max(ends.c[f"both_{w}"]).label(f"both_{w}") for w in PERIODS),
        )
        .group_by(ends.c.person, ends.c.channel_id)
        .subquery()
    )
    return [
        select(
            *shaped(
                part,
                rows.c.channel_id,
                per_channel,
                [func.sum(rows.c[f"both_{w}"]) for w in PERIODS],
            )
        ).group_by(rows.c.channel_id)
        for part, rows in ((PAIRS, pairs), (PEOPLE, person))
    ]


def two_way(rows: Iterable[Row[Any]]) -> PairCounts:
    """From the rows of every figure, those of `two_way_rows`: for the workspace (key None)
    and by channel."""
    found: PairCounts = {}
    for row in (row for row in rows if row.part in (PAIRS, PEOPLE)):
        key = row.channel_id if row.per_channel else None
        counts = found.setdefault(key, {w: (0, 0) for w in PERIODS})
        numbers: Sequence[Any] = row[3:]
        for w, number in zip(PERIODS, numbers, strict=False):
            pairs_seen, people_seen = counts[w]
            counts[w] = (
                (int(number or 0), people_seen)
                if row.part == PAIRS
                else (pairs_seen, int(number or 0))
            )
    return found
