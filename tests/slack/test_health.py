"""/healthz and /readyz, over real HTTP, in front of the app HTTP mode serves."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.db import alembic_config, migrate
from bot.models import Credit
from bot.runtime import wsgi_for
from bot.sandbox.driver import SlackDriver
from bot.sandbox.harness import SIGNING_SECRET, Sandbox
from bot.sandbox.transport import HttpTransport
from bot.slack.health import READINESS_TIMEOUT_SECONDS, Readiness, with_health_checks
from tests.support import LoopbackServer, unused_port

ALICE, BOB = "U0ALICE01", "U0BOB0002"


def call(url: str, method: str = "GET") -> tuple[int, dict[str, Any], dict[str, str]]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            headers = {k.lower(): v for k, v in response.headers.items()}
            return response.status, json.loads(response.read() or b"{}"), headers
    except urllib.error.HTTPError as error:
        with error:
            headers = {k.lower(): v for k, v in error.headers.items()}
            return error.code, json.loads(error.read() or b"{}"), headers


@pytest.fixture
def served(sandbox: Sandbox, database_url: str) -> Iterator[str]:
    """The sandbox's app as runtime serves it in HTTP mode, on loopback. (`python -m bot
    serve` itself answers the probes in tests/test_logs.py.)"""
    with LoopbackServer(wsgi_for(sandbox.app, Settings(database_url=database_url))) as server:
        yield server.url


def test_healthz_and_readyz_answer_beside_slacks_requests(
    served: str, sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    status, body, headers = call(f"{served}/healthz")
    assert (status, body) == (200, {"status": "ok"})
    assert headers["content-type"] == "application/json"
    assert call(f"{served}/readyz")[:2] == (200, {"status": "ready"})
    assert call(f"{served}/healthz", "HEAD")[0] == 200

    # Slack's requests go on to Bolt, signed as ever; the probes need no signature.
    driver = SlackDriver(sandbox.emulator, SIGNING_SECRET, HttpTransport(f"{served}/slack/events"))
    delivery, _ = driver.slash_command(ALICE, "/thanks", f"<@{BOB}> for the probe", "C0GENERAL")
    assert delivery.status == 200
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Credit)) == 1
    forged = SlackDriver(sandbox.emulator, "not-the-secret", driver.transport)
    assert forged.slash_command(ALICE, "/thanks", f"<@{BOB}> again", "C0GENERAL")[0].status == 401


def test_the_probes_take_only_get(served: str) -> None:
    for path in ("/healthz", "/readyz"):
        status, _, headers = call(f"{served}{path}", "POST")
        assert status == 405 and headers["allow"] == "GET, HEAD"


def _probe(readiness: Readiness) -> LoopbackServer:
    def slack(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise AssertionError("a probe reached Slack's handler")

    return LoopbackServer(with_health_checks(slack, readiness))


def test_an_unmigrated_database_is_not_ready(tmp_path: Path) -> None:
    readiness = Readiness.of(f"sqlite:///{tmp_path / 'new.db'}")
    with _probe(readiness) as server:
        status, body, _ = call(f"{server.url}/readyz")
    assert status == 503 and body["status"] == "unavailable"
    assert body["reason"].startswith("the database schema is at none, not ")


def test_a_database_behind_the_newest_migration_is_not_ready_until_migrated(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    migrate(url)
    command.downgrade(alembic_config(url), "-1")
    scripts = ScriptDirectory.from_config(alembic_config(url))
    [head] = scripts.get_heads()
    before = scripts.get_revision(head).down_revision
    with _probe(Readiness.of(url)) as server:
        status, body, _ = call(f"{server.url}/readyz")
        assert status == 503
        assert body["reason"] == f"the database schema is at {before}, not {head}"
        migrate(url)
        assert call(f"{server.url}/readyz")[:2] == (200, {"status": "ready"})


def test_a_database_that_refuses_connections_is_not_ready_and_the_process_is_alive() -> None:
    readiness = Readiness.of(f"postgresql+psycopg://postgres@127.0.0.1:{unused_port()}/goodwill")
    with _probe(readiness) as server:
        assert call(f"{server.url}/healthz")[:2] == (200, {"status": "ok"})
        status, body, _ = call(f"{server.url}/readyz")
    assert (status, body["reason"]) == (503, "the database is unreachable")


@pytest.mark.slow
def test_a_database_that_never_answers_is_not_ready_within_the_timeout() -> None:
    """A server that takes the connection and says nothing (a hung host): the probe waits
    READINESS_TIMEOUT_SECONDS, not the operating system's minutes."""
    silent = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(silent.accept()[0]), daemon=True).start()
    port = silent.getsockname()[1]
    readiness = Readiness.of(f"postgresql+psycopg://postgres@127.0.0.1:{port}/goodwill")
    try:
        with _probe(readiness) as server:
            started = time.monotonic()
            status, body, _ = call(f"{server.url}/readyz")
            waited = time.monotonic() - started
    finally:
        for conn in accepted:
            conn.close()
        silent.close()
    assert (status, body["reason"]) == (503, "the database is unreachable")
    assert waited < READINESS_TIMEOUT_SECONDS + 2
