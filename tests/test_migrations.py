"""Alembic's history builds, tears down and rebuilds the schema, and matches the models."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import bindparam, insert, inspect, select, text

from bot.channels.kinds import QUOTES_LOOK_BACK
from bot.db import alembic_config, make_engine
from bot.ledger.credits import reason_key
from bot.models import (
    FULL_TEXT_INDEXES,
    FULL_TEXT_TABLES,
    Base,
    Credit,
    UTCDateTime,
    Workspace,
)
from bot.slack.installations import SLACK_METADATA
from tests.conftest import BACKENDS
from tests.support import scratch_postgresql


@pytest.fixture(params=BACKENDS)
def scratch_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database of its own: going down to base must not touch the other tests' data."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('migrations') / 'scratch.db'}"
        return
    with scratch_postgresql("goodwill_migrations") as url:
        yield url


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {
            name
            for name in inspect(engine).get_table_names()
            if name != "alembic_version" and not name.startswith(FULL_TEXT_TABLES)
        }
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(scratch_url: str) -> None:
    config = alembic_config(scratch_url)
    command.upgrade(config, "head")
    every_table = set(Base.metadata.tables) | set(SLACK_METADATA.tables)
    assert _tables(scratch_url) == every_table
    command.downgrade(config, "base")
    assert _tables(scratch_url) == set()
    command.upgrade(config, "head")
    assert _tables(scratch_url) == every_table


def _not_full_text(
    thing: object, name: str | None, kind: str, _reflected: bool, _compare_to: object
) -> bool:
    """The full-text pieces are each database's own (migration 0025), not the models'."""
    if kind == "index":
        return name not in FULL_TEXT_INDEXES
    if kind == "table":
        return not (name or "").startswith(FULL_TEXT_TABLES)
    return True


def test_models_and_migrations_agree(scratch_url: str) -> None:
    command.upgrade(alembic_config(scratch_url), "head")
    engine = make_engine(scratch_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": _not_full_text}
            )
            differences = compare_metadata(context, [Base.metadata, SLACK_METADATA])
    finally:
        engine.dispose()
    assert differences == []


def test_covering_columns_match_the_models(scratch_url: str) -> None:
    """Alembic's autogenerate compares an index's keys but not PostgreSQL's INCLUDE columns,
    so they are held against the models here. SQLite has no INCLUDE and must show none."""
    command.upgrade(alembic_config(scratch_url), "head")
    engine = make_engine(scratch_url)
    try:
        postgresql = engine.dialect.name == "postgresql"
        inspector = inspect(engine)
        for table in Base.metadata.sorted_tables:
            reflected = {
                index["name"]: index.get("dialect_options", {}).get("postgresql_include", [])
                for index in inspector.get_indexes(table.name)
            }
            for index in table.indexes:
                declared = index.dialect_options["postgresql"]["include"] or []
                assert reflected[index.name] == (declared if postgresql else []), index.name
    finally:
        engine.dispose()
    assert any(index.dialect_options["postgresql"]["include"] for index in Credit.__table__.indexes)


def test_one_head() -> None:
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1


def test_upgrading_keeps_every_row(scratch_url: str) -> None:
    """Rows written under the first schema survive every later migration, on both databases.

    SQLite's batch mode rebuilds tables; with foreign keys enforced that would cascade-delete
    child rows, which is why migrations run with enforcement off and check afterwards.
    """
    config = alembic_config(scratch_url)
    command.upgrade(config, "0001")
    engine = make_engine(scratch_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO workspaces (team_id, name, credit_emoji) VALUES ('T1', 'a', '[]')"
                )
            )
            conn.execute(text("INSERT INTO members (team_id, user_id) VALUES ('T1', 'U1')"))
            conn.execute(text("INSERT INTO members (team_id, user_id) VALUES ('T1', 'U2')"))
            conn.execute(
                text(
                    'INSERT INTO credits (team_id, helper_id, helped_id, kind, weight, "values",'
                    " source_key) VALUES ('T1', 'U1', 'U2', 'thanks', 1, '[]', 'k1')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO processed_events (team_id, event_id, event_type)"
                    " VALUES ('T1', 'Ev1', 'team_join')"
                )
            )
        command.upgrade(config, "head")
        with engine.connect() as conn:
            counts = {
                table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                for table in ("workspaces", "members", "credits", "processed_events")
            }
    finally:
        engine.dispose()
    assert counts == {"workspaces": 1, "members": 2, "credits": 1, "processed_events": 1}


def test_the_last_days_reasons_get_their_keys(scratch_url: str) -> None:
    """Migration 0008: the reasons the fair-use rule can still compare get `reason_key`."""
    config = alembic_config(scratch_url)
    command.upgrade(config, "0007")
    now = datetime.now(UTC)
    engine = make_engine(scratch_url)
    try:
        with engine.begin() as conn:
            conn.execute(insert(Workspace).values(team_id="T1", name="a"))
            for key, reason, age in [
                ("recent", "For  the Review", timedelta(hours=3)),
                ("silent", None, timedelta(hours=3)),
                ("old", "for the review", timedelta(days=30)),
            ]:
                conn.execute(
                    text(
                        "INSERT INTO credits (team_id, helper_id, helped_id, kind, weight,"
                        ' "values", reason, source_key, created_at)'
                        " VALUES ('T1', 'U1', 'U2', 'thanks', 1, '[]', :reason, :key, :created)"
                    ).bindparams(bindparam("created", type_=UTCDateTime())),
                    {"reason": reason, "key": key, "created": now - age},
                )
        command.upgrade(config, "head")
        with engine.connect() as conn:
            keys = dict(conn.execute(select(Credit.source_key, Credit.reason_key)).all())
    finally:
        engine.dispose()
    assert keys == {"recent": reason_key("for the review"), "silent": None, "old": None}


def test_credits_that_said_nothing_about_quoting_stay_private(scratch_url: str) -> None:
    """Migration 0015: a NULL `quotable` meant private (a favour logged privately, a
    reaction, a credit from before 0013); it now means not known yet, which the scheduler
    asks Slack about within a week and a half. The NULLs of the last month become false, older
    ones stay as they are, out of the job's reach, and a row that says nothing is false."""
    config = alembic_config(scratch_url)
    command.upgrade(config, "0014")
    now = datetime.now(UTC)
    engine = make_engine(scratch_url)
    insert_credit = text(
        'INSERT INTO credits (team_id, helper_id, helped_id, kind, weight, "values", reason,'
        " channel_id, source_key, created_at) VALUES ('T1', 'U1', 'U2', 'favor', 1, '[]',"
        " 'a lift', 'C1', :key, :created)"
    ).bindparams(bindparam("created", type_=UTCDateTime()))
    try:
        with engine.begin() as conn:
            conn.execute(insert(Workspace).values(team_id="T1", name="a"))
            conn.execute(insert_credit, {"key": "recent", "created": now - timedelta(days=29)})
            conn.execute(insert_credit, {"key": "old", "created": now - timedelta(days=31)})
            conn.execute(text("UPDATE credits SET quotable = NULL"))
        command.upgrade(config, "head")
        with engine.begin() as conn:
            conn.execute(insert_credit, {"key": "after", "created": now})
            flags = dict(conn.execute(select(Credit.source_key, Credit.quotable)).all())
    finally:
        engine.dispose()
    assert flags == {"recent": False, "old": None, "after": False}
    assert timedelta(days=30) > QUOTES_LOOK_BACK  # the job never meets the old NULLs
