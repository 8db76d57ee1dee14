"""The period's credits, read once for every figure of the insight, and each person's part.

The credits of the last `LONGEST` weeks are read from the table once, into `credits`, which
every figure reads (bot.insights.report puts them in one statement). Sorting them by pair
once gives, on the way, each pair's first credit in the period (`nth` 1) and which ways the
pair helped in each period; the first credits come out in the pair index's order, so that
"have these two met before?" probes it in order. `mine` and `anywhere` fold each person's
credits and asks by channel and then across channels: the people counts and the usual
channels both read them.

A pair is two people, whichever helped whom: (lo, hi), the smaller user id first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CTE, Integer, and_, case, cast, func, literal, null, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from bot.models import Credit, FavorRequest

PERIODS = (4, 12)  # weeks
LONGEST = max(PERIODS)
ROLES = ("gave", "received", "asked")
WAYS = ("fwd", "back")  # lo helped hi; hi helped lo
# Every figure's rows share one shape, so that one statement can return them all: which
# figures (`part`), the channel (`per_channel` 0: the whole workspace), and up to WIDTH numbers.
WIDTH = 2 * 5


def period_starts(now: datetime) -> dict[int, datetime]:
    return {weeks: now - timedelta(weeks=weeks) for weeks in PERIODS}


def lo_of(credit: Any = Credit) -> ColumnElement[str]:
    return case((credit.helper_id < credit.helped_id, credit.helper_id), else_=credit.helped_id)


def hi_of(credit: Any = Credit) -> ColumnElement[str]:
    return case((credit.helper_id < credit.helped_id, credit.helped_id), else_=credit.helper_id)


def in_period(team_id: str, since: datetime, now: datetime) -> ColumnElement[bool]:
    return and_(
        Credit.team_id == team_id,
        Credit.retracted_at.is_(None),
        Credit.created_at >= since,
        Credit.created_at < now,
    )


@dataclass(frozen=True)
class Period:
    team_id: str
    starts: dict[int, datetime]
    # helper_id, helped_id, lo, hi, channel_id, at; nth: the credit's rank in its pair's
    # credits of the period, by time; fwd_<weeks>, back_<weeks>: 1 once the pair has helped
    # that way in the period, up to this credit.
    credits: CTE
    # person, channel_id: <role>_<weeks> 1 when the person took that part there, and
    # n_<weeks> how many credits they gave or received there.
    mine: CTE
    # person: the same across channels; n_<weeks> the most in any one channel.
    anywhere: CTE


def read_period(team_id: str, now: datetime, dialect: str) -> Period:
    starts = period_starts(now)
    credits = _credits(team_id, starts, now, dialect)
    rows = participation(credits, team_id, starts[LONGEST], now)
    flags: list[Any] = []
    for weeks, since in starts.items():
        recent = rows.c.at >= since
        flags += [
            func.max(case((and_(recent, rows.c.role == role), 1), else_=0)).label(f"{role}_{weeks}")
            for role in ROLES
        ]
        credited = and_(recent, rows.c.role != "asked")
        flags.append(func.count(case((credited, 1))).label(f"n_{weeks}"))
    mine = (
        select(rows.c.person, rows.c.channel_id, *flags)
        .group_by(rows.c.person, rows.c.channel_id)
        .cte("mine")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    names = [f"{name}_{weeks}" for weeks in PERIODS for name in (*ROLES, "n")]
    anywhere = (
        select(mine.c.person, *(func.max(mine.c[name]).label(name) for name in names))
        .group_by(mine.c.person)
        .cte("anywhere")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    return Period(team_id, starts, credits, mine, anywhere)


def _credits(team_id: str, starts: dict[int, datetime], now: datetime, dialect: str) -> CTE:
    pair, forward = (lo_of(), hi_of()), Credit.helper_id < Credit.helped_id
    # The sort by pair is the statement's largest: PostgreSQL compares user ids byte by byte
    # there rather than by the database's collation, which groups the pairs the same.
    by_pair = [end.collate("C") for end in pair] if dialect == "postgresql" else pair
    in_order: dict[str, Any] = {
        "partition_by": by_pair,
        "order_by": (Credit.created_at, Credit.id),
    }
    # Which ways the pair helped, up to and including this credit: running flags cost
    # next to nothing on top of the ranking, where a flag over the whole pair would keep
    # each pair's rows aside.
    ways = [
        func.max(case((and_(Credit.created_at >= since, way), 1), else_=0))
        .over(**in_order)
        .label(f"{name}_{weeks}")
        for weeks, since in starts.items()
        for name, way in zip(WAYS, (forward, ~forward), strict=True)
    ]
    return (
        select(
            Credit.helper_id,
            Credit.helped_id,
            pair[0].label("lo"),
            pair[1].label("hi"),
            Credit.channel_id,
            Credit.created_at.label("at"),
            func.row_number().over(**in_order).label("nth"),
            *ways,
        )
        .where(in_period(team_id, starts[LONGEST], now))
        .cte("period")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )


def participation(credits: Any, team_id: str, since: datetime, now: datetime) -> Any:
    """(person, channel_id, role, at): each credit of `credits` twice (gave, received), and
    each ask from `since` once."""
    rows = [
        select(
            person.label("person"), credits.c.channel_id, literal(role).label("role"), credits.c.at
        )
        for person, role in ((credits.c.helper_id, "gave"), (credits.c.helped_id, "received"))
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
    return union_all(*rows, asks).subquery("participation")


def shaped(part: str, channel: Any, per_channel: int, numbers: list[Any]) -> list[Any]:
    """The columns of one figure's rows, in the shape all share."""
    unused = [cast(null(), Integer)] * (WIDTH - len(numbers))
    return [
        literal(part).label("part"),
        channel.label("channel_id"),
        literal(per_channel).label("per_channel"),
        *(number.label(f"number_{n}") for n, number in enumerate([*numbers, *unused])),
    ]
