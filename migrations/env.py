"""Alembic environment: one migration history for SQLite and PostgreSQL."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from bot.config import database_url_of
from bot.db import make_engine
from bot.models import Base
from bot.slack.installations import SLACK_METADATA

# Goodwill's tables, and slack_sdk's installation and OAuth state stores' tables.
target_metadata = [Base.metadata, SLACK_METADATA]


def _database_url() -> str:
    # Set by bot.db.migrate; when Alembic is run by hand, read as the bot reads it.
    url = context.config.get_main_option("sqlalchemy.url")
    return url or database_url_of(os.environ.get("DATABASE_URL"))


def run_migrations_offline() -> None:
    context.configure(
        url=_database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_database_url(), enforce_foreign_keys=False)
    try:
        with engine.connect() as conn:
            _run(conn)
            if conn.dialect.name == "sqlite":
                _check_foreign_keys(conn)
    finally:
        engine.dispose()


def _check_foreign_keys(conn: Connection) -> None:
    """With SQLite's enforcement off during the migration, check what it would have caught."""
    problems = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    conn.rollback()
    if problems:
        raise RuntimeError(f"the migration left rows without their parent rows: {problems[:5]}")


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite alters tables by copying them; batch mode does that for us.
        render_as_batch=True,
        compare_type=True,
        # Autogenerate writes UTCDateTime as bot.models.UTCDateTime, as the revisions spell it,
        # not by the private module that defines it (bot.models._base).
        user_module_prefix="bot.models.",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
