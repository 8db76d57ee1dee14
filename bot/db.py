"""Engines, sessions and migrations for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, exc, make_url
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from bot.models import Base

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def make_engine(database_url: str, *, enforce_foreign_keys: bool = True, **kwargs: Any) -> Engine:
    """An engine for `database_url`.

    `enforce_foreign_keys=False` is for migrations on SQLite only: Alembic's batch mode
    rebuilds a table by copying it and dropping the original, and with foreign keys on,
    dropping a parent table deletes every child row through ON DELETE CASCADE.
    """
    if database_url.startswith("sqlite"):
        return _sqlite_engine(database_url, enforce_foreign_keys, **kwargs)
    kwargs["connect_args"] = {
        **OUTAGE_LIMITS,
        **kwargs.get("connect_args", {}),
        "options": _without_jit(database_url),
    }
    engine = create_engine(database_url, **kwargs)
    _ping_after_idle(engine)
    _limit_statements_while_answering(engine)
    return engine


# How long a PostgreSQL that is down, restarting or cut off can keep anyone waiting, so that a
# person is told "nothing was recorded, try again in a moment" within Slack's 3 seconds
# (bot.slack.failures) rather than Slack's own error: a connection is given up after 2 s
# (libpq counts whole seconds), and one whose server stopped answering (no reset, as when a
# host or a link goes down) once what it sent is 2 s without acknowledgement, or, idle, after
# 3 keepalives 1 s apart following 5 s of silence. A slow statement is not cut short by these:
# the server acknowledges what it receives at once, however long it then works.
OUTAGE_LIMITS: dict[str, Any] = {
    "connect_timeout": 2,
    "tcp_user_timeout": 2_000,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 1,
    "keepalives_count": 3,
}
# The longest a statement may run while a person waits for the answer (Slack gives 3 seconds):
# a lock held elsewhere, or a server too busy to answer, then turns into "try again in a
# moment". The scheduler, which nobody waits for, keeps PostgreSQL's default, no limit.
ANSWERING_STATEMENT_TIMEOUT_MS = 2_000
_answering: ContextVar[bool] = ContextVar("answering", default=False)


def answering_a_person() -> None:
    """From now on, in this context, statements on PostgreSQL give up after
    ANSWERING_STATEMENT_TIMEOUT_MS. The Bolt app calls it in a context of each request's own
    (bot.slack.app), so nothing else that runs in the thread afterwards is limited."""
    _answering.set(True)


def _limit_statements_while_answering(engine: Engine) -> None:
    """Each connection's statement_timeout set to what its user needs when it is handed out,
    and only when that changes: a pool shared by requests and the scheduler pays one SET when a
    connection moves from one to the other, not one per transaction."""

    @event.listens_for(engine, "connect")
    def _fresh(_dbapi_connection: Any, record: Any) -> None:
        record.info["answering"] = False

    @event.listens_for(engine, "checkout")
    def _set_timeout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        answering = _answering.get()
        if record.info.get("answering", False) == answering:
            return
        # RESET returns to the connection's own setting: the server's, or the URL's options.
        statement = (
            f"SET statement_timeout = {ANSWERING_STATEMENT_TIMEOUT_MS}"
            if answering
            else "RESET statement_timeout"
        )
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute(statement)
            dbapi_connection.commit()
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError() from error
        record.info["answering"] = answering


# A pooled connection idle for longer than this is checked before it is used again.
PING_AFTER_IDLE_SECONDS = 10.0


def _ping_after_idle(engine: Engine) -> None:
    """Check a connection that sat idle before handing it out, as `pool_pre_ping` would.

    `pool_pre_ping` checks every checkout: a round trip to PostgreSQL for every request,
    a large share of a /thanks under load (bench.thanks_http). A connection in steady use
    was just shown to work; one that sat idle is where a restarted server or a dropped link
    hides. Should PostgreSQL restart under steady load, the next statement on each busy
    connection fails once, and SQLAlchemy then discards every connection of the old pool.
    """

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool drops this connection and checks out a fresh one in its place.
            raise exc.DisconnectionError() from error


def _without_jit(database_url: str) -> str:
    """The connection's server options, with PostgreSQL's JIT compiler off.

    JIT compiles a statement when its estimated cost passes `jit_above_cost`, and the
    digest's and nudges' estimates pass it (one of them by misjudging 300 pairs as 10,000):
    compiling them took longer than JIT ever saved on statements that probe
    indexes and sort small groups (bench.rhythm, docs/BENCHMARKS.md). Options already in the
    URL are kept.
    """
    given = make_url(database_url).query.get("options", ())
    options = [given] if isinstance(given, str) else list(given)
    return " ".join([*options, "-c jit=off"])


def _sqlite_engine(database_url: str, enforce_foreign_keys: bool, **kwargs: Any) -> Engine:
    engine = create_engine(database_url, connect_args={"timeout": 30}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin...
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys={'ON' if enforce_foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # Balances decay in SQL with power(), which SQLite has only when built with its math
        # functions; registering it makes every build answer the same.
        dbapi_connection.create_function("power", 2, _sqlite_power, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # ...and take the write lock up front: two deferred transactions that both read and
        # then write would deadlock, and SQLite answers that with "database is locked".
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _sqlite_power(base: float | None, exponent: float | None) -> float | None:
    if base is None or exponent is None:
        return None
    try:
        return math.pow(base, exponent)
    except (OverflowError, ValueError):
        return None


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Alembic's config is an .ini parser: a literal % in a URL (escaped passwords) must be doubled.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def migrate(database_url: str, revision: str = "head") -> None:
    """Bring the schema to `revision` (by default the newest)."""
    command.upgrade(alembic_config(database_url), revision)


def insert_new(
    session: Session, model: type[Base], rows: Sequence[Mapping[str, Any]], conflict: Sequence[str]
) -> int:
    """Insert the rows whose `conflict` key is not there yet; return how many were new.

    A concurrent transaction inserting the same key makes this one wait and then skip the
    row, on both databases, which is what makes retried Slack deliveries count once.
    """
    if not rows:
        return 0
    statement = _insert_new_statement(dialect_of(session), model.__table__, tuple(conflict))
    # The rows go as parameters, not in the statement: its compiled form is cached once,
    # where a multi-VALUES statement would be compiled again for every request.
    return len(session.execute(statement, [dict(row) for row in rows]).all())


@functools.cache
def _insert_new_statement(dialect: str, table: Any, conflict: tuple[str, ...]) -> Any:
    # Built once per table: constructing it costs more than running it on the hot path.
    return (
        insert_for(dialect, table)
        .on_conflict_do_nothing(index_elements=list(conflict))
        # rowcount is not reliable here across drivers (psycopg reports -1): count what
        # the database says it inserted.
        .returning(*(table.c[name] for name in conflict))
    )


def upsert(
    session: Session,
    model: type[Base],
    rows: Sequence[Mapping[str, Any]],
    conflict: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert rows, or update the `update` columns of the rows whose `conflict` key exists."""
    if not rows:
        return
    statement = insert_for(dialect_of(session), model).values(list(rows))
    session.execute(
        statement.on_conflict_do_update(
            index_elements=list(conflict),
            set_={name: statement.excluded[name] for name in update},
        )
    )


def dialect_of(executor: Session | Connection) -> str:
    bind = executor.get_bind() if isinstance(executor, Session) else executor
    return bind.dialect.name


def insert_for(dialect: str, target: Any) -> Any:
    """The INSERT of `dialect` ("postgresql" or "sqlite"): both have ON CONFLICT clauses."""
    if dialect == "postgresql":
        return postgresql_insert(target)
    return sqlite_insert(target)
