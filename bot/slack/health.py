"""`GET /healthz` and `GET /readyz` for load balancers and orchestrators, in HTTP mode.

A small WSGI layer in front of Slack's handler (bot.slack.web): these two paths are answered
here, unsigned (they are not Slack's requests), and everything else goes on to Bolt.

- /healthz: the process is up and serving. 200 at once; the database is not asked.
- /readyz: the process can do its work: the database answers, and its schema is at the
  newest migration (Alembic's head). 200, or 503 with a short JSON reason, so that an
  orchestrator holds traffic back from a process whose database is down or not yet migrated.
"""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from bot.db import alembic_config, make_engine

log = logging.getLogger(__name__)

WsgiApp = Callable[..., Iterable[bytes]]
StartResponse = Callable[..., Any]

HEALTHZ, READYZ = "/healthz", "/readyz"
# How long /readyz waits for the database, to connect and then to read its revision: a probe
# waits a second or a few, and a sync worker held by an unanswering database serves no one.
READINESS_TIMEOUT_SECONDS = 2


class Readiness:
    """Whether the database answers and its schema is at `heads` (Alembic's newest revision).

    It has an engine of its own that keeps no connection: each check connects afresh, as a
    new request would after the database restarts, and waits at most
    READINESS_TIMEOUT_SECONDS.
    """

    def __init__(self, engine: Engine, heads: Iterable[str]) -> None:
        self.engine = engine
        self.heads = frozenset(heads)

    @classmethod
    def of(cls, database_url: str) -> Readiness:
        heads = ScriptDirectory.from_config(alembic_config(database_url)).get_heads()
        if database_url.startswith("sqlite"):
            engine = make_engine(database_url, poolclass=NullPool)
        else:
            timeout = {"connect_timeout": READINESS_TIMEOUT_SECONDS}
            engine = make_engine(database_url, poolclass=NullPool, connect_args=timeout)
        return cls(engine, heads)

    def problem(self) -> str | None:
        """None when ready; otherwise what is wrong, in a few words."""
        try:
            with self.engine.connect() as conn:
                if conn.dialect.name == "postgresql":
                    # A migration holds alembic_version's lock until it commits.
                    milliseconds = READINESS_TIMEOUT_SECONDS * 1000
                    conn.exec_driver_sql(f"SET statement_timeout = {milliseconds}")
                current = frozenset(MigrationContext.configure(conn).get_current_heads())
        except (SQLAlchemyError, OSError) as error:
            log.warning("not ready: the database did not answer (%s)", type(error).__name__)
            return "the database is unreachable"
        if current != self.heads:
            found = ", ".join(sorted(current)) or "none"
            return f"the database schema is at {found}, not {', '.join(sorted(self.heads))}"
        return None


def with_health_checks(app: WsgiApp, readiness: Readiness) -> WsgiApp:
    """`app`, with /healthz and /readyz answered in front of it.

    Each request to `app` runs in a context of its own: the workspace a request names for
    its log lines (bot.logs.serving_workspace) never shows on the next one's."""

    def serve(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or ""
        if path not in (HEALTHZ, READYZ):
            return contextvars.Context().run(app, environ, start_response)
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _answer(start_response, "405 Method Not Allowed", {"error": "use GET"})
        if path == HEALTHZ:
            return _answer(start_response, "200 OK", {"status": "ok"})
        problem = readiness.problem()
        if problem is None:
            return _answer(start_response, "200 OK", {"status": "ready"})
        return _answer(
            start_response, "503 Service Unavailable", {"status": "unavailable", "reason": problem}
        )

    return serve


def _answer(start_response: StartResponse, status: str, body: dict[str, str]) -> list[bytes]:
    data = json.dumps(body).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(data))),
        ("Cache-Control", "no-store"),
    ]
    if status.startswith("405"):
        headers.append(("Allow", "GET, HEAD"))
    start_response(status, headers)
    return [data]
