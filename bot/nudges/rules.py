"""The nudge rules as one SQL statement per workspace (see bot/nudges/plan.py).

First the members who may be nudged now (`eligible`: in working hours, not a bot, active, not
opted out, past their first three weeks (bot.nudges.newcomers), not nudged in seven days).
Then each rule reads only the credits it needs, through the per-member indexes, which on
PostgreSQL cover these reads (migration 0006):

- pair: each person's credits received in 90 days, member by member, grouped by who gave
  them (`heavy`: enough weight, no recent thanks); then, for those few pairs only, what came
  `back` the other way;
- ask too and give back both need a count of zero (nothing received, or nothing given, in
  60 days): an index probe per person finds the few for whom it is zero, and only theirs are
  counted.

Grouping every pair that touches someone in working hours, as before, meant a hash table
that outgrew `work_mem` and went to disk. The statement returns every rule a person meets;
the caller picks one. Built once, with parameters: building it cost more than running it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    distinct,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import CTE, CompoundSelect, Select

from bot.balance.exchanges import SECONDS_PER_DAY, decayed_at
from bot.models import Credit, FavorRequest, Member, OutboxMessage, UTCDateTime, Workspace
from bot.nudges.newcomers import NEWCOMER_WINDOW, with_goodwill_since

PAIR, ASK_TOO, GIVE_BACK = "pair", "ask_too", "give_back"

PAIR_WINDOW = timedelta(days=90)
THANKED_WINDOW = timedelta(days=30)
HELPED_WINDOW = timedelta(days=30)  # ask too: people helped lately
QUIET_WINDOW = timedelta(days=60)  # ask too: nothing asked or received; give back: all of it
ONCE_A_WEEK = timedelta(days=7)
SAME_PAIR_GAP = timedelta(days=28)  # and the same ask too / give back

# A nudge that never reached the person does not count towards their rarity rules.
UNDELIVERED = ("failed", "expired")


def candidates_query(
    workspace: Workspace, now: datetime, zones: Sequence[str]
) -> CompoundSelect[*tuple[Any, ...]]:
    """Every nudge the workspace's members in `zones` could get now, a row per person and rule
    (and pair): kind, recipient_id, tz, about_id, given, returned, people, first_at."""
    return candidates_statement().params(candidate_values(workspace, now, zones))


def candidate_values(workspace: Workspace, now: datetime, zones: Sequence[str]) -> dict[str, Any]:
    """The parameters of `candidates_statement` for the workspace's members in `zones`."""
    return {
        **{f"since_{days}": now - timedelta(days=days) for days in _WINDOW_DAYS},
        "team_id": workspace.team_id,
        "zones": list(zones),
        "now": now,
        "now_seconds": now.timestamp(),
        "per_half_life": 1.0 / (SECONDS_PER_DAY * workspace.half_life_days),
        "pair_min_weight": workspace.nudge_pair_min_weight,
        "ask_too_min_people": max(1, workspace.nudge_ask_too_min_people),
        "give_back_min_people": max(1, workspace.nudge_give_back_min_people),
    }


_WINDOWS = (PAIR_WINDOW, THANKED_WINDOW, HELPED_WINDOW, QUIET_WINDOW, ONCE_A_WEEK, SAME_PAIR_GAP)
_WINDOW_DAYS = {window.days for window in (*_WINDOWS, NEWCOMER_WINDOW)}
_TEAM, _NOW = bindparam("team_id", type_=String), bindparam("now", type_=UTCDateTime)


def _since(window: timedelta) -> Any:
    # `now` less `window`, worked out in Python: both databases then compare instants alike.
    return bindparam(f"since_{window.days}", type_=UTCDateTime)


