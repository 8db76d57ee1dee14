"""Pairs: who helped each other both ways, and who met for the first time across channels.

A pair is two people, whichever helped whom: (lo, hi), the smaller user id first.

*Two-way*: the pair has credits in both directions within the period (in a channel's
figures, both within that channel).

*New connection across channels*: the pair's first credit ever falls within the period, and
in a channel that is neither person's usual channel, the channel where most of that person's
credits (given or received) in the period are. It counts in the channel where it happened.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CTE,
    and_,
    case,
    distinct,
    exists,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from bot.insights.figures import LONGEST, PERIODS, period_starts
from bot.models import Credit

PairCounts = dict[str | None, dict[int, tuple[int, int]]]  # channel -> weeks -> (pairs, people)


def _lo() -> Any:
    return case((Credit.helper_id < Credit.helped_id, Credit.helper_id), else_=Credit.helped_id)


def _hi() -> Any:
    return case((Credit.helper_id < Credit.helped_id, Credit.helped_id), else_=Credit.helper_id)


def _in_period(team_id: str, since: datetime, now: datetime) -> Any:
    return and_(
        Credit.team_id == team_id,
        Credit.retracted_at.is_(None),
        Credit.created_at >= since,
        Credit.created_at < now,
    )


def two_way(session: Session, team_id: str, now: datetime) -> PairCounts:
    """Two-way pairs and the people in them, per period: for the workspace (key None) and
    per channel.

    Each pair's credits are folded into two flags per period, one per direction, per channel
    (`in_channel`) and then across channels (`anywhere`): hash aggregates, no sort of the
    period's credits per `count(DISTINCT …)`.
    """
    starts = period_starts(now)
    forward = Credit.helper_id < Credit.helped_id
    flags = [
        func.max(case((and_(Credit.created_at >= since, way), 1), else_=0)).label(f"{name}_{w}")
        for w, since in starts.items()
        for name, way in (("fwd", forward), ("back", ~forward))
    ]
    in_channel = (
        select(_lo().label("lo"), _hi().label("hi"), Credit.channel_id, *flags)
        .where(_in_period(team_id, starts[LONGEST], now))
        .group_by(_lo(), _hi(), Credit.channel_id)
        .cte("in_channel")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    names = [f"{name}_{w}" for w in PERIODS for name in ("fwd", "back")]
    anywhere = (
        select(
            in_channel.c.lo,
            in_channel.c.hi,
            null().label("channel_id"),
            *(func.max(in_channel.c[n]).label(n) for n in names),
        )
        .group_by(in_channel.c.lo, in_channel.c.hi)
        .subquery()
    )
    found: PairCounts = {}
    for pairs, by_channel in ((anywhere, False), (in_channel, True)):
        both = (
            select(
                pairs.c.lo,
                pairs.c.hi,
                pairs.c.channel_id,
                *(
                    case((pairs.c[f"fwd_{w}"] + pairs.c[f"back_{w}"] == 2, 1), else_=0).label(
                        f"both_{w}"
                    )
                    for w in PERIODS
                ),
            )
            .where(pairs.c[f"fwd_{LONGEST}"] + pairs.c[f"back_{LONGEST}"] == 2)
            .cte("both_ways")
        )
        found.update(_count(session, both, by_channel))
    return found


def _count(session: Session, pairs: CTE, by_channel: bool) -> PairCounts:
    """(pairs, people) for each period's flag column `both_<weeks>` of two-way `pairs`."""
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
    people_query = select(
        person.c.channel_id, *(func.sum(person.c[f"both_{w}"]).label(f"p_{w}") for w in PERIODS)
    ).group_by(person.c.channel_id)
    pair_query = select(
        pairs.c.channel_id, *(func.sum(pairs.c[f"both_{w}"]).label(f"n_{w}") for w in PERIODS)
    ).group_by(pairs.c.channel_id)
    people = {
        (row["channel_id"] if by_channel else None): row
        for row in session.execute(people_query).mappings()
    }
    found: PairCounts = {}
    for row in session.execute(pair_query).mappings():
        key = row["channel_id"] if by_channel else None
        seen = people.get(key)
        found[key] = {
            w: (int(row[f"n_{w}"] or 0), int(seen[f"p_{w}"] or 0) if seen else 0) for w in PERIODS
        }
    return found


