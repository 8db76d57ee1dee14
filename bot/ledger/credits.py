"""What a credit is before it is written, and the lock that serialises one giver's credits."""

from __future__ import annotations

import functools
import hashlib
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Row, Select, bindparam, func, select
from sqlalchemy.orm import Session

from bot.db import dialect_of

# The day of the fair-use rules: a rolling 24 hours, whatever the time zones.
FAIR_USE_WINDOW = timedelta(days=1)


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
    response_url: str | None = None  # the /thanks that celebrated it (Credit.response_url)


def credit_row(team_id: str, credit: NewCredit, now: datetime) -> dict[str, Any]:
    """The `credits` row of a new credit, every column named."""
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
        "response_url": credit.response_url,
    }


def reason_key(reason: str | None) -> str | None:
    """What makes two reasons "the same" to the fair-use rule: the same words, whatever their
    case and spacing. A digest, so the database compares it without keeping the words twice."""
    words = " ".join((reason or "").casefold().split())
    if not words:
        return None
    return hashlib.blake2b(words.encode(), digest_size=16).hexdigest()


def giver_lock_key(team_id: str, giver_id: str) -> int:
    """The advisory lock that serialises one giver's credits: a 64-bit digest of who they are."""
    digest = hashlib.blake2b(f"{team_id}/{giver_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def one_giver_at_a_time(
    session: Session,
    team_id: str,
    giver_id: str,
    along_with: Select[*tuple[Any, ...]] | None = None,
    params: Mapping[str, Any] | None = None,
) -> Row[Any] | None:
    """Hold the giver's lock until this transaction ends, before reading or writing their day.

    PostgreSQL's statements each read a snapshot of their own (READ COMMITTED): those after
    the lock see every credit the giver made before it was granted, so two credits sent at
    the same moment cannot both take the day's last place. A transaction that holds it
    already sends nothing. SQLite's transactions take the write lock up front (BEGIN
    IMMEDIATE): one writer at a time.

    `along_with`, a query built once that the action reads first anyway (one row at most,
    with `params`), takes the lock in the same round trip, where it returns a row; its row is
    returned.
    """
    key = giver_lock_key(team_id, giver_id)
    transaction = session.get_transaction()
    held = _locks_held.get(transaction, ()) if transaction is not None else ()
    if dialect_of(session) != "postgresql" or key in held:
        return None if along_with is None else session.execute(along_with, params).first()
    if along_with is None:
        # On the session's connection: its transaction, without the ORM's execution steps,
        # which these Core statements do not need.
        session.connection().execute(_LOCK, {"key": key})
        row = None
    else:
        locking = _locking(along_with)
        row = session.connection().execute(locking, {**(params or {}), "key": key}).first()
        if row is None:
            return None  # no row, so the lock was not taken
    _locks_held.setdefault(session.get_transaction(), set()).add(key)
    return row


_KEY = bindparam("key", type_=BigInteger)
_LOCK = select(func.pg_advisory_xact_lock(_KEY))


@functools.cache
def _locking(query: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    """`query` taking the giver's lock too, built once for each query."""
    return query.add_columns(func.pg_advisory_xact_lock(_KEY))


# The giver locks each open transaction holds; gone with the transaction.
_locks_held: weakref.WeakKeyDictionary[Any, set[int]] = weakref.WeakKeyDictionary()