@cache
def candidates_statement() -> CompoundSelect[*tuple[Any, ...]]:
    """`candidates_query`'s statement, built once; its parameters: `candidate_values`."""
    nudged_this_week = (
        select(literal_column("1"))
        .where(
            OutboxMessage.team_id == _TEAM,
            OutboxMessage.recipient_id == Member.user_id,
            OutboxMessage.kind == "nudge",
            OutboxMessage.due_at > _since(ONCE_A_WEEK),
            OutboxMessage.status.not_in(UNDELIVERED),
        )
        .exists()
    )
    settled = with_goodwill_since(Member.user_id, _TEAM, _since(NEWCOMER_WINDOW))
    eligible = (
        select(Member.user_id, Member.tz).where(*_reachable(), ~nudged_this_week, settled)
    ).cte("eligible")
    return union_all(_pair_rows(eligible), _ask_too_rows(eligible), _give_back_rows(eligible))


def _reachable() -> tuple[ColumnElement[bool], ...]:
    """Members who may hear from Goodwill now, before the look at what it sent them lately."""
    return (
        Member.team_id == _TEAM,
        Member.tz.in_(bindparam("zones", expanding=True)),
        ~Member.is_bot,
        ~Member.is_deactivated,
        ~Member.nudges_opt_out,
    )


def _candidate(kind: str, recipient: Any, tz: Any, about: Any) -> tuple[Any, ...]:
    """The first columns of every rule's rows: which rule, for whom, their zone, about whom."""
    kind_column: Any = literal_column(f"'{kind}'").label("kind")
    return (kind_column, recipient.label("recipient_id"), tz, about.label("about_id"))


def _credits(window: timedelta, credit: Any = Credit) -> tuple[ColumnElement[bool], ...]:
    """Live credits of the last `window`; `credit` may be an alias of `Credit`."""
    return (
        credit.team_id == _TEAM,
        credit.retracted_at.is_(None),
        credit.created_at >= _since(window),
        credit.created_at <= _NOW,
    )


def _pair_rows(eligible: CTE) -> Select[Any]:
    """Someone eligible (B) helped a lot by a person still here (A), not thanked lately, and
    with little coming back; A and B not the subject of a nudge lately."""
    decayed = decayed_at(
        bindparam("now_seconds", type_=Float), bindparam("per_half_life", type_=Float)
    )
    last_thanks = func.max(case((Credit.kind == "thanks", Credit.created_at)))
    # Joined from the members table itself (not `eligible`) and grouped by the recipient
    # first: PostgreSQL walks the members in key order and each one's received credits in
    # index order, so the rows arrive sorted by recipient and the pairs are grouped a person
    # at a time (incremental sort), never in one large hash table.
    heavy = (
        select(Credit.helper_id, Credit.helped_id, func.sum(decayed).label("total"))
        .select_from(Member)
        .join(Credit, and_(Credit.team_id == Member.team_id, Credit.helped_id == Member.user_id))
        .where(*_reachable(), *_credits(PAIR_WINDOW))
        .group_by(Credit.helped_id, Credit.helper_id)
        .having(
            func.sum(decayed) >= bindparam("pair_min_weight", type_=Float),
            or_(last_thanks.is_(None), last_thanks < _since(THANKED_WINDOW)),
        )
        .cte("heavy")
    )
    # What came back, for the heavy pairs only: one probe each on the pair index.
    back = (
        select(heavy.c.helper_id, heavy.c.helped_id, func.sum(decayed).label("total"))
        .select_from(heavy)
        .join(
            Credit,
            and_(Credit.helper_id == heavy.c.helped_id, Credit.helped_id == heavy.c.helper_id),
        )
        .where(*_credits(PAIR_WINDOW))
        .group_by(heavy.c.helper_id, heavy.c.helped_id)
        .cte("back")
    )
    about = aliased(Member, name="about")
    returned = func.coalesce(back.c.total, 0.0)
    same_pair_lately = (
        select(literal_column("1"))
        .where(
            OutboxMessage.team_id == _TEAM,
            OutboxMessage.kind == "nudge",
            OutboxMessage.due_at > _since(SAME_PAIR_GAP),
            OutboxMessage.status.not_in(UNDELIVERED),
            or_(
                and_(
                    OutboxMessage.recipient_id == heavy.c.helped_id,
                    OutboxMessage.about_user_id == heavy.c.helper_id,
                ),
                and_(
                    OutboxMessage.recipient_id == heavy.c.helper_id,
                    OutboxMessage.about_user_id == heavy.c.helped_id,
                ),
            ),
        )
        .exists()
    )
    return (
        select(
            *_candidate(PAIR, heavy.c.helped_id, eligible.c.tz, heavy.c.helper_id),
            cast(heavy.c.total, Float).label("given"),
            cast(returned, Float).label("returned"),
            cast(literal_column("0"), Integer).label("people"),
            cast(null(), UTCDateTime).label("first_at"),
        )
        .select_from(heavy)
        .join(eligible, eligible.c.user_id == heavy.c.helped_id)
        .join(about, and_(about.team_id == _TEAM, about.user_id == heavy.c.helper_id))
        .outerjoin(
            back,
            and_(back.c.helper_id == heavy.c.helper_id, back.c.helped_id == heavy.c.helped_id),
        )
        .where(returned * 3 <= heavy.c.total, ~about.is_bot, ~about.is_deactivated)
        .where(~same_pair_lately)
    )


