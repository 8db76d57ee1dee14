"""Engines: on PostgreSQL, every connection runs with the JIT compiler off, and options given
in the URL are kept."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import make_url, text

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
