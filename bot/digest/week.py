"""The weekly digest: what the week's exchanges were, told as a celebration.

Never a bottom list, never a balance: totals, highlights with their reasons (rotating towards
people not highlighted lately), helpers ranked by how many different people they helped,
asks that still need a hand, and pairs who exchanged for the first time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import (
    Select,
    String,
    and_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    tuple_,
    union,
)
from sqlalchemy.orm import Session, aliased

from bot.asks.requests import by_someone_still_here, in_a_live_channel
from bot.models import Credit, FavorRequest, Member, OutboxMessage, UTCDateTime, Workspace

# A digest missed by downtime is still posted within this long after its hour; later, it
# would be news from another week.
HIGHLIGHTS = 5
HELPERS = 5
ROTATION_WEEKS = 4
LISTED = 5


@dataclass(frozen=True)
class Highlight:
    helper_id: str
    helped_id: str
    kind: str
    reason: str


@dataclass(frozen=True)
class DigestData:
    team_id: str
    week_start: datetime
    week_end: datetime
    counts: dict[str, int]
    people: int
    highlights: list[Highlight]
    helpers: list[tuple[str, int]]
    open_asks: list[FavorRequest]
    open_ask_count: int
    new_connections: list[tuple[str, str]]
    new_connection_count: int
    members: dict[str, Member] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def weekly_digest(session: Session, workspace: Workspace, week_end: datetime) -> DigestData:
    """The digest's facts for the seven days before `week_end`: a few aggregate queries."""
    team_id = workspace.team_id
    week_start = week_end - timedelta(days=7)
    query = _queries()
    week = {"team_id": team_id, "week_start": week_start, "week_end": week_end}
    counts = {kind: count for kind, count in session.execute(query.counts, week)}
    people = session.scalar(query.people, week) or 0
    helpers = [(user_id, count) for user_id, count in session.execute(query.helpers, week)]
    recent = {
        "team_id": team_id,
        "week_end": week_end,
        "week_start": week_end - timedelta(weeks=ROTATION_WEEKS),
    }
    highlighted = {
        user_id
        for payload in session.scalars(query.highlighted, recent)
        for user_id in (payload.get("meta") or {}).get("highlighted", [])
    }
    highlights = _rotate(
        [
            Highlight(helper, helped, kind, reason or "")
            for helper, helped, kind, reason in session.execute(query.quotes, week)
        ],
        highlighted,
    )
    open_asks = list(session.scalars(query.asks, week))
    open_ask_count = session.scalar(query.ask_count, week) or 0
    rows = session.execute(query.connections, week).all()
    connections = [(row.helper_id, row.helped_id) for row in rows]

    mentioned = {h.helper_id for h in highlights} | {h.helped_id for h in highlights}
    mentioned |= {user_id for user_id, _ in helpers} | {a.author_id for a in open_asks}
    mentioned |= {user_id for pair in connections for user_id in pair}
    named = {"team_id": team_id, "mentioned": sorted(mentioned)}
    members = {m.user_id: m for m in session.scalars(query.members, named)}
    return DigestData(
        team_id=team_id,
        week_start=week_start,
        week_end=week_end,
        counts=counts,
        people=people,
        highlights=highlights,
        helpers=helpers,
        open_asks=open_asks,
        open_ask_count=open_ask_count,
        new_connections=connections,
        new_connection_count=rows[0].total if rows else 0,
        members=members,
    )


# The queries' parameters: the workspace and the week (or, for past highlights, the weeks of
# the rotation).
_TEAM = bindparam("team_id", type_=String)
_START = bindparam("week_start", type_=UTCDateTime)
_END = bindparam("week_end", type_=UTCDateTime)


_Select = Select[*tuple[Any, ...]]


class _Queries(NamedTuple):
    counts: _Select
    people: _Select
    helpers: _Select
    quotes: _Select
    highlighted: _Select
    asks: _Select
    ask_count: _Select
    connections: _Select
    members: _Select


