"""Engines: on PostgreSQL, every connection runs with the JIT compiler off, options given in
the URL are kept, and pooled connections are checked after sitting idle, not on every
checkout."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, make_url, text

from bot import db
from bot.db import make_engine

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (TEST_DATABASE_URL)"
)


@pytest.mark.parametrize("options", [None, "-c statement_timeout=4321"])
def test_postgresql_connections_run_without_jit(options: str | None) -> None:
    url = make_url(os.environ["TEST_DATABASE_URL"])
    if options:
        url = url.update_query_dict({"options": options})
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as conn:
            assert conn.scalar(text("SHOW jit")) == "off"
            timeout = conn.scalar(text("SHOW statement_timeout"))
    finally:
        engine.dispose()
    assert timeout == ("4321ms" if options else "0")


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
