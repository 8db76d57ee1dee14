"""The chart's figures: for each of the last 12 weeks, how many people gave, received and
asked, and the two-way share: of the pairs who exchanged that week, the share who helped
each other in both directions over the 12 weeks. A week's point is left out (None) when it
is over fewer than MIN_PEOPLE people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import Session

from bot.insights.figures import MIN_PEOPLE
from bot.insights.period import LONGEST, hi_of, in_period, lo_of, participation
from bot.models import Credit


@dataclass(frozen=True)
class Week:
    ends: datetime
    gave: int | None
    received: int | None
    asked: int | None
    two_way_share: float | None  # 0..1


def _week_of(column: Any, now: datetime) -> Any:
    """0 for the oldest of the LONGEST weeks, up to LONGEST - 1 for the last seven days."""
    bounds = [(column >= now - timedelta(weeks=n + 1), LONGEST - 1 - n) for n in range(LONGEST)]
    return case(*bounds, else_=0)


def weekly(session: Session, team_id: str, now: datetime) -> list[Week]:
    since = now - timedelta(weeks=LONGEST)
    credits = select(
        Credit.helper_id, Credit.helped_id, Credit.channel_id, Credit.created_at.label("at")
    ).where(in_period(team_id, since, now))
    rows = participation(credits.subquery(), team_id, since, now)
    week = _week_of(rows.c.at, now).label("week")
    people = {
        row["week"]: row
        for row in session.execute(
            select(
                week,
                *(
                    func.count(distinct(case((rows.c.role == role, rows.c.person)))).label(role)
                    for role in ("gave", "received", "asked")
                ),
                func.count(distinct(case((rows.c.role != "asked", rows.c.person)))).label(
                    "exchanged"
                ),
            ).group_by(week)
        ).mappings()
    }
    lo, hi, period = lo_of(), hi_of(), in_period(team_id, since, now)
    two_way = (
        select(lo.label("lo"), hi.label("hi"))
        .where(period)
        .group_by(lo, hi)
        .having(func.count(distinct(Credit.helper_id)) == 2)
        .cte("two_way")
    )
    credit_week = _week_of(Credit.created_at, now)
    weekly_pairs = (
        select(lo.label("lo"), hi.label("hi"), credit_week.label("week"))
        .where(period)
        .group_by(lo, hi, credit_week)
        .subquery()
    )
    shares = dict(
        session.execute(
            select(
                weekly_pairs.c.week,
                func.avg(case((two_way.c.lo.is_not(None), 1.0), else_=0.0)),
            )
            .outerjoin(
                two_way, and_(two_way.c.lo == weekly_pairs.c.lo, two_way.c.hi == weekly_pairs.c.hi)
            )
            .group_by(weekly_pairs.c.week)
        ).all()
    )
    weeks = []
    for n in range(LONGEST):
        found = people.get(n)
        count = {
            role: (found[role] if found and found[role] >= MIN_PEOPLE else None)
            for role in ("gave", "received", "asked")
        }
        exchanged = found["exchanged"] if found else 0
        share = shares.get(n) if exchanged >= MIN_PEOPLE else None
        ends = now - timedelta(weeks=LONGEST - 1 - n)
        weeks.append(Week(ends, two_way_share=None if share is None else float(share), **count))
    return weeks
