"""The weekly digest: what the week's exchanges were, told as a celebration.

Never a bottom list, never a balance: totals, highlights with their reasons (rotating towards
people not highlighted lately), helpers ranked by how many different people they helped,
asks that still need a hand, and pairs who exchanged for the first time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, literal_column, or_, select, tuple_, union
from sqlalchemy.orm import Session, aliased

from bot.asks.requests import by_someone_still_here, in_a_live_channel
from bot.models import Credit, FavorRequest, Member, OutboxMessage, Workspace

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
    in_week = and_(
        Credit.team_id == team_id,
        Credit.created_at >= week_start,
        Credit.created_at < week_end,
        Credit.retracted_at.is_(None),
    )
    counts = {
        kind: count
        for kind, count in session.execute(
            select(Credit.kind, func.count()).where(in_week).group_by(Credit.kind)
        )
    }
    people_query = union(
        select(Credit.helper_id.label("user_id")).where(in_week),
        select(Credit.helped_id.label("user_id")).where(in_week),
    ).subquery()
    people = session.scalar(select(func.count()).select_from(people_query)) or 0

    helper = aliased(Member)
    helped = aliased(Member)
    active_pair = (
        select(Credit)
        .join(helper, and_(helper.team_id == Credit.team_id, helper.user_id == Credit.helper_id))
        .join(helped, and_(helped.team_id == Credit.team_id, helped.user_id == Credit.helped_id))
        .where(in_week, ~helper.is_deactivated, ~helper.is_bot, ~helped.is_deactivated)
    )
    distinct_helped = func.count(func.distinct(Credit.helped_id))
    helpers = [
        (user_id, count)
        for user_id, count in session.execute(
            active_pair.with_only_columns(Credit.helper_id, distinct_helped)
            .group_by(Credit.helper_id)
            .order_by(distinct_helped.desc(), Credit.helper_id)
            .limit(HELPERS)
        )
    ]
    candidates = session.execute(
        active_pair.with_only_columns(
            Credit.helper_id, Credit.helped_id, Credit.kind, Credit.reason
        )
        # Only what the workspace could already read: a private favour's or a private
        # channel's words stay where they were given.
        .where(Credit.reason.is_not(None), Credit.reason != "", Credit.quotable.is_(True))
        .order_by(Credit.created_at.desc())
        .limit(200)
    )
    highlights = _rotate(
        [
            Highlight(helper, helped, kind, reason or "")
            for helper, helped, kind, reason in candidates
        ],
        _recently_highlighted(session, team_id, week_end),
    )
    asks = (
        select(FavorRequest)
        .where(
            FavorRequest.team_id == team_id,
            FavorRequest.kind == "ask",
            FavorRequest.status == "open",
            FavorRequest.created_at < week_end,
            # The digest's channel may not read where the ask was posted: a private channel's
            # (or one Slack did not describe) stays there.
            FavorRequest.in_public_channel.is_(True),
            by_someone_still_here(),
            in_a_live_channel(),
        )
        .order_by(FavorRequest.created_at.desc())
    )
    open_asks = list(session.scalars(asks.limit(LISTED)))
    open_ask_count = session.scalar(asks.with_only_columns(func.count()).order_by(None)) or 0
    connections, connection_count = _new_connections(session, team_id, week_start, week_end)

    mentioned = {h.helper_id for h in highlights} | {h.helped_id for h in highlights}
    mentioned |= {user_id for user_id, _ in helpers} | {a.author_id for a in open_asks}
    mentioned |= {user_id for pair in connections for user_id in pair}
    members = {
        m.user_id: m
        for m in session.scalars(
            select(Member).where(Member.team_id == team_id, Member.user_id.in_(mentioned))
        )
    }
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
        new_connection_count=connection_count,
        members=members,
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


def _recently_highlighted(session: Session, team_id: str, before: datetime) -> set[str]:
    payloads = session.scalars(
        select(OutboxMessage.payload).where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.kind == "digest",
            OutboxMessage.due_at < before,
            OutboxMessage.due_at >= before - timedelta(weeks=ROTATION_WEEKS),
        )
    )
    return {
        user_id
        for payload in payloads
        for user_id in (payload.get("meta") or {}).get("highlighted", [])
    }


def _new_connections(
    session: Session, team_id: str, week_start: datetime, week_end: datetime
) -> tuple[list[tuple[str, str]], int]:
    """Pairs who exchanged this week and never before, in either direction: each pair once,
    as (helper, helped), or when both ways are new the way that sorts first; the first few
    by that order, and how many.

    The week's distinct pairs first (a few thousand at most), then one index probe per pair
    and direction on `ix_credits_team_pair_created`. Folding the two directions into one
    pair, counting and ordering happen in SQL too: only `LISTED` rows come back, where
    building a set per pair in Python grew with the week's pairs (bench.rhythm).
    """
    week = (
        select(Credit.helper_id, Credit.helped_id)
        .where(
            Credit.team_id == team_id,
            Credit.created_at >= week_start,
            Credit.created_at < week_end,
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
                earlier.team_id == team_id,
                earlier.helper_id == helper,
                earlier.helped_id == helped,
                earlier.created_at < week_start,
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
    rows = session.execute(
        select(pairs.c.helper_id, pairs.c.helped_id, func.count().over().label("total"))
        .order_by(pairs.c.helper_id, pairs.c.helped_id)
        .limit(LISTED)
    ).all()
    return [(row.helper_id, row.helped_id) for row in rows], (rows[0].total if rows else 0)
