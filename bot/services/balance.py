"""Private balances: per counterpart, help given and received, weighted and decayed with time.

A credit counts `weight * 0.5 ** (age_days / half_life_days)`. The sums are computed by the
database, per counterpart, from the member's own rows only (the per-member indexes
`ix_credits_team_helper_created` / `ix_credits_team_helped_created`), so the cost follows the
member's history and not the size of the workspace. App Home and the nudges reuse
`pair_balances`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Float, case, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from bot.errors import NotAPersonError, SelfCreditError
from bot.models import Credit
from bot.services.asks import RequestInfo, open_requests
from bot.services.members import FetchUser, resolve_members, workspace_for

SECONDS_PER_DAY = 86_400.0
OPEN_REQUESTS_SHOWN = 10
PEOPLE_LISTED = 15
HORIZON_HALF_LIVES = 100


class epoch_seconds(FunctionElement[float]):
    """Seconds since 1970-01-01 UTC of a timestamp column, as a float, on each database."""

    type = Float()
    name = "epoch_seconds"
    inherit_cache = True


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # date_part answers double precision; EXTRACT answers numeric, much slower to compute with.
    return f"date_part('epoch', {compiler.process(element.clauses, **kw)})"


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # Timestamps are stored as UTC text. %s gives whole seconds; %f - %S adds the milliseconds
    # (julianday would too, but rounds a whole second's age to 0.99999…).
    column = compiler.process(element.clauses, **kw)
    return (
        f"(CAST(strftime('%s', {column}) AS REAL)"
        f" + CAST(strftime('%f', {column}) AS REAL) - CAST(strftime('%S', {column}) AS REAL))"
    )


@dataclass(frozen=True)
class PairBalance:
    """Between a member and one counterpart: help the member gave, and help they received."""

    counterpart_id: str
    given: float
    received: float


def pair_balances(
    session: Session,
    team_id: str,
    member_id: str,
    now: datetime,
    half_life_days: int,
    *,
    counterpart: str | None = None,
    since: datetime | None = None,
) -> list[PairBalance]:
    """The member's decayed exchanges per counterpart, largest first; retracted credits never
    count. `counterpart` limits it to one pair; `since` to credits from that time on."""
    decayed = _decayed(now, half_life_days)
    # Older credits count for less than 0.5 ** 100 of their weight: nothing at all. Leaving them
    # out keeps power() clear of PostgreSQL's underflow error, and the index range short.
    horizon = now - timedelta(days=HORIZON_HALF_LIVES * half_life_days)
    query = (
        select(Credit.helper_id, Credit.helped_id, func.sum(decayed).label("total"))
        .where(
            Credit.team_id == team_id,
            # One statement, one bitmap (or multi-index) OR over the two per-member indexes.
            or_(Credit.helper_id == member_id, Credit.helped_id == member_id),
            Credit.retracted_at.is_(None),
            Credit.created_at >= (horizon if since is None else max(horizon, since)),
        )
        .group_by(Credit.helper_id, Credit.helped_id)
    )
    if counterpart is not None:
        query = query.where(or_(Credit.helper_id == counterpart, Credit.helped_id == counterpart))
    given: dict[str, float] = {}
    received: dict[str, float] = {}
    for helper_id, helped_id, total in session.execute(query):
        if helper_id == member_id:
            given[helped_id] = float(total or 0.0)
        else:
            received[helper_id] = float(total or 0.0)
    balances = [
        PairBalance(who, given.get(who, 0.0), received.get(who, 0.0))
        for who in given.keys() | received.keys()
    ]
    balances.sort(key=lambda pair: (-(pair.given + pair.received), pair.counterpart_id))
    return balances


@dataclass(frozen=True)
class PairPage:
    """The member's largest exchanges, and how many people they exchanged with in all."""

    pairs: list[PairBalance]
    total: int  # counterparts
    helped: int  # counterparts the member helped
    helping: int  # counterparts who helped the member


