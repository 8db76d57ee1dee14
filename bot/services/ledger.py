"""Writing help edges. Every credit is written here, under its unique `source_key`.

Credits are checked against the fair-use rules (bot.services.fair_use) before they are
written; `record_plainly_fair` does both in one statement when the answer is plainly yes.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, exists, func, not_, select
from sqlalchemy.orm import Session

from bot.db import dialect_of, insert_for, insert_new
from bot.models import Credit, Member, Workspace

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


def record_credits(
    session: Session, team_id: str, credits: Sequence[NewCredit], now: datetime
) -> int:
    """Record credits, skipping any whose `source_key` is already in the ledger.

    Returns how many were new: 0 means the whole request was seen before (a retry or a
    double click), and the caller answers without counting anything twice.
    """
    rows = [_row(team_id, credit, now) for credit in credits]
    return insert_new(session, Credit, rows, ["source_key"])


def record_plainly_fair(
    executor: Session | Connection, team_id: str, credits: Sequence[NewCredit], now: datetime
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
    params: dict[str, Any] = {**_row(team_id, first, now), "since": now - FAIR_USE_WINDOW}
    for number, credit in enumerate(credits):
        params[f"helper_{number}"] = credit.helper_id
        params[f"source_key_{number}"] = credit.source_key
    statement = _plainly_fair_statement(dialect_of(executor), len(credits))
    return len(executor.execute(statement, params).all())


def _shared(credit: NewCredit) -> tuple[Any, ...]:
    return (
        credit.helped_id,
        credit.kind,
        credit.weight,
        credit.reason,
        credit.values,
        credit.channel_id,
        credit.message_ts,
    )


@functools.cache
def _plainly_fair_statement(dialect: str, helpers: int) -> Any:
    """INSERT ... SELECT from the members cache, guarded by the conditions above."""

    def param(column: Any) -> Any:
        return bindparam(column.name, type_=column.type)

    helper_ids = [bindparam(f"helper_{n}", type_=_members.user_id.type) for n in range(helpers)]
    source_keys = [
        bindparam(f"source_key_{n}", type_=_credits.source_key.type) for n in range(helpers)
    ]
    people, giver = Member.__table__.alias("people"), Member.__table__.alias("giver")
    earlier = Credit.__table__.alias("earlier")
    today = and_(
        earlier.c.team_id == param(_credits.team_id),
        earlier.c.helped_id == param(_credits.helped_id),
        earlier.c.helper_id.in_(helper_ids),
        earlier.c.retracted_at.is_(None),
        earlier.c.created_at > bindparam("since", type_=_credits.created_at.type),
    )
    active = (not_(people.c.is_bot), not_(people.c.is_deactivated))
    source_key = case(
        *(
            (people.c.user_id == helper, key)
            for helper, key in zip(helper_ids, source_keys, strict=True)
        )
    )
    cap = select(Workspace.__table__.c.pair_daily_cap).where(
        Workspace.__table__.c.team_id == param(_credits.team_id)
    )
    rows = select(
        param(_credits.team_id),
        people.c.user_id,
        param(_credits.helped_id),
        param(_credits.kind),
        param(_credits.weight),
        param(_credits.reason),
        param(_credits.reason_key),
        param(_credits["values"]),
        param(_credits.channel_id),
        param(_credits.message_ts),
        source_key,
        param(_credits.created_at),
    ).where(
        people.c.team_id == param(_credits.team_id),
        people.c.user_id.in_(helper_ids),
        *active,
        # Every helper is an active person, not only some of them.
        select(func.count())
        .select_from(Member.__table__)
        .where(
            _members.team_id == param(_credits.team_id),
            _members.user_id.in_(helper_ids),
            not_(_members.is_bot),
            not_(_members.is_deactivated),
        )
        .scalar_subquery()
        == helpers,
        exists().where(
            giver.c.team_id == param(_credits.team_id),
            giver.c.user_id == param(_credits.helped_id),
        ),
        select(func.count()).select_from(earlier).where(today).scalar_subquery()
        < cap.scalar_subquery(),
        ~exists().where(today, earlier.c.reason_key == param(_credits.reason_key)),
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
    return session.execute(statement, _row(team_id, credit, now)).first() is not None


@functools.cache
def _record_or_restore_statement(dialect: str) -> Any:
    return (
        insert_for(dialect, Credit.__table__)
        .on_conflict_do_update(
            index_elements=["source_key"],
            set_={"retracted_at": None},
            where=_credits.retracted_at.is_not(None),
        )
        .returning(_credits.id)
    )


def _row(team_id: str, credit: NewCredit, now: datetime) -> dict[str, Any]:
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