def _ask_too_rows(eligible: CTE) -> Select[Any]:
    """Helped at least `nudge_ask_too_min_people` people in 30 days; nothing received and
    nothing asked in 60."""
    received = aliased(Credit, name="received")
    received_lately = (
        select(literal_column("1"))
        .where(*_credits(QUIET_WINDOW, received))
        .where(received.helped_id == eligible.c.user_id)
        .exists()
    )
    asked_lately = (
        select(literal_column("1"))
        .where(
            FavorRequest.team_id == _TEAM,
            FavorRequest.author_id == eligible.c.user_id,
            FavorRequest.kind == "ask",
            FavorRequest.created_at >= _since(QUIET_WINDOW),
            FavorRequest.created_at <= _NOW,
        )
        .exists()
    )
    people = func.count(distinct(Credit.helped_id))
    return _people_rows(
        eligible, ASK_TOO, people, Credit.helper_id, HELPED_WINDOW, ~received_lately, ~asked_lately
    ).having(people >= bindparam("ask_too_min_people", type_=Integer))


def _give_back_rows(eligible: CTE) -> Select[Any]:
    """Helped by at least `nudge_give_back_min_people` people in 60 days, and helped no one."""
    given = aliased(Credit, name="given")
    given_lately = (
        select(literal_column("1"))
        .where(*_credits(QUIET_WINDOW, given))
        .where(given.helper_id == eligible.c.user_id)
        .exists()
    )
    people = func.count(distinct(Credit.helper_id))
    return _people_rows(
        eligible, GIVE_BACK, people, Credit.helped_id, QUIET_WINDOW, ~given_lately
    ).having(people >= bindparam("give_back_min_people", type_=Integer))


def _people_rows(
    eligible: CTE,
    kind: str,
    people: ColumnElement[Any],
    own: Any,
    window: timedelta,
    *quiet: ColumnElement[bool],
) -> Select[Any]:
    """One row per eligible person who is `quiet` (their count that must be zero is zero) and
    not given this encouragement lately, with `people`: the other count, over the credits in
    `window` whose `own` column is theirs."""
    # The same encouragement twice in four weeks would nag, like the same pair would.
    same_kind_lately = (
        select(literal_column("1"))
        .where(
            OutboxMessage.team_id == _TEAM,
            OutboxMessage.recipient_id == eligible.c.user_id,
            OutboxMessage.kind == "nudge",
            OutboxMessage.due_at > _since(SAME_PAIR_GAP),
            OutboxMessage.status.not_in(UNDELIVERED),
            OutboxMessage.dedupe_key.contains(f":{kind}:", autoescape=True),
        )
        .exists()
    )
    return (
        select(
            *_candidate(kind, eligible.c.user_id, eligible.c.tz, cast(null(), String)),
            cast(literal_column("0"), Float).label("given"),
            cast(literal_column("0"), Float).label("returned"),
            cast(people, Integer).label("people"),
            func.min(Credit.created_at).label("first_at"),  # the span its words may claim
        )
        .select_from(eligible)
        .join(Credit, own == eligible.c.user_id)
        .where(*_credits(window), *quiet, ~same_kind_lately)
        .group_by(eligible.c.user_id, eligible.c.tz)
    )
