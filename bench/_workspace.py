"""The bench's world: a scratch PostgreSQL database and a seeded Slack emulator.

The scratch database `goodwill_bench_<random>` is created next to the one the bench is pointed
at, migrated with Alembic, and dropped at the end; no other database's data is touched.
"""

from __future__ import annotations

import secrets
from types import TracebackType

from sqlalchemy import Engine, create_engine, func, make_url, select, text

from bench._load import REASONS, Workforce
from bot.app import make_client
from bot.db import make_engine, make_session_factory, migrate
from bot.deps import utc_now
from bot.models import Credit, Workspace
from bot.sandbox.emulator import SlackEmulator, SlackUser
from bot.sandbox.seed import PEOPLE, TEAM_ID, seed_workspace
from bot.slack_api import sync_workspace

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

    def credit_count(self) -> int:
        with self.require_engine().connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(Credit)) or 0)

    def server_version(self) -> str:
        with self.require_engine().connect() as conn:
            return str(conn.scalar(text("SHOW server_version")))

    def backend_pids(self) -> list[int]:
        """The PostgreSQL backends serving other clients of the scratch database."""
        query = text(
            "SELECT pid FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"
        )
        with self.require_engine().connect() as conn:
            return sorted(int(pid) for pid in conn.scalars(query, {"name": self.name}))


def start_workspace(database: ScratchDatabase, credits: int) -> tuple[SlackEmulator, Workforce]:
    """The sandbox workspace plus enough colleagues for `credits` credits that the fair-use
    rules allow (each ordered pair at most `pair_daily_cap` times a day, each time for another
    reason), served on loopback and synced into the members cache as `python -m bot serve` does
    at start-up."""
    emulator = SlackEmulator(team_id=TEAM_ID, team_name="Bench Co", team_domain="bench")
    seed_workspace(emulator)
    emulator.start()
    try:
        client = make_client(emulator.bot_token, emulator.api_url)
        sessions = make_session_factory(database.require_engine())
        sync_workspace(client, sessions, utc_now)
        with sessions() as session:
            workspace = session.get(Workspace, TEAM_ID)
            assert workspace is not None
            per_pair = min(workspace.pair_daily_cap, len(REASONS))
        people = [user_id for user_id, *_ in PEOPLE]
        size = max(MIN_PEOPLE, len(people))
        while size * (size - 1) * per_pair < credits:
            size += 1
        for number in range(1, size - len(people) + 1):
            user_id = f"U0BENCH{number:03d}"
            emulator.add_user(
                SlackUser(
                    id=user_id,
                    team_id=TEAM_ID,
                    name=f"colleague{number}",
                    real_name=f"Colleague {number}",
                    display_name=f"colleague{number}",
                )
            )
            people.append(user_id)
            # Everyone is in every channel, so that the bot can tell them things privately.
            for channel in emulator.channels.values():
                channel.members.add(user_id)
        sync_workspace(client, sessions, utc_now)
    except BaseException:
        emulator.stop()
        raise
    return emulator, Workforce(tuple(people), per_pair)
