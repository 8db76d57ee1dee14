"""New connections across channels: a pair whose first credit ever falls within the period,
in a channel that is neither person's usual channel there (where most of that person's
credits, given or received, in the period are). It counts in the channel where it happened.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, distinct, exists, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from bot.insights.figures import LONGEST, PERIODS, period_starts
from bot.insights.pairs import PairCounts, hi_of, in_period, lo_of
from bot.models import Credit


def new_connections(session: Session, team_id: str, now: datetime) -> PairCounts:
    """New connections across channels, and the people in them, per period: for the
    workspace (key None) and per channel where they happened. One statement for both periods:
    a pair whose first credit ever falls in the last 4 weeks has that same credit first in
    the 12 weeks; only the usual channels differ, and are ranked from the same counts."""
    starts = period_starts(now)
    since = starts[LONGEST]
    period = in_period(team_id, since, now)
    ranked = (
        select(
            lo_of().label("lo"),
            hi_of().label("hi"),
            Credit.channel_id,
            Credit.created_at,
            func.row_number()
            .over(partition_by=(lo_of(), hi_of()), order_by=(Credit.created_at, Credit.id))
            .label("nth"),
        )
        .where(period)
        .subquery()
    )
    first = (
        select(ranked.c.lo, ranked.c.hi, ranked.c.channel_id, ranked.c.created_at)
        .where(ranked.c.nth == 1, ranked.c.channel_id.is_not(None))
        .cte("first_in_period")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    taking_part = union_all(
        *(
            select(person.label("person"), Credit.channel_id, Credit.created_at).where(period)
            for person in (Credit.helper_id, Credit.helped_id)
        )
    ).subquery()
    counts = (
        select(
            taking_part.c.person,
            taking_part.c.channel_id,
            *(
                func.count(case((taking_part.c.created_at >= start, 1))).label(f"n_{w}")
                for w, start in starts.items()
            ),
        )
        .group_by(taking_part.c.person, taking_part.c.channel_id)
        .subquery()
    )
    # Each person's usual channel in each period: the one with most of their credits (the
    # smallest id on a tie); a person with none in a period has none.
    usual = select(
        counts.c.person,
        *(
            case(
                (
                    and_(
                        counts.c[f"n_{w}"] > 0,
                        func.row_number().over(
                            partition_by=counts.c.person,
                            order_by=(counts.c[f"n_{w}"].desc(), counts.c.channel_id),
                        )
                        == 1,
                    ),
                    counts.c.channel_id,
                )
            ).label(f"usual_{w}")
            for w in PERIODS
        ),
    ).subquery()
    usual_by_person = (
        select(
            usual.c.person, *(func.max(usual.c[f"usual_{w}"]).label(f"usual_{w}") for w in PERIODS)
        )
        .group_by(usual.c.person)
        .cte("usual")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    usual_lo, usual_hi = usual_by_person.alias("usual_lo"), usual_by_person.alias("usual_hi")
    earlier = aliased(Credit)

    def met_before(helper: Any, helped: Any) -> Any:
        return exists().where(
            earlier.team_id == team_id,
            earlier.helper_id == helper,
            earlier.helped_id == helped,
            earlier.created_at < since,
            earlier.retracted_at.is_(None),
        )

    def across_in(w: int) -> Any:
        return and_(
            first.c.created_at >= starts[w],
            first.c.channel_id.is_distinct_from(usual_lo.c[f"usual_{w}"]),
            first.c.channel_id.is_distinct_from(usual_hi.c[f"usual_{w}"]),
        )

    candidates = (
        select(
            first.c.lo,
            first.c.hi,
            first.c.channel_id,
            *(case((across_in(w), 1), else_=0).label(f"across_{w}") for w in PERIODS),
        )
        .join(usual_lo, usual_lo.c.person == first.c.lo)
        .join(usual_hi, usual_hi.c.person == first.c.hi)
        .where(or_(*(across_in(w) for w in PERIODS)))
        .cte("candidates")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    # Only then the costly part, on the pairs left: one index probe each way per pair.
    across = (
        select(candidates)
        .where(
            ~met_before(candidates.c.lo, candidates.c.hi),
            ~met_before(candidates.c.hi, candidates.c.lo),
        )
        .cte("across")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    flags = [across.c[f"across_{w}"] for w in PERIODS]
    ends = (
        union_all(
            *(
                select(end.label("person"), across.c.channel_id, *flags)
                for end in (across.c.lo, across.c.hi)
            )
        )
        .cte("across_ends")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )

    def counted(people: Any) -> list[Any]:
        # Each pair is two ends, in the channel where they met: pairs are half the ends.
        columns: list[Any] = []
        for w in PERIODS:
            flag = ends.c[f"across_{w}"]
            columns += [
                func.sum(flag) // 2,
                func.count(distinct(case((flag == 1, people)))),
            ]
        return columns

    per_channel = select(ends.c.channel_id, literal(1), *counted(ends.c.person)).group_by(
        ends.c.channel_id
    )
    total = select(null(), literal(0), *counted(ends.c.person))
    found: PairCounts = {None: {w: (0, 0) for w in PERIODS}}
    for channel, is_channel, *numbers in session.execute(union_all(per_channel, total)):
        found[channel if is_channel else None] = {
            w: (int(numbers[2 * i] or 0), int(numbers[2 * i + 1] or 0))
            for i, w in enumerate(PERIODS)
        }
    return found