def new_connections(session: Session, team_id: str, now: datetime) -> PairCounts:
    """New connections across channels, and the people in them, per period: for the
    workspace (key None) and per channel where they happened."""
    found: PairCounts = {}
    for weeks, since in period_starts(now).items():
        for channel, counted in _new_connections(session, team_id, since, now).items():
            found.setdefault(channel, {w: (0, 0) for w in PERIODS})[weeks] = counted
    return found


def _new_connections(
    session: Session, team_id: str, since: datetime, now: datetime
) -> dict[str | None, tuple[int, int]]:
    period = _in_period(team_id, since, now)
    ranked = (
        select(
            _lo().label("lo"),
            _hi().label("hi"),
            Credit.channel_id,
            func.row_number()
            .over(partition_by=(_lo(), _hi()), order_by=(Credit.created_at, Credit.id))
            .label("nth"),
        )
        .where(period)
        .cte("ranked")
    )
    earlier = aliased(Credit)

    def met_before(helper: Any, helped: Any) -> Any:
        return exists().where(
            earlier.team_id == team_id,
            earlier.helper_id == helper,
            earlier.helped_id == helped,
            earlier.created_at < since,
            earlier.retracted_at.is_(None),
        )

    first = (
        select(ranked.c.lo, ranked.c.hi, ranked.c.channel_id)
        .where(ranked.c.nth == 1, ranked.c.channel_id.is_not(None))
        .cte("first_in_period")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    taking_part = union_all(
        *(
            select(person.label("person"), Credit.channel_id).where(period)
            for person in (Credit.helper_id, Credit.helped_id)
        )
    ).subquery()
    by_channel = (
        select(
            taking_part.c.person,
            taking_part.c.channel_id,
            func.row_number()
            .over(
                partition_by=taking_part.c.person,
                order_by=(func.count().desc(), taking_part.c.channel_id),
            )
            .label("nth"),
        )
        .group_by(taking_part.c.person, taking_part.c.channel_id)
        .subquery()
    )
    # Materialized: each is read more than once, and the planner cannot guess their sizes,
    # so inlined it would run them again for every row of the join.
    usual = (
        select(by_channel.c.person, by_channel.c.channel_id)
        .where(by_channel.c.nth == 1)
        .cte("usual")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    usual_lo, usual_hi = usual.alias("usual_lo"), usual.alias("usual_hi")
    across = (
        select(first.c.lo, first.c.hi, first.c.channel_id)
        .join(usual_lo, usual_lo.c.person == first.c.lo)
        .join(usual_hi, usual_hi.c.person == first.c.hi)
        .where(
            first.c.channel_id.is_distinct_from(usual_lo.c.channel_id),
            first.c.channel_id.is_distinct_from(usual_hi.c.channel_id),
            # Last, as it is the costly part: one index probe each way per pair left.
            ~met_before(first.c.lo, first.c.hi),
            ~met_before(first.c.hi, first.c.lo),
        )
        .subquery()
    )
    ends = (
        union_all(
            *(
                select(end.label("person"), across.c.channel_id)
                for end in (across.c.lo, across.c.hi)
            )
        )
        .cte("across_ends")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    # Each pair is two ends, in the channel where they met: pairs are half the ends.
    counted = (ends.c.channel_id, func.count() // 2, func.count(distinct(ends.c.person)))
    per_channel = select(*counted).group_by(ends.c.channel_id)
    total = select(null(), *counted[1:])
    found: dict[str | None, tuple[int, int]] = {None: (0, 0)}
    both = union_all(per_channel.add_columns(literal(1)), total.add_columns(literal(0)))
    for channel, pairs, people, is_channel in session.execute(both):
        found[channel if is_channel else None] = (int(pairs), int(people))
    return found
