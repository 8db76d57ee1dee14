"""Writing help edges. Every credit is written here, under its unique `source_key`.

Credits are checked against the fair-use rules (bot.services.fair_use) before they are
written; `record_plainly_fair` does both in one statement when the answer is plainly yes.
On PostgreSQL one giver's credits are checked one at a time (`one_giver_at_a_time`,
`room_today`): two checks at the same moment would each miss what the other records.
"""

from __future__ import annotations

import functools
import hashlib
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    String,
    and_,
    bindparam,
    case,
    exists,
    func,
    not_,
    select,
)
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.orm import Session

from bot.db import dialect_of, insert_for, insert_new
from bot.models import Credit, Member, Workspace
from bot.statements import Runner

FAIR_USE_WINDOW = timedelta(days=1)

_credits, _members, _workspaces = Credit.__table__.c, Member.__table__.c, Workspace.__table__.c


@dataclass(frozen=True)
class NewCredit:
    helper_id: str
    helped_id: str
    kind: str
    source_key: str
    weight: int = 1
    reason: str | None = None
    values: tuple[str, ...] = ()
    channel_id: str | None = None
    message_ts: str | None = None
    quotable: bool | None = False  # the reason was shown to the workspace (Credit.quotable)


def record_credits(
    session: Session, team_id: str, credits: Sequence[NewCredit], now: datetime
) -> int:
    """Record credits, skipping any whose `source_key` is already in the ledger.

    Returns how many were new: 0 means the whole request was seen before (a retry or a
    double click), and the caller answers without counting anything twice.
    """
    rows = [credit_row(team_id, credit, now) for credit in credits]
    return insert_new(session, Credit, rows, ["source_key"])


def record_plainly_fair(
    run: Runner, team_id: str, credits: Sequence[NewCredit], now: datetime
) -> int:
    """Record credits from one giver in one statement when the rules plainly allow them.

    Plainly: the giver is in the members cache and every helper is there as an active person;
    between the giver and the helpers there are fewer live credits today than the daily cap
    (all of them together), none with the same reason, and no credit has these source keys.
    Otherwise nothing is recorded and 0 returned, and the caller runs the full checks
    (bot.services.fair_use), which explain a refusal or record what the rules allow. These
    conditions are stricter than the rules, never looser: what this records, the full checks
    would have recorded too. Returns how many were recorded.
    """
    if not credits:
        return 0
    first = credits[0]
    if any(_shared(credit) != _shared(first) for credit in credits):
        raise ValueError("credits recorded together must differ only in their helper")
    params: dict[str, Any] = {
        **credit_row(team_id, first, now),
        "since": now - FAIR_USE_WINDOW,
        "lock_key": giver_lock_key(team_id, first.helped_id),
    }
    for number, credit in enumerate(credits):
        params[f"helper_{number}"] = credit.helper_id
        params[f"source_key_{number}"] = credit.source_key
    statement = _plainly_fair_statement(run.dialect, len(credits))
    return len(run.rows(statement, params))


def _shared(credit: NewCredit) -> tuple[Any, ...]:
    return (
        credit.helped_id,
        credit.kind,
        credit.weight,
        credit.reason,
        credit.values,
        credit.channel_id,
        credit.message_ts,
        credit.quotable,
    )


# Pieces of the one-statement paths (this module's and bot.services.reactions_at_once), built
# from bound parameters so that each statement is built once.


def sql_param(column: Any, name: str | None = None) -> Any:
    """A bound parameter typed as `column`, named after it unless `name` says otherwise."""
    return bindparam(name or column.name, type_=column.type)


def all_active(team: Any, user_ids: Sequence[Any]) -> Any:
    """True when every one of `user_ids` is an active person in the members cache."""
    people = Member.__table__.alias("active_people")
    count = (
        select(func.count())
        .select_from(people)
        .where(
            people.c.team_id == team,
            people.c.user_id.in_(user_ids),
            not_(people.c.is_bot),
            not_(people.c.is_deactivated),
        )
        .scalar_subquery()
    )
    return count == len(user_ids)


def live_today(earlier: Any, team: Any, giver: Any, helpers: Sequence[Any]) -> Any:
    """`earlier` (an alias of credits) is a live credit from `giver` to one of `helpers` within
    the fair-use window (the `since` parameter)."""
    return and_(
        earlier.c.team_id == team,
        earlier.c.helped_id == giver,
        earlier.c.helper_id.in_(helpers),
        earlier.c.retracted_at.is_(None),
        earlier.c.created_at > sql_param(_credits.created_at, "since"),
    )


def room_today(dialect: str, team: Any, giver: Any, helpers: Sequence[Any], wanted: Any) -> Any:
    """`giver` may credit `helpers` once more today: fewer live credits to them, all together,
    than the cap, and none with the reason key `wanted`.

    On PostgreSQL, `credit_room_today` (migration 0009) takes the giver's lock (the
    `lock_key` parameter, `giver_lock_key`) and reads after it: a statement's own snapshot
    predates anything in it, and would miss a credit the giver made while it waited. SQLite
    runs one writer at a time, and reads here.
    """
    since = sql_param(_credits.created_at, "since")
    if dialect == "postgresql":
        lock_key = bindparam("lock_key", type_=BigInteger)
        room = func.credit_room_today(
            lock_key, team, giver, array(helpers, type_=String), since, wanted, type_=Boolean
        )
        return select(room).scalar_subquery()  # evaluated once, not once per helper
    earlier = Credit.__table__.alias("earlier")
    today = (
        select(func.count()).select_from(earlier).where(live_today(earlier, team, giver, helpers))
    )
    cap = select(_workspaces.pair_daily_cap).where(_workspaces.team_id == team)
    repeated = exists().where(
        live_today(earlier, team, giver, helpers), earlier.c.reason_key == wanted
    )
    return and_(today.scalar_subquery() < cap.scalar_subquery(), ~repeated)


