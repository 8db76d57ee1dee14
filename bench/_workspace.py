"""The bench's world: a scratch PostgreSQL database and a seeded Slack emulator.

The scratch database `goodwill_bench_<random>` is created next to the one the bench is pointed
at, migrated with Alembic, and dropped at the end; no other database's data is touched.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from types import TracebackType

from sqlalchemy import Engine, create_engine, func, make_url, select, text, update

from bench._emulator_process import EmulatorProcess, bench_world, colleague_ids
from bench._load import EXCHANGES_PER_PAIR, Workforce
from bot.db import make_engine, make_session_factory, migrate
from bot.deps import utc_now
from bot.models import Credit, Member, Workspace
from bot.sandbox.seed import PEOPLE, TEAM_ID
from bot.slack.api import sync_workspace
from bot.slack.app import make_client
from slack_emulator import SlackEmulator

# At least this many people take part, so the load spreads over many pairs.
MIN_PEOPLE = 20


class ScratchDatabase:
    """A fresh, migrated PostgreSQL database, dropped on exit."""

    def __init__(self, base_url: str) -> None:
        base = make_url(base_url)
        if not base.drivername.startswith("postgresql"):
            raise ValueError("the bench needs a PostgreSQL URL (postgresql+psycopg://...)")
        self.name = f"goodwill_bench_{secrets.token_hex(6)}"
        self.url = base.set(database=self.name).render_as_string(hide_password=False)
        self._admin: Engine = create_engine(base, isolation_level="AUTOCOMMIT")
        self.engine: Engine | None = None

    def __enter__(self) -> ScratchDatabase:
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        try:
            migrate(self.url)
            self.engine = make_engine(self.url)
        except BaseException:
            self._drop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._drop()

    def _drop(self) -> None:
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None
        with self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self._admin.dispose()

    def require_engine(self) -> Engine:
        if self.engine is None:
            raise RuntimeError("enter the scratch database first")
        return self.engine

    def credit_count(self, team_id: str) -> int:
        query = select(func.count()).select_from(Credit).where(Credit.team_id == team_id)
        with self.require_engine().connect() as conn:
            return int(conn.scalar(query) or 0)

    def create(self, schema: Sequence[str]) -> None:
        """The bench's own tables and indexes, next to Goodwill's."""
        with self.require_engine().begin() as conn:
            for statement in schema:
                conn.execute(text(statement))

    def row_count(self, table: str) -> int:
        with self.require_engine().connect() as conn:
            return int(conn.scalar(text(f"SELECT count(*) FROM {table}")) or 0)

    def turn_confirmations_off(self) -> None:
        """Every member turns off the private note a reaction credit sends them."""
        with self.require_engine().begin() as conn:
            conn.execute(update(Member).values(reaction_confirmations_off=True))

    def server_version(self) -> str:
        with self.require_engine().connect() as conn:
            return str(conn.scalar(text("SHOW server_version")))

    def url_for(self, application_name: str) -> str:
        """The database's URL for a client that names itself, so that its backends can be
        told from the others' (backend_pids)."""
        url = make_url(self.url).update_query_dict({"application_name": application_name})
        return url.render_as_string(hide_password=False)

    def backend_pids(self, application_name: str) -> list[int]:
        """The PostgreSQL backends serving the scratch database to `application_name`."""
        query = text(
            "SELECT pid FROM pg_stat_activity WHERE datname = :name AND application_name = :app"
        )
        params = {"name": self.name, "app": application_name}
        with self.require_engine().connect() as conn:
            return sorted(int(pid) for pid in conn.scalars(query, params))


def colleagues_for(requests: int) -> int:
    """How many colleagues the sandbox workspace needs for a run of `requests` thanks."""
    size = max(MIN_PEOPLE, len(PEOPLE))
    while size * (size - 1) < Workforce.pairs_needed(requests):
        size += 1
    return size - len(PEOPLE)


def start_workspace(
    database: ScratchDatabase, served: EmulatorProcess, colleagues: int
) -> tuple[SlackEmulator, Workforce]:
    """The workspace `served` serves, synced into the members cache as `python -m bot serve`
    does at start-up; and its twin in this process, which builds the requests (the response
    URLs it hands out point to the twin, started for them, which the bot never calls here)."""
    twin = bench_world(colleagues).start()
    try:
        client = make_client(twin.bot_token, served.api_url)
        sessions = make_session_factory(database.require_engine())
        sync_workspace(client, sessions, utc_now)
        with sessions() as session:
            workspace = session.get(Workspace, TEAM_ID)
            assert workspace is not None and workspace.pair_daily_cap >= EXCHANGES_PER_PAIR
    except BaseException:
        twin.stop()
        raise
    people = [user_id for user_id, *_ in PEOPLE] + colleague_ids(colleagues)
    return twin, Workforce(tuple(people))
