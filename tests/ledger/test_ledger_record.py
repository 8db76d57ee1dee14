"""The one write path of a credit (bot.ledger.record), held against the fair-use rules as
plain Python states them here, on both databases.

Over any ledger the guarded statement writes exactly what the rules allow, helper by helper,
and the explanation names, for each helper not written, the first rule that refused them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import (
    DailyLimitError,
    InputError,
    NotAPersonError,
    RepeatedReasonError,
    UnknownMemberError,
)
from bot.ledger import rules
from bot.ledger.credits import NewCredit, reason_key
from bot.ledger.record import Recorded, Skipped, Why, record, record_each
from bot.models import Credit, Member, Workspace
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


def nobody(_user_id: str) -> None:
    return None  # Slack knows nobody the members cache does not


Outcome = type[InputError] | Recorded


def _expected(
    cap: int,
    helpers: list[Person],
    giver_known: bool,
    history: list[Earlier],
    reason: str | None,
    retry: bool,
    ids: list[str],
) -> Outcome:
    """What the rules say, in plain words, helper by helper: who is credited, who is skipped
    and why, or the refusal of the whole request."""
    if retry:
        return Recorded(before=True)
    if not giver_known:
        return UnknownMemberError
    wanted = " ".join((reason or "").casefold().split())
    written: list[str] = []
    skipped: list[Skipped] = []
    for number, (user_id, person) in enumerate(zip(ids, helpers, strict=False)):
        today = [
            credit
            for credit in history
            if credit.helper == number and not credit.retracted and credit.hours_ago < 24
        ]
        said = {" ".join((credit.reason or "").casefold().split()) for credit in today}
        if not person.known:
            skipped.append(Skipped(user_id, Why.NOT_A_MEMBER))
        elif person.bot:
            skipped.append(Skipped(user_id, Why.BOT, user_id, len(today)))
        elif person.deactivated:
            skipped.append(Skipped(user_id, Why.DEACTIVATED, user_id, len(today)))
        elif len(today) >= cap:
            skipped.append(Skipped(user_id, Why.DAILY_LIMIT, user_id, len(today)))
        elif wanted and wanted in said:
            skipped.append(Skipped(user_id, Why.SAME_REASON, user_id, len(today)))
        else:
            written.append(user_id)
    return Recorded(written=tuple(written), skipped=tuple(skipped))


def _refused(expected: Outcome) -> type[InputError] | int:
    """What `record`, for callers with one answer, makes of it: a count or the first refusal."""
    if not isinstance(expected, Recorded):
        return expected
    if expected.written or not expected.skipped:
        return len(expected.written)
    first = min(expected.skipped, key=lambda item: list(Why).index(item.why))
    return {
        Why.NOT_A_MEMBER: UnknownMemberError,
        Why.BOT: NotAPersonError,
        Why.DEACTIVATED: NotAPersonError,
        Why.DAILY_LIMIT: DailyLimitError,
        Why.SAME_REASON: RepeatedReasonError,
    }[first.why]


ANYONE = Person(known=True, bot=False, deactivated=False)


def _edge(
    cap: int,
    history: list[Earlier],
    helpers: tuple[Person, ...] = (ANYONE,),
    reason: str | None = None,
) -> Any:
    """An explicit example: the giver known, no retry."""
    return example(
        cap=cap,
        helpers=list(helpers),
        giver_known=True,
        history=history,
        reason=reason,
        retry_of=None,
        one_answer=False,
    )


@settings(
    deadline=None,
    # Each example has a workspace of its own, so the shared database needs no reset.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
# The edge of each rule, on every run; random examples find these only now and then.
# The cap reached exactly, one credit of the two just inside the day's window:
@_edge(2, [Earlier(0, None, 23.9, False), Earlier(0, None, 3, False)], reason="for the demo")
# A retracted credit, and one just outside the window, do not count:
@_edge(1, [Earlier(0, None, 3, True)])
@_edge(2, [Earlier(0, None, 23.9, False), Earlier(0, None, 24.1, False)])
# The same reason in other words; one helper at the cap, the other credited; a former member:
@_edge(3, [Earlier(0, "for the review", 3, False)], reason="For  the REVIEW")
@_edge(1, [Earlier(1, None, 3, False)], helpers=(ANYONE, ANYONE))
@_edge(3, [], helpers=(Person(known=True, bot=False, deactivated=True),))
@given(
    cap=st.integers(1, 3),
    helpers=st.lists(people, min_size=1, max_size=3),
    giver_known=usually,
    history=st.lists(earlier, max_size=6),
    reason=st.sampled_from((None, *REASONS)),
    retry_of=st.none() | st.integers(0, 7),
    one_answer=st.booleans(),
)
def test_the_statement_writes_exactly_what_the_rules_allow(
    sessions: sessionmaker[Session],
    cap: int,
    helpers: list[Person],
    giver_known: bool,
    history: list[Earlier],
    reason: str | None,
    retry_of: int | None,
    one_answer: bool,
) -> None:
    _hold_against_the_rules(
        sessions, cap, helpers, giver_known, history, reason, retry_of, one_answer
    )


def _hold_against_the_rules(
    sessions: sessionmaker[Session],
    cap: int,
    helpers: list[Person],
    giver_known: bool,
    history: list[Earlier],
    reason: str | None,
    retry_of: int | None,
    one_answer: bool,
) -> None:
    team = f"T0PROP{next(_teams):05d}"
    with sessions.begin() as session:
        ids = _seed(session, team, cap, helpers, giver_known, history)
    # A retry carries the key of a credit already in the ledger.
    retry = retry_of is not None and retry_of < len(history) and history[retry_of].helper < len(ids)
    credits = [
        NewCredit(
            helper_id=helper_id,
            helped_id=GIVER,
            kind="thanks",
            source_key=f"earlier:{team}:{retry_of}" if retry else f"new:{team}:{helper_id}",
            reason=reason,
        )
        for helper_id in ids
    ]
    if retry:  # every credit of a request retried carries its key
        credits = credits[:1]
    expected = _expected(cap, helpers[: len(credits)], giver_known, history, reason, retry, ids)
    outcome: Outcome | int
    try:
        with sessions.begin() as session:
            if one_answer:
                outcome = record(session, NOW, team, credits, nobody)
            else:
                outcome = record_each(session, NOW, team, credits, nobody)
    except InputError as refusal:
        outcome = type(refusal)
    with sessions() as session:
        written = set(
            session.scalars(
                select(Credit.helper_id).where(
                    Credit.team_id == team, Credit.source_key.like("new:%")
                )
            )
        )
    assert outcome == (_refused(expected) if one_answer else expected)
    credited = expected.written if isinstance(expected, Recorded) else ()
    assert written == set(credited)


def test_the_property_fails_when_a_rule_is_left_out(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Held against a statement that forgets the same-reason rule, the property fails: it can
    tell a guard that holds from one that does not."""
    kept = rules.rules

    def forgetful(people: Any) -> dict[str, Any]:
        found = kept(people)
        found["new_reason"] = found["not_the_giver"]
        return found

    monkeypatch.setattr(rules, "rules", forgetful)
    rules.guarded_insert.cache_clear()
    try:
        with pytest.raises(AssertionError):
            _hold_against_the_rules(
                sessions,
                3,
                [ANYONE, ANYONE],
                True,
                [Earlier(1, "for the review", 3, False)],
                "for the review",
                None,
                one_answer=False,
            )
    finally:
        rules.guarded_insert.cache_clear()
        rules.explanation.cache_clear()


def test_plain_thanks_take_the_lock_and_one_statement(sessions: sessionmaker[Session]) -> None:
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
    with statements_sent(engine) as statements, sessions.begin() as session:
        assert record(session, NOW, "T0PLAIN01", credits, nobody) == 2
    locked = ["SELECT"] if engine.dialect.name == "postgresql" else []
    assert statements == [*locked, "INSERT"]

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
