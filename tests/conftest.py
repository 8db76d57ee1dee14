"""Fixtures: real databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set), the
Slack emulator, and the real app between them.

Each database is created fresh for the run and migrated once with Alembic; after every test
its tables are emptied, because the app under test commits from its own threads.

Hypothesis runs under the profile HYPOTHESIS_PROFILE names. "ci", the default, is what CI
and developers run alike: Hypothesis's own CI profile (the same examples on every run, no
example database), 100 examples a property. "thorough" tries 1,000 new ones each run, to look
further after changing a rule. The edge of each rule is an explicit example in the property,
tried under either.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine, make_session_factory, migrate
from bot.models import Base
from bot.sandbox.harness import Sandbox
from tests.support import Clock, scratch_postgresql

settings.register_profile("ci", settings.get_profile("ci"), max_examples=100)
settings.register_profile("thorough", max_examples=1_000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def pytest_report_header() -> str:
    return f"databases under test: {', '.join(BACKENDS)}"


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    urls = {"sqlite": f"sqlite:///{tmp_path_factory.mktemp('db') / 'goodwill-test.db'}"}
    with ExitStack() as stack:
        if "postgresql" in BACKENDS:
            urls["postgresql"] = stack.enter_context(scratch_postgresql("goodwill_test"))
        yield urls


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, database_urls: dict[str, str]) -> str:
    url = database_urls[request.param]
    migrate(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> Iterator[sessionmaker[Session]]:
    yield make_session_factory(engine)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox(sessions: sessionmaker[Session], clock: Clock) -> Iterator[Sandbox]:
    """The seeded emulated workspace with members synced, and the real app pointed at it."""
    with Sandbox(sessions, clock) as sandbox:
        yield sandbox


@pytest.fixture
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent
