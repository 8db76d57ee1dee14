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
    Select,
    and_,
    case,
    distinct,
    exists,
    func,
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
    per channel, from one statement."""
    starts = period_starts(now)
    found: PairCounts = {}
    for by_channel in (False, True):
        keys = [_lo().label("lo"), _hi().label("hi")]
        if by_channel:
            keys.append(Credit.channel_id.label("channel_id"))
        both = [
            case(
                (
                    func.count(distinct(case((Credit.created_at >= since, Credit.helper_id)))) == 2,
                    1,
                ),
                else_=0,
            ).label(f"both_{weeks}")
            for weeks, since in starts.items()
        ]
        pairs = (
            select(*keys, *both)
            .where(_in_period(team_id, starts[LONGEST], now))
            .group_by(*keys)
            .cte("pairs")
        )
        for channel, counts in _count(session, pairs, by_channel).items():
            found[channel] = counts
    return found


def _count(session: Session, pairs: CTE, by_channel: bool) -> PairCounts:
    """(pairs, people) for each period's flag column `both_<weeks>` of `pairs`."""
    channel = [pairs.c.channel_id] if by_channel else []
    ends = union_all(
        *(
            select(end.label("person"), *channel, *(pairs.c[f"both_{w}"] for w in PERIODS)).where(
                pairs.c[f"both_{LONGEST}"] == 1
            )
            for end in (pairs.c.lo, pairs.c.hi)
        )
    ).cte("ends")
    ends_channel = [ends.c.channel_id] if by_channel else []
    people_query: Select[Any] = select(
        *ends_channel,
        *(
            func.count(distinct(case((ends.c[f"both_{w}"] == 1, ends.c.person)))).label(f"p_{w}")
            for w in PERIODS
        ),
    ).group_by(*ends_channel)
    pair_query: Select[Any] = select(
        *channel, *(func.sum(pairs.c[f"both_{w}"]).label(f"n_{w}") for w in PERIODS)
    ).group_by(*channel)
    people = {
        (row["channel_id"] if by_channel else None): row
        for row in session.execute(people_query).mappings()
    }
    found: PairCounts = {}
    for row in session.execute(pair_query).mappings():
        key = row["channel_id"] if by_channel else None
        seen = people.get(key)
        found[key] = {
            w: (int(row[f"n_{w}"] or 0), int(seen[f"p_{w}"]) if seen else 0) for w in PERIODS
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
        .where(
            ranked.c.nth == 1,
            ranked.c.channel_id.is_not(None),
            ~met_before(ranked.c.lo, ranked.c.hi),
            ~met_before(ranked.c.hi, ranked.c.lo),
        )
        .cte("first_met")
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
    usual = select(by_channel.c.person, by_channel.c.channel_id).where(by_channel.c.nth == 1)
    usual_lo, usual_hi = usual.cte("usual_lo"), usual.cte("usual_hi")
    across = (
        select(first.c.lo, first.c.hi, first.c.channel_id)
        .join(usual_lo, usual_lo.c.person == first.c.lo)
        .join(usual_hi, usual_hi.c.person == first.c.hi)
        .where(
            first.c.channel_id.is_distinct_from(usual_lo.c.channel_id),
            first.c.channel_id.is_distinct_from(usual_hi.c.channel_id),
        )
        .cte("across")
    )
    ends = union_all(
        *(select(end.label("person"), across.c.channel_id) for end in (across.c.lo, across.c.hi))
    ).cte("across_ends")
    found: dict[str | None, tuple[int, int]] = {}
    per_channel = select(across.c.channel_id, func.count()).group_by(across.c.channel_id)
    people: dict[str | None, int] = dict(
        session.execute(
            select(ends.c.channel_id, func.count(distinct(ends.c.person))).group_by(
                ends.c.channel_id
            )
        ).all()
    )
    total_people = session.scalar(select(func.count(distinct(ends.c.person)))) or 0
    total = 0
    for channel, pairs in session.execute(per_channel):
        found[channel] = (pairs, people.get(channel, 0))
        total += pairs
    found[None] = (total, total_people)
    return found