@cache
def _queries() -> _Queries:
    """The digest's queries, built once: building them cost more Python than running them
    cost the database, for a workspace of a few dozen people."""
    in_week = and_(
        Credit.team_id == _TEAM,
        Credit.created_at >= _START,
        Credit.created_at < _END,
        Credit.retracted_at.is_(None),
    )
    people = union(
        select(Credit.helper_id.label("user_id")).where(in_week),
        select(Credit.helped_id.label("user_id")).where(in_week),
    ).subquery()
    helper = aliased(Member)
    helped = aliased(Member)
    active_pair = (
        select(Credit)
        .join(helper, and_(helper.team_id == Credit.team_id, helper.user_id == Credit.helper_id))
        .join(helped, and_(helped.team_id == Credit.team_id, helped.user_id == Credit.helped_id))
        .where(in_week, ~helper.is_deactivated, ~helper.is_bot, ~helped.is_deactivated)
    )
    distinct_helped = func.count(func.distinct(Credit.helped_id))
    asks = (
        select(FavorRequest)
        .where(
            FavorRequest.team_id == _TEAM,
            FavorRequest.kind == "ask",
            FavorRequest.status == "open",
            FavorRequest.created_at < _END,
            # The digest's channel may not read where the ask was posted: a private channel's
            # (or one Slack did not describe) stays there.
            FavorRequest.in_public_channel.is_(True),
            by_someone_still_here(),
            in_a_live_channel(),
        )
        .order_by(FavorRequest.created_at.desc())
    )
    return _Queries(
        counts=select(Credit.kind, func.count()).where(in_week).group_by(Credit.kind),
        people=select(func.count()).select_from(people),
        helpers=active_pair.with_only_columns(Credit.helper_id, distinct_helped)
        .group_by(Credit.helper_id)
        .order_by(distinct_helped.desc(), Credit.helper_id)
        .limit(HELPERS),
        quotes=active_pair.with_only_columns(
            Credit.helper_id, Credit.helped_id, Credit.kind, Credit.reason
        )
        # Only what the workspace could already read: a private favour's or a private
        # channel's words stay where they were given.
        .where(Credit.reason.is_not(None), Credit.reason != "", Credit.quotable.is_(True))
        .order_by(Credit.created_at.desc())
        .limit(200),
        highlighted=select(OutboxMessage.payload).where(
            OutboxMessage.team_id == _TEAM,
            OutboxMessage.kind == "digest",
            OutboxMessage.due_at < _END,
            OutboxMessage.due_at >= _START,
        ),
        asks=asks.limit(LISTED),
        ask_count=asks.with_only_columns(func.count()).order_by(None),
        connections=_new_connections(),
        members=select(Member).where(
            Member.team_id == _TEAM, Member.user_id.in_(bindparam("mentioned", expanding=True))
        ),
    )


def _rotate(candidates: list[Highlight], recent: set[str]) -> list[Highlight]:
    """Up to five highlights, one per helper, people not highlighted lately first."""
    chosen: list[Highlight] = []
    seen: set[str] = set()
    for prefer_new in (True, False):
        for highlight in candidates:
            if len(chosen) == HIGHLIGHTS:
                return chosen
            if highlight.helper_id in seen or (prefer_new and highlight.helper_id in recent):
                continue
            chosen.append(highlight)
            seen.add(highlight.helper_id)
    return chosen


def _new_connections() -> _Select:
    """Pairs who exchanged this week and never before, in either direction: each pair once,
    as (helper, helped), or when both ways are new the way that sorts first; the first few
    by that order, with how many (`total`).

    The week's distinct pairs first (a few thousand at most), then one index probe per pair
    and direction on `ix_credits_team_pair_created`. Folding the two directions into one
    pair, counting and ordering happen in SQL too: only `LISTED` rows come back, where
    building a set per pair in Python grew with the week's pairs (bench.rhythm).
    """
    week = (
        select(Credit.helper_id, Credit.helped_id)
        .where(
            Credit.team_id == _TEAM,
            Credit.created_at >= _START,
            Credit.created_at < _END,
            Credit.retracted_at.is_(None),
        )
        .distinct()
        .subquery()
    )

    def exchanged_before(helper: Any, helped: Any) -> Any:
        earlier = aliased(Credit)
        return (
            select(literal_column("1"))
            .where(
                earlier.team_id == _TEAM,
                earlier.helper_id == helper,
                earlier.helped_id == helped,
                earlier.created_at < _START,
                earlier.retracted_at.is_(None),
            )
            .exists()
        )

    first_time = (
        select(week.c.helper_id, week.c.helped_id)
        .where(
            ~exchanged_before(week.c.helper_id, week.c.helped_id),
            ~exchanged_before(week.c.helped_id, week.c.helper_id),
        )
        .cte("first_time")
    )
    # Both ways round new this week: keep the way that sorts first. (A hashed NOT IN; a join
    # of the pairs with themselves had PostgreSQL sort them twice for a merge join.)
    reverse = select(first_time.c.helped_id, first_time.c.helper_id)
    pairs = (
        select(first_time.c.helper_id, first_time.c.helped_id)
        .where(
            or_(
                first_time.c.helper_id < first_time.c.helped_id,
                tuple_(first_time.c.helper_id, first_time.c.helped_id).not_in(reverse),
            )
        )
        .subquery("pairs")
    )
    return (
        select(pairs.c.helper_id, pairs.c.helped_id, func.count().over().label("total"))
        .order_by(pairs.c.helper_id, pairs.c.helped_id)
        .limit(LISTED)
    )
