"""The one write path of a credit: the giver's lock, then one guarded statement.

`record_each` writes what the rules allow in a single INSERT ... SELECT (bot.ledger.rules),
inside the action's transaction: each helper's credit where every rule holds for them. For
those it did not write, a read-only step finds out why: the request was recorded before (a
retry or a double click: nothing to do), the workspace or someone is new to the members cache
(fetched from Slack, cached, and the statement tried once more for them), or a rule refused
them (a `Skipped` that says which). The explanation can only choose the wrong words, never a
wrong ledger: what is written is decided by the statement alone.

`record` is the same for callers that credit one helper and answer a refusal with an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import dialect_of
from bot.errors import NotAPersonError, NothingRecordedError, UnknownMemberError
from bot.ledger.credits import (
    FAIR_USE_WINDOW,
    NewCredit,
    credit_row,
    one_giver_at_a_time,
)
from bot.ledger.rules import explanation, guarded_insert
from bot.ledger.skipped import THANKS_WORDS, Skipped, Why, Words, favour_words, refusal
from bot.members.cache import FetchUser, cache_unknown, ensure_workspace, find_members
from bot.models import Credit, Workspace, member_label

__all__ = ["THANKS_WORDS", "Recorded", "Skipped", "Why", "favour_words", "record", "record_each"]


@dataclass(frozen=True)
class Recorded:
    """What `record_each` did: the helpers credited now, those skipped and why, in the order
    given; `before`: the request was recorded before (a retry), so nothing was written now."""

    written: tuple[str, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    before: bool = False


def record(
    session: Session,
    now: datetime,
    team_id: str,
    credits: Sequence[NewCredit],
    fetch_user: FetchUser,
    *,
    words: Words = THANKS_WORDS,
    restore: bool = False,
) -> int:
    """Record credits from one giver that differ only in their helper; how many were written.

    0 when they were recorded before (a retry, a double click), and the caller answers as it
    did then. When none could be written, the refusal of the first helper is the InputError
    that says why (DailyLimitError, RepeatedReasonError, NotAPersonError, ...). `restore`
    brings back a retracted credit with the same key (bot.ledger.rules).
    """
    recorded = record_each(session, now, team_id, credits, fetch_user, words=words, restore=restore)
    if not recorded.written and recorded.skipped:
        raise refusal(_first_to_explain(recorded.skipped), words)
    return len(recorded.written)


def record_each(
    session: Session,
    now: datetime,
    team_id: str,
    credits: Sequence[NewCredit],
    fetch_user: FetchUser,
    *,
    words: Words = THANKS_WORDS,
    restore: bool = False,
) -> Recorded:
    """Record each credit the rules allow, from one giver, differing only in their helper.

    A giver who is not a person to credit from (a bot, a former member) is a NotAPersonError
    in `words`, and one Slack does not know an UnknownMemberError: nothing is written then.
    """
    if not credits:
        return Recorded()
    first = credits[0]
    if any(_shared(credit) != _shared(first) for credit in credits):
        raise ValueError("credits recorded together must differ only in their helper")
    one_giver_at_a_time(session, team_id, first.helped_id)
    shared: dict[str, Any] = {**credit_row(team_id, first, now), "since": now - FAIR_USE_WINDOW}
    session.flush()  # what the caller changed through the ORM, before the rules read it
    connection = session.connection()  # the transaction's, without the ORM's execution steps
    dialect = dialect_of(session)
    pending, written, strangers = list(credits), set[str](), list[Skipped]()
    for attempt in range(2):
        params = _params(shared, pending)
        statement = guarded_insert(dialect, len(pending), restore)
        keys = set(connection.execute(statement, params).scalars())
        written.update(credit.helper_id for credit in pending if credit.source_key in keys)
        pending = [credit for credit in pending if credit.source_key not in keys]
        if not pending:
            break
        if not written and _recorded_before(session, pending, restore):
            return Recorded(before=True)
        if attempt:
            break  # tried again with what was learnt: the rules refused the rest
        learnt, unknown = _learn_what_is_new(
            session, now, team_id, first.helped_id, pending, fetch_user
        )
        strangers += [Skipped(user_id, Why.NOT_A_MEMBER) for user_id in unknown]
        pending = [credit for credit in pending if credit.helper_id not in unknown]
        if not learnt or not pending:
            break
    skipped = {item.helper_id: item for item in strangers}
    if pending:
        skipped.update(
            _explain(session, team_id, first.helped_id, pending, _params(shared, pending), words)
        )
    if not written and not skipped:
        raise NothingRecordedError()
    return Recorded(
        written=tuple(c.helper_id for c in credits if c.helper_id in written),
        skipped=tuple(skipped[c.helper_id] for c in credits if c.helper_id in skipped),
    )


def _params(shared: dict[str, Any], credits: Sequence[NewCredit]) -> dict[str, Any]:
    params = dict(shared)
    for number, credit in enumerate(credits):
        params[f"helper_{number}"] = credit.helper_id
        params[f"source_key_{number}"] = credit.source_key
    return params


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


def _recorded_before(session: Session, credits: Sequence[NewCredit], restore: bool) -> bool:
    """Any of these credits is in the ledger already (live, when a retracted one comes back)."""
    query = select(Credit.retracted_at).where(
        Credit.source_key.in_([credit.source_key for credit in credits])
    )
    return any(not restore or retracted is None for retracted in session.scalars(query))


def _learn_what_is_new(
    session: Session,
    now: datetime,
    team_id: str,
    giver_id: str,
    credits: Sequence[NewCredit],
    fetch_user: FetchUser,
) -> tuple[bool, list[str]]:
    """Create the workspace's row, or cache the people Slack has to tell about (users.info).

    Whether there was something to learn, and the helpers Slack does not know as members here
    (someone from another workspace): not credited. A giver Slack does not know is an
    UnknownMemberError.
    """
    learnt = session.get(Workspace, team_id) is None
    if learnt:
        ensure_workspace(session, team_id)
    people = list(dict.fromkeys([giver_id, *(credit.helper_id for credit in credits)]))
    known = find_members(session, team_id, people)
    unknown: list[str] = []
    for user_id in people:
        if user_id in known:
            continue
        try:
            cache_unknown(session, now, team_id, [user_id], fetch_user)
        except UnknownMemberError:
            if user_id == giver_id:
                raise
            unknown.append(user_id)
            continue
        learnt = True
    return learnt, unknown


def _explain(
    session: Session,
    team_id: str,
    giver_id: str,
    credits: Sequence[NewCredit],
    params: dict[str, Any],
    words: Words,
) -> dict[str, Skipped]:
    """Why each of `credits` was not written: the first rule that does not hold for them.

    A giver who is not a person refuses them all: a NotAPersonError in `words`.
    """
    rows = {row.user_id: row for row in session.execute(explanation(len(credits)), params)}
    skipped: dict[str, Skipped] = {}
    for credit in credits:
        row = rows.get(credit.helper_id)
        if row is None:
            skipped[credit.helper_id] = Skipped(credit.helper_id, Why.NOT_A_MEMBER)
            continue
        label = member_label(row.display_name, row.real_name, row.name, row.user_id)
        if row.not_the_giver and row.a_person and not row.giver_a_person:
            giver = find_members(session, team_id, [giver_id])[giver_id]
            words_for = words.bot if giver.is_bot else words.deactivated
            raise NotAPersonError(words_for.format(label=giver.label))
        why = _why(row)
        if why is not None:
            skipped[credit.helper_id] = Skipped(credit.helper_id, why, label, row.given_today)
    return skipped


def _why(row: Any) -> Why | None:
    if not row.not_the_giver:
        return Why.YOURSELF
    if not row.a_person:
        return Why.BOT if row.is_bot else Why.DEACTIVATED
    if not row.under_cap:
        return Why.DAILY_LIMIT
    if not row.new_reason:
        return Why.SAME_REASON
    return None  # every rule holds now: something changed since the statement ran


def _first_to_explain(skipped: Sequence[Skipped]) -> Skipped:
    """The refusal a one-answer caller gives: who is not a person to credit before the day's
    rules, as the rules are explained."""
    order = list(Why)
    return min(skipped, key=lambda item: order.index(item.why))
