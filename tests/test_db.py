"""Engines: PostgreSQL connections are checked after sitting idle, not on every checkout."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from bot import db
from bot.db import make_engine


@pytest.fixture
def postgresql(database_urls: dict[str, str]) -> Iterator[Engine]:
    if "postgresql" not in database_urls:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL")
    engine = make_engine(database_urls["postgresql"], pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


@pytest.fixture
def pings(postgresql: Engine, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    calls: list[Any] = []
    real = postgresql.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        calls.append(dbapi_connection)
        return real(dbapi_connection)

    monkeypatch.setattr(postgresql.dialect, "do_ping", counted)
    return calls


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_in_steady_use_is_not_pinged(postgresql: Engine, pings: list[Any]) -> None:
    first = _backend_pid(postgresql)
    assert [_backend_pid(postgresql) for _ in range(5)] == [first] * 5
    assert pings == []


def test_an_idle_connection_is_pinged_and_replaced_when_it_died(
    postgresql: Engine, pings: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = _backend_pid(postgresql)  # the pool's one connection, back in the pool
    admin = make_engine(postgresql.url.render_as_string(hide_password=False))
    try:
        with admin.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dead}).scalar()
    finally:
        admin.dispose()
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)

    replacement = _backend_pid(postgresql)

    assert replacement != dead
    assert len(pings) == 1
