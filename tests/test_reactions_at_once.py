"""The one-statement reaction path agrees with the full path, whatever the ledger holds.

For random states (who is known, a bot or gone; marks already on the message; the credit live,
retracted or absent; the day's credits against the cap; a retried delivery) the same reaction
goes through `react_at_once` (falling back to `reaction_added`) in one workspace and through
`reaction_added` alone in an identical one: the answers and the resulting rows must match.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import JSON, Engine, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.models import Credit, Member, ProcessedEvent, ReactionMark, Workspace
from bot.services.reaction_events import NOTHING, Reaction, ReactionOutcome
from bot.services.reactions import reaction_added
from bot.services.reactions_at_once import react_at_once
from bot.statements import Statements
from tests.support import statements_sent

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
REACTOR, AUTHOR, CHANNEL, TS = "U0REACTOR", "U0AUTHOR0", "C0GENERAL", "1763890000.000100"
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


states = st.builds(
    State,
    st.sampled_from(("active", "active", "active", "bot", "gone", "unknown")),
    st.sampled_from(("active", "active", "active", "bot", "gone", "unknown")),
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


ADDED_AT = "1764000000.000500"


def _reaction(team: str, emoji: str) -> Reaction:
    return Reaction(
        team, "Ev0PROPERTY", "reaction_added", REACTOR, AUTHOR, emoji, CHANNEL, TS, ADDED_AT
    )


def _nobody(_user_id: str) -> None:
    return None


def _result(session: Session, team: str, reaction: Reaction) -> dict[str, Any]:
    credit = session.execute(
        select(Credit.retracted_at, Credit.created_at).where(
            Credit.source_key == reaction.source_key
        )
    ).first()
    return {
        "credit": None if credit is None else (credit.retracted_at is None, credit.created_at),
        "credits": len(session.scalars(select(Credit.id).where(Credit.team_id == team)).all()),
        "marks": sorted(
            (row.emoji, row.removed_ts)
            for row in session.execute(
                select(ReactionMark.emoji, ReactionMark.removed_ts).where(
                    ReactionMark.team_id == team
                )
            )
        ),
        "delivered": session.scalar(
            select(ProcessedEvent.event_id).where(ProcessedEvent.team_id == team)
        ),
    }


def _full(sessions: sessionmaker[Session], reaction: Reaction) -> ReactionOutcome:
    with sessions.begin() as session:
        return reaction_added(session, NOW, reaction, _nobody)


def _at_once(sessions: sessionmaker[Session], reaction: Reaction) -> ReactionOutcome:
    engine: Engine = sessions.kw["bind"]
    with Statements(engine).connect() as run:
        outcome = react_at_once(run, NOW, reaction)
    return outcome if outcome is not None else _full(sessions, reaction)


@settings(
    max_examples=200,
    deadline=None,
    # Each example has workspaces of its own, so the shared database needs no reset.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(state=states, emoji=st.sampled_from(("raised_hands::skin-tone-2", "pray", "+1", "thumbsup")))
def test_at_once_and_full_paths_agree(
    sessions: sessionmaker[Session], state: State, emoji: str
) -> None:
    number = next(_teams)
    teams = {"at once": f"T0ONCE{number:05d}", "full": f"T0FULL{number:05d}"}
    results = {}
    for path, team in teams.items():
        reaction = _reaction(team, emoji)
        with sessions.begin() as session:
            _seed(session, team, state, reaction)
        run = _at_once if path == "at once" else _full
        outcome = run(sessions, reaction)
        with sessions() as session:
            results[path] = (outcome, _result(session, team, reaction))
    (once, once_rows), (full, full_rows) = results["at once"], results["full"]
    assert once == full
    assert once_rows["credit"] == full_rows["credit"]
    assert once_rows["credits"] == full_rows["credits"]
    assert once_rows["marks"] == full_rows["marks"]
    assert (once_rows["delivered"] is None) == (full_rows["delivered"] is None)


@pytest.mark.parametrize(
    ("emoji", "outcome"),
    [("pray", ReactionOutcome(credited=True, confirm=True)), ("+1", NOTHING)],
)
def test_a_reaction_takes_one_statement(
    sessions: sessionmaker[Session], emoji: str, outcome: ReactionOutcome
) -> None:
    """A first credit emoji, and any other emoji, each in one round trip (PostgreSQL)."""
    team = f"T0PLAIN{next(_teams):05d}"
    reaction = _reaction(team, emoji)
    state = State("active", "active", 5, (), "none", 1.0, 0, False, False)
    with sessions.begin() as session:
        _seed(session, team, state, reaction)
    engine: Engine = sessions.kw["bind"]
    with statements_sent(engine) as statements, Statements(engine).connect() as run:
        answer = react_at_once(run, NOW, reaction)
    if engine.dialect.name == "postgresql":
        assert answer == outcome
        assert statements == ["WITH"]
    else:  # SQLite takes the full path, with no round trips to save
        assert answer is None
        assert statements == []


def test_a_workspace_without_its_row_takes_the_full_path(
    sessions: sessionmaker[Session],
) -> None:
    engine: Engine = sessions.kw["bind"]
    with Statements(engine).connect() as run:
        assert react_at_once(run, NOW, _reaction("T0NOROW01", "pray")) is None


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
    assert _at_once(sessions, reaction) == NOTHING == _full(sessions, reaction)


def test_the_full_path_takes_the_reactors_lock_once(sessions: sessionmaker[Session]) -> None:
    """Taken before the delivery is recorded, and not again when the day is read."""
    engine: Engine = sessions.kw["bind"]
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes no advisory locks: its transactions take the write lock")
    team = f"T0LOCK{next(_teams):05d}"
    reaction = _reaction(team, "pray")
    state = State("active", "active", 5, (), "none", 1.0, 0, False, False)
    with sessions.begin() as session:
        _seed(session, team, state, reaction)
    sent: list[str] = []
    execute = psycopg.Cursor.execute

    def recorded(cursor: psycopg.Cursor[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(query.decode() if isinstance(query, bytes) else str(query))
        return execute(cursor, query, *args, **kwargs)

    with mock.patch.object(psycopg.Cursor, "execute", recorded):
        assert _full(sessions, reaction) == ReactionOutcome(credited=True, confirm=True)
    assert sum("pg_advisory_xact_lock" in query for query in sent) == 1