def giver_lock_key(team_id: str, giver_id: str) -> int:
    """The advisory lock that serialises one giver's credits: a 64-bit digest of who they are."""
    digest = hashlib.blake2b(f"{team_id}/{giver_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def one_giver_at_a_time(session: Session, team_id: str, giver_id: str) -> None:
    """Hold the giver's lock until this transaction ends, before reading their day.

    PostgreSQL's statements each read a snapshot of their own (READ COMMITTED): those after
    the lock see every credit the giver made before it was granted. A transaction that holds
    it already (a reaction's, before `standing`) sends nothing. SQLite's transactions
    already take the write lock up front.
    """
    if dialect_of(session) != "postgresql":
        return
    key = giver_lock_key(team_id, giver_id)
    transaction = session.get_transaction()
    if transaction is not None and key in _locks_held.get(transaction, ()):
        return
    session.execute(select(func.pg_advisory_xact_lock(key)))
    _locks_held.setdefault(session.get_transaction(), set()).add(key)


# The giver locks each open transaction holds; gone with the transaction.
_locks_held: weakref.WeakKeyDictionary[Any, set[int]] = weakref.WeakKeyDictionary()


def restoring(insert: Any) -> Any:
    """`insert` of a credit, bringing its retracted row back when its key is taken; a live
    row is left as it is. Decided on the row as committed, not as a snapshot saw it."""
    return insert.on_conflict_do_update(
        index_elements=["source_key"],
        set_={"retracted_at": None},
        where=_credits.retracted_at.is_not(None),
    )


@functools.cache
def _plainly_fair_statement(dialect: str, helpers: int) -> Any:
    """INSERT ... SELECT from the members cache, guarded by the conditions above."""
    helper_ids = [bindparam(f"helper_{n}", type_=_members.user_id.type) for n in range(helpers)]
    source_keys = [
        bindparam(f"source_key_{n}", type_=_credits.source_key.type) for n in range(helpers)
    ]
    team, giver_id = sql_param(_credits.team_id), sql_param(_credits.helped_id)
    people, giver = Member.__table__.alias("people"), Member.__table__.alias("giver")
    pairs = zip(helper_ids, source_keys, strict=True)
    source_key = case(*((people.c.user_id == helper, key) for helper, key in pairs))
    rows = select(
        team,
        people.c.user_id,
        giver_id,
        sql_param(_credits.kind),
        sql_param(_credits.weight),
        sql_param(_credits.reason),
        sql_param(_credits.reason_key),
        sql_param(_credits["values"]),
        sql_param(_credits.channel_id),
        sql_param(_credits.message_ts),
        sql_param(_credits.quotable),
        source_key,
        sql_param(_credits.created_at),
    ).where(
        people.c.team_id == team,
        people.c.user_id.in_(helper_ids),
        # Every helper is an active person, not only some of them.
        all_active(team, helper_ids),
        exists().where(giver.c.team_id == team, giver.c.user_id == giver_id),
        room_today(dialect, team, giver_id, helper_ids, sql_param(_credits.reason_key)),
        ~exists().where(_credits.source_key.in_(source_keys)),
    )
    columns = [
        "team_id",
        "helper_id",
        "helped_id",
        "kind",
        "weight",
        "reason",
        "reason_key",
        "values",
        "channel_id",
        "message_ts",
        "quotable",
        "source_key",
        "created_at",
    ]
    return (
        insert_for(dialect, Credit.__table__)
        .from_select(columns, rows)
        .on_conflict_do_nothing(index_elements=["source_key"])
        .returning(_credits.source_key)
    )


def record_or_restore(session: Session, team_id: str, credit: NewCredit, now: datetime) -> bool:
    """Record a credit, or bring back its retracted row; False when it is already live.

    The restored row keeps the date it was first given, so taking credit back and giving it
    again never makes a second edge or a newer one.
    """
    statement = _record_or_restore_statement(dialect_of(session))
    return session.execute(statement, credit_row(team_id, credit, now)).first() is not None


@functools.cache
def _record_or_restore_statement(dialect: str) -> Any:
    return restoring(insert_for(dialect, Credit.__table__)).returning(_credits.id)


def credit_row(team_id: str, credit: NewCredit, now: datetime) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "helper_id": credit.helper_id,
        "helped_id": credit.helped_id,
        "kind": credit.kind,
        "weight": credit.weight,
        "reason": credit.reason,
        "reason_key": reason_key(credit.reason),
        "values": list(credit.values),
        "channel_id": credit.channel_id,
        "message_ts": credit.message_ts,
        "quotable": credit.quotable,
        "source_key": credit.source_key,
        "created_at": now,
        "retracted_at": None,
    }


def reason_key(reason: str | None) -> str | None:
    """What makes two reasons "the same" to the fair-use rule: the same words, whatever their
    case and spacing. A digest, so the database compares it without keeping the words twice."""
    words = " ".join((reason or "").casefold().split())
    if not words:
        return None
    return hashlib.blake2b(words.encode(), digest_size=16).hexdigest()
