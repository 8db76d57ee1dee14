"""Single statements (bot.statements): on PostgreSQL they go to psycopg directly, with the
column types' conversions, SQLAlchemy's errors, and a dead connection dropped from the pool;
on SQLite they run through SQLAlchemy in a transaction. Both give the same rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, bindparam, exc, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine
from bot.models import Credit, Workspace
from bot.services.ledger import sql_param
from bot.statements import InTransaction, Statements

TEAM = "T0STMTS01"
WHEN = datetime(2026, 11, 30, 9, 15, 30, 123456, tzinfo=UTC)

_COLUMNS = ("team_id", "helper_id", "helped_id", "kind", "weight", "reason", "values")
_CREDIT = (
    insert(Credit)
    .values({name: sql_param(Credit.__table__.c[name]) for name in (*_COLUMNS, "source_key")})
    .values(created_at=sql_param(Credit.__table__.c.created_at))
    .returning(Credit.id, Credit.values, Credit.created_at)
)
_BACKEND = select(text("pg_backend_pid() AS pid"))
_SLOT = select(bindparam("slot", type_=Credit.__table__.c.weight.type).label("slot"))


def _credit(source_key: str) -> dict[str, object]:
    return {
        "team_id": TEAM,
        "helper_id": "U0HELPER1",
        "helped_id": "U0HELPED1",
        "kind": "thanks",
        "weight": 2,
        "reason": "for the review",
        "values": ["care", "quality"],
        "source_key": source_key,
        "created_at": WHEN,
    }


@pytest.fixture
def statements(sessions: sessionmaker[Session]) -> Statements:
    with sessions.begin() as session:
        session.add(Workspace(team_id=TEAM))
    return Statements(sessions.kw["bind"])


def test_rows_come_back_with_the_columns_types_as_sqlalchemy_gives_them(
    statements: Statements, sessions: sessionmaker[Session]
) -> None:
    with statements.connect() as run:
        (row,) = run.rows(_CREDIT, _credit("stmts:types"))
    with sessions() as session:
        stored = session.execute(select(Credit).where(Credit.id == row.id)).scalar_one()
        (again,) = InTransaction(session).rows(
            select(Credit.id, Credit.values, Credit.created_at).where(Credit.id == row.id), {}
        )
    assert (stored.values, stored.created_at, stored.weight) == (["care", "quality"], WHEN, 2)
    assert (row.values, row.created_at) == (again.values, again.created_at)


def test_a_refused_statement_raises_sqlalchemys_error_and_the_connection_goes_on(
    statements: Statements,
) -> None:
    with statements.connect() as run:
        run.rows(_CREDIT, _credit("stmts:twice"))
        with pytest.raises(exc.IntegrityError):
            run.rows(_CREDIT, _credit("stmts:twice"))
        # Autocommit: nothing was left aborted, the next statement runs.
        assert run.rows(_SLOT, {"slot": 3})[0].slot == 3


def test_a_connection_postgresql_killed_is_dropped_and_the_next_one_is_new(
    engine: Engine,
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to lose")
    # A pool of its own, used one connection at a time: it holds one connection.
    alone = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        _lose_and_replace(Statements(alone), engine)
    finally:
        alone.dispose()


def _lose_and_replace(statements: Statements, engine: Engine) -> None:
    with statements.connect() as run:
        dead = run.rows(_BACKEND, {})[0].pid
    with engine.connect() as admin:
        assert admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dead}).scalar()

    with pytest.raises(exc.DBAPIError) as raised, statements.connect() as run:
        run.rows(_BACKEND, {})
    assert raised.value.connection_invalidated

    with statements.connect() as run:
        assert run.rows(_BACKEND, {})[0].pid != dead
