"""The fair-use rules and the one-statement path that records plainly fair credit.

`record_plainly_fair` decides in SQL what `check_fair_use` decides in Python, more strictly:
over any ledger it must never record what the full checks would refuse, and it must record
the plain case (the fast path really is the usual one).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import InputError, UnknownMemberError
from bot.models import Credit, Member, Workspace
from bot.services.fair_use import check_fair_use, standing
from bot.services.ledger import NewCredit, reason_key, record_plainly_fair
from bot.statements import InTransaction, Statements
from tests.support import statements_sent

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
GIVER = "U0GIVER00"
# Variants that the rule calls the same reason, and one that it does not.
REASONS = ("for the review", "For  the REVIEW", " for the review ", "for the demo")
_teams = itertools.count()


@dataclass(frozen=True)
class Earlier:
    helper: int
    reason: str | None
    hours_ago: float
    retracted: bool


@dataclass(frozen=True)
class Person:
    known: bool
    bot: bool
    deactivated: bool


# Mostly the plain case, so that the edges of the rules (the cap reached exactly, a reason
# used today) come up often; the rest now and then.
usually = st.sampled_from((True, True, True, True, False))
rarely = st.sampled_from((False, False, False, False, True))
people = st.builds(Person, usually, rarely, rarely)
earlier = st.builds(
    Earlier,
    st.integers(0, 1),
    st.sampled_from((None, *REASONS)),
    st.sampled_from((0.5, 3, 23.9, 24.1, 30)),  # either side of the day's window
    rarely,
)


def _seed(
    session: Session,
    team: str,
    cap: int,
    helpers: list[Person],
    giver_known: bool,
    history: list[Earlier],
) -> list[str]:
    session.execute(insert(Workspace).values(team_id=team, name=team, pair_daily_cap=cap))
    ids = [f"U0HELP{number:03d}" for number in range(len(helpers))]
    members = [
        {
            "team_id": team,
            "user_id": user_id,
            "is_bot": person.bot,
            "is_deactivated": person.deactivated,
        }
        for user_id, person in zip(ids, helpers, strict=True)
        if person.known
    ]
    if giver_known:
        members.append({"team_id": team, "user_id": GIVER})
    if members:
        session.execute(insert(Member), members)
    for number, credit in enumerate(history):
        if credit.helper >= len(ids):
            continue
        created = NOW - timedelta(hours=credit.hours_ago)
        session.execute(
            insert(Credit).values(
                team_id=team,
                helper_id=ids[credit.helper],
                helped_id=GIVER,
                kind="thanks",
                reason=credit.reason,
                reason_key=reason_key(credit.reason),
                values=[],
                source_key=f"earlier:{team}:{number}",
                created_at=created,
                retracted_at=created if credit.retracted else None,
            )
        )
    return ids


def _full_checks_allow(session: Session, team: str, credits: list[NewCredit]) -> bool:
    helpers = [credit.helper_id for credit in credits]

    def nobody(_user_id: str) -> None:
        return None

    try:
        giver = standing(session, NOW, team, GIVER, helpers, nobody)
        if not all(giver.people[helper].can_receive_credit for helper in helpers):
            return False
        return not check_fair_use(giver, credits)
    except (UnknownMemberError, InputError):
        return False


@settings(
    max_examples=300,
    deadline=None,
    # Each example has a workspace of its own, so the shared database needs no reset.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    cap=st.integers(1, 3),
    helpers=st.lists(people, min_size=1, max_size=3),
    giver_known=usually,
    history=st.lists(earlier, max_size=6),
    reason=st.sampled_from((None, *REASONS)),
    retry_of=st.none() | st.integers(0, 7),
)
def test_the_one_statement_path_never_records_what_the_rules_refuse(
    sessions: sessionmaker[Session],
    cap: int,
    helpers: list[Person],
    giver_known: bool,
    history: list[Earlier],
    reason: str | None,
    retry_of: int | None,
) -> None:
    team = f"T0PROP{next(_teams):05d}"
    with sessions.begin() as session:
        ids = _seed(session, team, cap, helpers, giver_known, history)
        credits = [
            NewCredit(
                helper_id=helper_id,
                helped_id=GIVER,
                kind="thanks",
                # A retry carries the key of a credit already in the ledger.
                source_key=f"earlier:{team}:{retry_of}"
                if retry_of is not None and number == 0
                else f"new:{team}:{helper_id}",
                reason=reason,
            )
            for number, helper_id in enumerate(ids)
        ]
        allowed = _full_checks_allow(session, team, credits)
        recorded = record_plainly_fair(InTransaction(session), team, credits, NOW)

    assert recorded in (0, len(credits))
    if recorded:
        assert allowed, "recorded in one statement what the full checks refuse"


def test_plain_thanks_take_one_statement(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        ids = _seed(session, "T0PLAIN01", 5, [Person(True, False, False)] * 2, True, [])
    credits = [
        NewCredit(
            helper_id=helper_id,
            helped_id=GIVER,
            kind="thanks",
            source_key=f"plain:{helper_id}",
            reason="for the review",
            values=("care",),
        )
        for helper_id in ids
    ]
    engine = sessions.kw["bind"]
    with statements_sent(engine) as statements, Statements(engine).connect() as run:
        assert record_plainly_fair(run, "T0PLAIN01", credits, NOW) == 2
    assert statements == ["INSERT"]

    with sessions() as session:
        rows = session.query(Credit).order_by(Credit.helper_id).all()
    assert [(row.helper_id, row.helped_id, row.values) for row in rows] == [
        (ids[0], GIVER, ["care"]),
        (ids[1], GIVER, ["care"]),
    ]
    assert {row.reason_key for row in rows} == {reason_key("For the review")}


@pytest.mark.parametrize(
    ("reason", "same"),
    [("For  the REVIEW", True), ("for the review!", False), ("   ", None), (None, None)],
)
def test_reason_keys_ignore_case_and_spacing(reason: str | None, same: bool | None) -> None:
    key = reason_key(reason)
    if same is None:
        assert key is None
    else:
        assert (key == reason_key("for the review")) is same
