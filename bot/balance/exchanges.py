"""Private balances: per counterpart, help given and received, weighted and decayed with time.

A credit counts `weight * 0.5 ** (age_days / half_life_days)`. The sums are computed by the
database, per counterpart, from the member's own rows only (the per-member indexes
`ix_credits_team_helper_created` / `ix_credits_team_helped_created`), so the cost follows the
member's history and not the size of the workspace. App Home reuses `pair_page`.

The same query counts the credits each way: people read their exchanges as how many times
each helped the other (a rhythm, not a score); the weighted, faded sums order the pairs and
draw the Home's bars.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Float, Integer, Select, bindparam, func, literal, select, true, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from bot.asks.requests import RequestInfo, open_requests
from bot.errors import NotAPersonError, SelfCreditError
from bot.members.cache import FetchUser, resolve_members, workspace_for
from bot.models import Credit

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
    given: float  # weighted and faded: how the pair is ordered, and the bar on the Home
    received: float
    times_given: int = 0  # how many times the member helped them: what the words say
    times_received: int = 0

    @property
    def exchanges(self) -> int:
        return self.times_given + self.times_received


def decayed_weight(now: datetime, half_life_days: int) -> Any:
    """A credit's weight, halved every `half_life_days` days of its age at `now`."""
    return decayed_at(now.timestamp(), 1.0 / (SECONDS_PER_DAY * half_life_days))


def decayed_at(now_seconds: Any, per_half_life: Any) -> Any:
    """The same, from values or from bound parameters (for a statement built once)."""
    half_lives = (now_seconds - epoch_seconds(Credit.created_at)) * per_half_life
    return Credit.weight * func.power(literal(0.5, Float), half_lives)


@cache
def _per_counterpart(one_pair: bool) -> Select[str, float, float, int, int]:
    """The member's decayed given and received sums per counterpart; retracted credits never
    count. Built once (building it per request cost half a millisecond of Python); its
    parameters are `team_id`, `member_id`, `start`, `now`, `per_half_life`, and `counterpart`
    when `one_pair`.

    One branch per direction, each a range on its own per-member index, which on PostgreSQL
    covers every column read here (migration 0006): the member's rows are read from the index
    alone however the table has scattered them, and grouped once.
    """
    decayed = decayed_at(bindparam("now", type_=Float), bindparam("per_half_life", type_=Float))
    nothing, once, never = literal(0.0, Float), literal(1, Integer), literal(0, Integer)
    given = select(
        Credit.helped_id.label("other"),
        decayed.label("given"),
        nothing.label("received"),
        once.label("times_given"),
        never.label("times_received"),
    ).where(
        Credit.team_id == bindparam("team_id"),
        Credit.helper_id == bindparam("member_id"),
        Credit.retracted_at.is_(None),
        Credit.created_at >= bindparam("start"),
    )
    received = select(Credit.helper_id, nothing, decayed, never, once).where(
        Credit.team_id == bindparam("team_id"),
        Credit.helped_id == bindparam("member_id"),
        Credit.retracted_at.is_(None),
        Credit.created_at >= bindparam("start"),
    )
    if one_pair:
        given = given.where(Credit.helped_id == bindparam("counterpart"))
        received = received.where(Credit.helper_id == bindparam("counterpart"))
    edges = union_all(given, received).subquery("edges")
    return select(
        edges.c.other,
        func.sum(edges.c.given).label("given"),
        func.sum(edges.c.received).label("received"),
        func.sum(edges.c.times_given).label("times_given"),
        func.sum(edges.c.times_received).label("times_received"),
    ).group_by(edges.c.other)


def _parameters(
    team_id: str, member_id: str, now: datetime, half_life_days: int, since: datetime | None
) -> dict[str, Any]:
    # Older credits count for less than 0.5 ** 100 of their weight: nothing at all. Leaving them
    # out keeps power() clear of PostgreSQL's underflow error, and the index range short.
    horizon = now - timedelta(days=HORIZON_HALF_LIVES * half_life_days)
    return {
        "team_id": team_id,
        "member_id": member_id,
        "start": horizon if since is None else max(horizon, since),
        "now": now.timestamp(),
        "per_half_life": 1.0 / (SECONDS_PER_DAY * half_life_days),
    }


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
    parameters = _parameters(team_id, member_id, now, half_life_days, since)
    rows = session.execute(
        _per_counterpart(counterpart is not None), {**parameters, "counterpart": counterpart}
    )
    balances = [_pair(row) for row in rows]
    balances.sort(key=lambda pair: (-(pair.given + pair.received), pair.counterpart_id))
    return balances


def _pair(row: Any) -> PairBalance:
    return PairBalance(
        row.other,
        float(row.given or 0.0),
        float(row.received or 0.0),
        int(row.times_given or 0),
        int(row.times_received or 0),
    )


@dataclass(frozen=True)
class PairPage:
    """The member's largest exchanges, and how many people they exchanged with in all."""

    pairs: list[PairBalance]
    total: int  # counterparts
    helped: int  # counterparts the member helped
    helping: int  # counterparts who helped the member


@cache
def _page() -> Select[str, float, float, int, int, int, int, int]:
    """The `limit` largest pairs and the counts over all of them. The per-counterpart sums are
    a CTE read twice (measured a little faster than counting with a window over all of them,
    which must hold every row before it can answer)."""
    per = _per_counterpart(one_pair=False).cte("per_counterpart")
    largest = (
        select(per.c.other, per.c.given, per.c.received, per.c.times_given, per.c.times_received)
        .order_by((per.c.given + per.c.received).desc(), per.c.other)
        .limit(bindparam("limit"))
        .subquery("largest")
    )
    counts = select(
        func.count().label("total"),
        func.count().filter(per.c.given > 0).label("helped"),
        func.count().filter(per.c.received > 0).label("helping"),
    ).subquery("counts")
    return (
        select(*largest.c, *counts.c)
        .select_from(largest.join(counts, true()))
        .order_by((largest.c.given + largest.c.received).desc(), largest.c.other)
    )


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
    parameters = _parameters(team_id, member_id, now, half_life_days, since)
    rows = session.execute(_page(), {**parameters, "limit": limit}).all()
    if not rows:
        return PairPage([], 0, 0, 0)
    pairs = [_pair(row) for row in rows]
    return PairPage(pairs, int(rows[0].total), int(rows[0].helped), int(rows[0].helping))


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
