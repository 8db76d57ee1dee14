"""The one write path of a credit: the giver's lock, then one guarded statement.

`record` writes what the rules allow in a single INSERT ... SELECT (bot.ledger.rules), inside
the action's transaction. When it writes nothing, a read-only step finds out why: the credits
were recorded before (a retry or a double click: nothing to do), the workspace or someone
is new to the members cache (fetched from Slack, cached, and the statement tried once more),
or a rule refused them (an InputError that says which, in the caller's words). The
explanation can only choose the wrong message, never a wrong ledger: what is written is
decided by the statement alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import dialect_of
from bot.errors import (
    DailyLimitError,
    NotAPersonError,
    NothingRecordedError,
    RepeatedReasonError,
    SelfCreditError,
)
from bot.ledger.credits import (
    FAIR_USE_WINDOW,
    NewCredit,
    credit_row,
    one_giver_at_a_time,
)
from bot.ledger.rules import explanation, guarded_insert
from bot.members.cache import FetchUser, cache_unknown, ensure_workspace, find_members
from bot.models import Credit, Workspace, member_label
from bot.slack.messages import counted


@dataclass(frozen=True)
class Words:
    """How a refusal for someone who is not a person to credit is put, by what was given.

    `{label}` is the member's name as Slack shows it.
    """

    bot: str
    deactivated: str


THANKS_WORDS = Words(
    bot="{label} is a bot, and bots don't need thanks. Thank the people who helped you instead.",
    deactivated=(
        "{label} is no longer active in this workspace, so they can't be thanked here. "
        "Thank the people who are around now."
    ),
)


def favour_words(advice: str) -> Words:
    return Words(
        bot=f"{{label}} is a bot, and bots don't need favours. {advice}",
        deactivated=(
            "{label} is no longer active in this workspace, so they can't be credited here. "
            f"{advice}"
        ),
    )


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
    """Record credits from one giver that differ only in their helper: all of them, or none.

    Returns how many were written; 0 when they were recorded before (a retry, a double
    click), and the caller answers as it did then. A refusal is the InputError that says
    why (DailyLimitError, RepeatedReasonError, NotAPersonError, UnknownMemberError, ...).
    `restore` brings back a retracted credit with the same key (bot.ledger.rules).
    """
    if not credits:
        return 0
    first = credits[0]
    if any(_shared(credit) != _shared(first) for credit in credits):
        raise ValueError("credits recorded together must differ only in their helper")
    one_giver_at_a_time(session, team_id, first.helped_id)
    params: dict[str, Any] = {**credit_row(team_id, first, now), "since": now - FAIR_USE_WINDOW}
    for number, credit in enumerate(credits):
        params[f"helper_{number}"] = credit.helper_id
        params[f"source_key_{number}"] = credit.source_key
    statement = guarded_insert(dialect_of(session), len(credits), restore)
    session.flush()  # what the caller changed through the ORM, before the rules read it
    connection = session.connection()  # the transaction's, without the ORM's execution steps
    for _attempt in range(2):
        written = connection.execute(statement, params).all()
        if written:
            return len(written)
        if _recorded_before(session, credits, restore):
            return 0
        if not _learn_what_is_new(session, now, team_id, credits, fetch_user):
            _refuse(session, credits, params, words)
    raise NothingRecordedError()


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
    credits: Sequence[NewCredit],
    fetch_user: FetchUser,
) -> bool:
    """Create the workspace's row, or cache the people Slack has to tell about (users.info);
    True when there was something to learn. Someone from another workspace is an
    UnknownMemberError."""
    learnt = session.get(Workspace, team_id) is None
    if learnt:
        ensure_workspace(session, team_id)
    people = [credits[0].helped_id, *(credit.helper_id for credit in credits)]
    known = find_members(session, team_id, people)
    missing = [user_id for user_id in dict.fromkeys(people) if user_id not in known]
    if not missing:
        return learnt
    cache_unknown(session, now, team_id, missing, fetch_user)
    return True


def _refuse(
    session: Session, credits: Sequence[NewCredit], params: dict[str, Any], words: Words
) -> None:
    """Raise the refusal of the first rule that does not hold, as the person should hear it."""
    rows = {row.user_id: row for row in session.execute(explanation(len(credits)), params)}
    answers = [rows[credit.helper_id] for credit in credits if credit.helper_id in rows]
    for row in answers:
        label = member_label(row.display_name, row.real_name, row.name, row.user_id)
        if not row.not_the_giver:
            raise SelfCreditError("You can't credit yourself. Credit the people who helped you.")
        if not row.a_person:
            raise NotAPersonError(_not_a_person(words, row.is_bot, label))
        if not row.giver_a_person:
            giver_id = credits[0].helped_id
            giver = find_members(session, row.team_id, [giver_id])[giver_id]
            raise NotAPersonError(_not_a_person(words, giver.is_bot, giver.label))
    for row in answers:
        if not row.under_cap:
            raise DailyLimitError(
                f"You've already credited <@{row.user_id}> "
                f"{counted(row.given_today, 'time')} today, the most a day allows. It will "
                "count again tomorrow; until then, a message to them says it just as well."
            )
        if not row.new_reason:
            raise RepeatedReasonError(
                f"You already credited <@{row.user_id}> for that today. If they helped "
                "again, say what they did this time."
            )


def _not_a_person(words: Words, is_bot: bool, label: str) -> str:
    return (words.bot if is_bot else words.deactivated).format(label=label)
