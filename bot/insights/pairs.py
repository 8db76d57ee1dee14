"""Pairs: who helped each other both ways.

A pair is two people, whichever helped whom: (lo, hi), the smaller user id first.

*Two-way*: the pair has credits in both directions within the period (in a channel's
figures, both within that channel).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    and_,
    case,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from bot.insights.figures import LONGEST, PERIODS, period_starts
from bot.models import Credit

PairCounts = dict[str | None, dict[int, tuple[int, int]]]  # channel -> weeks -> (pairs, people)


def lo_of() -> Any:
    return case((Credit.helper_id < Credit.helped_id, Credit.helper_id), else_=Credit.helped_id)


def hi_of() -> Any:
    return case((Credit.helper_id < Credit.helped_id, Credit.helped_id), else_=Credit.helper_id)


def in_period(team_id: str, since: datetime, now: datetime) -> Any:
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
        select(lo_of().label("lo"), hi_of().label("hi"), Credit.channel_id, *flags)
        .where(in_period(team_id, starts[LONGEST], now))
        .group_by(lo_of(), hi_of(), Credit.channel_id)
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
        .cte("anywhere")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    parts: list[Any] = []
    for pairs, is_channel in ((anywhere, 0), (in_channel, 1)):
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
            .subquery()
        )
        parts += _counted(both, is_channel)
    found: PairCounts = {}
    for what, is_channel, channel, *numbers in session.execute(union_all(*parts)):
        key = channel if is_channel else None
        counts = found.setdefault(key, {w: (0, 0) for w in PERIODS})
        for w, number in zip(PERIODS, numbers, strict=True):
            pairs_seen, people_seen = counts[w]
            counts[w] = (
                (int(number or 0), people_seen)
                if what == "pairs"
                else (pairs_seen, int(number or 0))
            )
    return found


def _counted(pairs: Any, is_channel: int) -> list[Any]:
    """Two selects over two-way `pairs` (flag `both_<weeks>` per period): the pairs, and the
    people in them, per channel_id; each row says which it counts."""
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
            literal(what),
            literal(is_channel),
            rows.c.channel_id,
            *(func.sum(rows.c[f"both_{w}"]) for w in PERIODS),
        ).group_by(rows.c.channel_id)
        for what, rows in (("pairs", pairs), ("people", person))
    ]
