"""Asks in the period: how many, how many someone offered to help with (an *I can help*
answer), the people whose asks were answered, and the median time to the first answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import Session

from bot.insights.period import LONGEST, PERIODS, period_starts
from bot.models import FavorRequest, FavorResponse

AskCounts = dict[str | None, dict[int, dict[str, Any]]]


def _seconds(dialect: str, column: Any) -> Any:
    """A timestamp as seconds, for differences the same on both databases."""
    if dialect == "postgresql":
        return func.extract("epoch", column)
    return func.julianday(column) * 86_400.0


def ask_figures(session: Session, team_id: str, now: datetime) -> AskCounts:
    starts = period_starts(now)
    dialect = session.get_bind().dialect.name
    first_answer = (
        select(FavorResponse.request_id, func.min(FavorResponse.created_at).label("answered_at"))
        .join(FavorRequest, FavorRequest.id == FavorResponse.request_id)
        .where(
            FavorRequest.team_id == team_id,
            FavorRequest.kind == "ask",
            FavorRequest.created_at >= starts[LONGEST],
        )
        .group_by(FavorResponse.request_id)
        .subquery()
    )
    asks = (
        select(
            FavorRequest.id,
            FavorRequest.author_id,
            FavorRequest.channel_id,
            FavorRequest.created_at.label("at"),
            first_answer.c.answered_at,
            (
                _seconds(dialect, first_answer.c.answered_at)
                - _seconds(dialect, FavorRequest.created_at)
            ).label("wait"),
        )
        .outerjoin(first_answer, first_answer.c.request_id == FavorRequest.id)
        .where(
            FavorRequest.team_id == team_id,
            FavorRequest.kind == "ask",
            FavorRequest.created_at >= starts[LONGEST],
            FavorRequest.created_at < now,
        )
        .cte("asks")
    )
    found: AskCounts = {}
    for by_channel in (False, True):
        channel = [asks.c.channel_id] if by_channel else []
        columns: list[Any] = []
        for weeks, since in starts.items():
            recent = asks.c.at >= since
            answered = and_(recent, asks.c.answered_at.is_not(None))
            columns += [
                func.count(case((recent, asks.c.id))).label(f"asks_{weeks}"),
                func.count(case((answered, asks.c.id))).label(f"asks_answered_{weeks}"),
                func.count(distinct(case((answered, asks.c.author_id)))).label(
                    f"answered_askers_{weeks}"
                ),
            ]
        query = select(*channel, *columns).group_by(*channel)
        for row in session.execute(query).mappings():
            key = row["channel_id"] if by_channel else None
            found[key] = {
                weeks: {
                    name: int(row[f"{name}_{weeks}"] or 0)
                    for name in ("asks", "asks_answered", "answered_askers")
                }
                for weeks in PERIODS
            }
        for weeks, since in starts.items():
            waits = (
                select(
                    *channel,
                    asks.c.wait,
                    func.row_number().over(partition_by=channel, order_by=asks.c.wait).label("n"),
                    func.count().over(partition_by=channel).label("of"),
                )
                .where(asks.c.at >= since, asks.c.answered_at.is_not(None))
                .subquery()
            )
            middle = [waits.c.channel_id] if by_channel else []
            # The middle one, or the mean of the middle two (integer division on both).
            median = (
                select(*middle, func.avg(waits.c.wait))
                .where(waits.c.n.in_([(waits.c.of + 1) // 2, (waits.c.of + 2) // 2]))
                .group_by(*middle)
            )
            for middle_row in session.execute(median):
                key = middle_row[0] if by_channel else None
                # The workspace's row comes even when no ask was answered: no median then.
                if key in found and middle_row[-1] is not None:
                    found[key][weeks]["median_answer_seconds"] = float(middle_row[-1])
    return found