def pair_page(
    session: Session,
    team_id: str,
    member_id: str,
    now: datetime,
    half_life_days: int,
    *,
    limit: int,
    since: datetime | None = None,
) -> PairPage:
    """Like `pair_balances`, but only the `limit` largest pairs leave the database, with the
    counts over all of them: someone with ten thousand counterparts costs one aggregate
    query, not ten thousand Python objects."""
    decayed = _decayed(now, half_life_days)
    horizon = now - timedelta(days=HORIZON_HALF_LIVES * half_life_days)
    mine = Credit.helper_id == member_id
    other = case((mine, Credit.helped_id), else_=Credit.helper_id).label("other")
    per = (
        select(
            other,
            func.sum(case((mine, decayed), else_=0.0)).label("given"),
            func.sum(case((mine, 0.0), else_=decayed)).label("received"),
        )
        .where(
            Credit.team_id == team_id,
            or_(Credit.helper_id == member_id, Credit.helped_id == member_id),
            Credit.retracted_at.is_(None),
            Credit.created_at >= (horizon if since is None else max(horizon, since)),
        )
        .group_by(other)
        .subquery()
    )
    page = (
        select(
            per.c.other,
            per.c.given,
            per.c.received,
            func.count().over().label("total"),
            func.count().filter(per.c.given > 0).over().label("helped"),
            func.count().filter(per.c.received > 0).over().label("helping"),
        )
        .order_by((per.c.given + per.c.received).desc(), per.c.other)
        .limit(limit)
    )
    rows = session.execute(page).all()
    if not rows:
        return PairPage([], 0, 0, 0)
    pairs = [PairBalance(row.other, float(row.given), float(row.received)) for row in rows]
    return PairPage(pairs, int(rows[0].total), int(rows[0].helped), int(rows[0].helping))


def _decayed(now: datetime, half_life_days: int) -> Any:
    half_lives = (now.timestamp() - epoch_seconds(Credit.created_at)) * (
        1.0 / (SECONDS_PER_DAY * half_life_days)
    )
    return Credit.weight * func.power(literal(0.5, Float), half_lives)


@dataclass(frozen=True)
class BalanceSummary:
    """What `/favor balance [@a]` shows its caller, and no one else."""

    pairs: list[PairBalance]
    half_life_days: int
    counterpart_id: str | None = None
    people_total: int = 0
    open_requests: list[RequestInfo] = field(default_factory=list)
    open_total: int = 0


def balance_for(
    session: Session,
    now: datetime,
    team_id: str,
    member_id: str,
    counterpart_id: str | None,
    fetch_user: FetchUser,
) -> BalanceSummary:
    """The caller's exchanges with everyone, and their open asks and offers; or, with
    `counterpart_id`, with that one person only."""
    half_life = workspace_for(session, team_id).half_life_days
    if counterpart_id is None:
        requests, total = open_requests(session, team_id, member_id, OPEN_REQUESTS_SHOWN)
        page = pair_page(session, team_id, member_id, now, half_life, limit=PEOPLE_LISTED)
        return BalanceSummary(
            page.pairs,
            half_life,
            people_total=page.total,
            open_requests=requests,
            open_total=total,
        )
    if counterpart_id == member_id:
        raise SelfCreditError(
            "That's you! Type `/favor balance` for all your exchanges, or "
            "`/favor balance @someone` for one person."
        )
    other = resolve_members(session, team_id, [counterpart_id], fetch_user, now)[counterpart_id]
    if other.is_bot:
        raise NotAPersonError(
            f"{other.label} is a bot, so you have no exchanges with them. "
            "Type `/favor balance @someone` with a person's name."
        )
    pairs = pair_balances(session, team_id, member_id, now, half_life, counterpart=counterpart_id)
    return BalanceSummary(pairs, half_life, counterpart_id=counterpart_id)
