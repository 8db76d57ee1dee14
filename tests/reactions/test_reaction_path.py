"""A credit emoji's path (bot.reactions.credit.reaction_added), held against what the rules
say in plain Python here, whatever the ledger holds, on both databases.

For random states (who is known, a bot or gone; marks already on the message; the credit live,
retracted or absent; the day's credits against the cap; a retried delivery; a removal that
arrived first) a reaction's answer and the rows it leaves must be the ones expected.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import JSON, Engine, event, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.models import Credit, Member, ProcessedEvent, ReactionMark, Workspace
from bot.reactions.credit import reaction_added
from bot.reactions.events import NOTHING, Reaction, ReactionOutcome

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
REACTOR, AUTHOR, CHANNEL, TS = "U0REACTOR", "U0AUTHOR0", "C0GENERAL", "1763890000.000100"
ADDED_AT = "1764000000.000500"
DEFAULT_EMOJI = ("pray", "raised_hands", "thankyou")
_teams = itertools.count()


@dataclass(frozen=True)
class State:
    reactor: str  # "active", "bot", "gone" or "unknown"
    author: str
    cap: int
    marks: tuple[str, ...]  # this reactor's emoji already on the message
    credit: str  # the message's credit from this reactor: "none", "live" or "retracted"
    credit_hours_ago: float
    earlier_today: int  # other credits from the reactor to the author in the last day
    retried: bool  # the event was delivered before
    quiet: bool  # the reactor turned confirmations off
    # The workspace's credit emoji as stored (None: the defaults), not always as the settings
    # would write them.
    credit_emoji: tuple[str, ...] | None = None
    # A removal of this very emoji that arrived before this add: none, or its event_ts,
    # newer or older than the add's (ADDED_AT).
    removed_at: str | None = None


kinds = st.sampled_from(("active", "active", "active", "bot", "gone", "unknown"))
states = st.builds(
    State,
    kinds,
    kinds,
    st.integers(1, 3),
    st.sampled_from(((), (), ("pray",), ("thankyou",), ("pray", "raised_hands"))),
    st.sampled_from(("none", "none", "live", "retracted")),
    st.sampled_from((1.0, 30.0)),
    st.integers(0, 3),
    st.sampled_from((False, False, False, True)),
    st.booleans(),
    st.sampled_from((None, None, (":Raised_Hands:", "+1"), ("thankyou",), ("thumbsup",), ())),
    st.sampled_from((None, None, "1764000000.000900", "1764000000.000100")),
)

# The one alias among the emoji below: a thumbs-up is sent as +1 and may be listed either way.
_ALIASES = {"thumbsup": "+1"}


def _name(emoji: str) -> str:
    bare = emoji.split("::")[0].strip(":").lower()
    return _ALIASES.get(bare, bare)


def _expected(state: State, emoji: str) -> tuple[ReactionOutcome, dict[str, Any]]:
    """The answer and the rows the rules call for, step by step."""
    listed = DEFAULT_EMOJI if state.credit_emoji is None else state.credit_emoji
    removal = {emoji: state.removed_at} if state.removed_at else {}
    marks = {mark: removal.get(mark) for mark in (*state.marks, *removal)}
    credit: tuple[bool, datetime] | None = None
    if state.credit != "none":
        credit = (state.credit == "live", NOW - timedelta(hours=state.credit_hours_ago))
    credits = state.earlier_today + (credit is not None)
    rows = {"credit": credit, "credits": credits, "marks": marks, "delivered": state.retried}
    if _name(emoji) not in {_name(name) for name in listed} or state.retried:
        return NOTHING, rows
    rows["delivered"] = True
    if state.removed_at is not None:
        if Decimal(state.removed_at) >= Decimal(ADDED_AT):
            return NOTHING, rows  # removed after this add: the emoji is gone
        del marks[emoji]
    if credit is not None and credit[0]:
        marks.setdefault(emoji, None)  # one more emoji on a message credited already
        return NOTHING, rows
    if state.reactor != "active" or state.author != "active":
        return NOTHING, rows  # nobody to credit, and no emoji to keep track of
    marks.setdefault(emoji, None)
    if state.earlier_today >= state.cap:
        refused = (
            f"You've already credited <@{AUTHOR}> {state.earlier_today} "
            f"time{'' if state.earlier_today == 1 else 's'} today"
        )
        return ReactionOutcome(refusal=refused), rows
    rows["credit"] = (True, credit[1] if credit is not None else NOW)
    rows["credits"] = state.earlier_today + 1
    return ReactionOutcome(credited=True, confirm=not state.quiet), rows


def _seed(session: Session, team: str, state: State, reaction: Reaction) -> None:
    chosen = {} if state.credit_emoji is None else {"credit_emoji": list(state.credit_emoji)}
    session.execute(
        insert(Workspace).values(team_id=team, name=team, pair_daily_cap=state.cap, **chosen)
    )
    for user_id, kind in ((REACTOR, state.reactor), (AUTHOR, state.author)):
        if kind != "unknown":
            session.execute(
                insert(Member).values(
                    team_id=team,
                    user_id=user_id,
                    is_bot=kind == "bot",
                    is_deactivated=kind == "gone",
                    reaction_confirmations_off=state.quiet and user_id == REACTOR,
                )
            )
    removal = {} if state.removed_at is None else {reaction.emoji: state.removed_at}
    for emoji in sorted({*state.marks, *removal}):
        session.execute(
            insert(ReactionMark).values(
                team_id=team,
                channel_id=CHANNEL,
                message_ts=TS,
                reactor_id=REACTOR,
                emoji=emoji,
                author_id=AUTHOR,
                created_at=NOW,
                removed_ts=removal.get(emoji),
            )
        )
    rows = [
        (f"earlier:{team}:{number}", NOW - timedelta(hours=2), None)
        for number in range(state.earlier_today)
    ]
    if state.credit != "none":
        created = NOW - timedelta(hours=state.credit_hours_ago)
        retracted = created if state.credit == "retracted" else None
        rows.append((reaction.source_key, created, retracted))
    for source_key, created, retracted in rows:
        session.execute(
            insert(Credit).values(
                team_id=team,
                helper_id=AUTHOR,
                helped_id=REACTOR,
                kind="reaction",
                values=[],
                source_key=source_key,
                created_at=created,
                retracted_at=retracted,
            )
        )
    if state.retried:
        session.execute(
            insert(ProcessedEvent).values(
                team_id=team,
                event_id=reaction.event_id,
                event_type="reaction_added",
                received_at=NOW - timedelta(seconds=5),
            )
        )


def _reaction(team: str, emoji: str) -> Reaction:
    return Reaction(
        team, "Ev0PROPERTY", "reaction_added", REACTOR, AUTHOR, emoji, CHANNEL, TS, ADDED_AT
    )


def _nobody(_user_id: str) -> None:
    return None  # Slack knows nobody the members cache does not


def _rows(session: Session, team: str, reaction: Reaction) -> dict[str, Any]:
    credit = session.execute(
        select(Credit.retracted_at, Credit.created_at).where(
            Credit.source_key == reaction.source_key
        )
    ).first()
    marks = select(ReactionMark.emoji, ReactionMark.removed_ts).where(ReactionMark.team_id == team)
    delivered = select(ProcessedEvent.event_id).where(ProcessedEvent.team_id == team)
    return {
        "credit": None if credit is None else (credit.retracted_at is None, credit.created_at),
        "credits": len(session.scalars(select(Credit.id).where(Credit.team_id == team)).all()),
        "marks": {row.emoji: row.removed_ts for row in session.execute(marks)},
        "delivered": session.scalar(delivered) is not None,
    }


def _react(sessions: sessionmaker[Session], reaction: Reaction) -> ReactionOutcome:
    with sessions.begin() as session:
        return reaction_added(session, NOW, reaction, _nobody)


@settings(
    deadline=None,
    # Each example has a workspace of its own, so the shared database needs no reset.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
# The edges, on every run: a retracted credit comes back; the cap reached exactly; a retried
# delivery; a removal, delivered first, newer than the add.
@example(state=State("active", "active", 1, (), "retracted", 30.0, 0, False, False), emoji="pray")
@example(state=State("active", "active", 2, (), "none", 1.0, 2, False, False), emoji="pray")
@example(state=State("active", "active", 1, (), "none", 1.0, 0, True, False), emoji="pray")
@example(
    state=State("active", "active", 1, (), "none", 1.0, 0, False, False, None, "1764000000.000900"),
    emoji="pray",
)
@given(state=states, emoji=st.sampled_from(("raised_hands::skin-tone-2", "pray", "+1", "thumbsup")))
def test_a_reaction_does_what_the_rules_say(
    sessions: sessionmaker[Session], state: State, emoji: str
) -> None:
    team = f"T0REACT{next(_teams):05d}"
    reaction = _reaction(team, emoji)
    with sessions.begin() as session:
        _seed(session, team, state, reaction)
    outcome = _react(sessions, reaction)
    with sessions() as session:
        rows = _rows(session, team, reaction)
    expected, expected_rows = _expected(state, emoji)
    if expected.refusal is not None:
        assert outcome.refusal is not None and outcome.refusal.startswith(expected.refusal)
        assert not outcome.credited
    else:
        assert outcome == expected
    assert rows == expected_rows


def test_a_workspace_whose_emoji_are_a_json_null_credits_no_emoji(
    sessions: sessionmaker[Session],
) -> None:
    # The column is NOT NULL, but JSON's null is a value it takes.
    team = f"T0NOLIST{next(_teams):04d}"
    reaction = _reaction(team, "pray")
    state = State("active", "active", 5, (), "none", 1.0, 0, False, False)
    with sessions.begin() as session:
        _seed(session, team, state, reaction)
        session.execute(
            update(Workspace).where(Workspace.team_id == team).values(credit_emoji=JSON.NULL)
        )
    assert _react(sessions, reaction) == NOTHING


def test_a_workspace_new_to_goodwill_is_created_and_credits(
    sessions: sessionmaker[Session],
) -> None:
    team = f"T0NEWWS{next(_teams):05d}"
    people = {
        REACTOR: {"id": REACTOR, "team_id": team, "name": "reactor"},
        AUTHOR: {"id": AUTHOR, "team_id": team, "name": "author"},
    }
    with sessions.begin() as session:
        outcome = reaction_added(session, NOW, _reaction(team, "pray"), people.get)
    assert outcome == ReactionOutcome(credited=True, confirm=True)


def test_the_reactors_lock_is_taken_once(sessions: sessionmaker[Session]) -> None:
    """Taken before the delivery is recorded, and not again when the credit is written."""
    engine: Engine = sessions.kw["bind"]
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes no advisory locks: its transactions take the write lock")
    team = f"T0LOCK{next(_teams):05d}"
    reaction = _reaction(team, "pray")
    state = State("active", "active", 5, (), "none", 1.0, 0, False, False)
    with sessions.begin() as session:
        _seed(session, team, state, reaction)
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert _react(sessions, reaction) == ReactionOutcome(credited=True, confirm=True)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert sum("pg_advisory_xact_lock" in statement for statement in sent) == 1
