"""A database that is down, restarting or silent: the person hears "nothing was recorded, try
again in a moment" within Slack's 3 seconds, and Goodwill recovers by itself.

The database here is a private PostgreSQL cluster on a spare port, stopped and started by the
test (initdb and pg_ctl as the `postgres` user), and removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, exc, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.db import answering_a_person, make_engine, make_session_factory, migrate
from bot.errors import DatabaseUnavailableError
from bot.models import Credit
from bot.sandbox.driver import SlackDriver
from bot.sandbox.harness import SIGNING_SECRET, Sandbox
from bot.sandbox.transport import HttpTransport
from bot.slack.ids import THANKS_COMMAND
from bot.slack.web import wsgi_app
from tests.support import Clock, LoopbackServer, unused_port

ALICE, BOB, CAROL = "U0ALICE01", "U0BOB0002", "U0CAROL03"
GENERAL = "C0GENERAL"
SLACK_DEADLINE = 3.0
DOWN = DatabaseUnavailableError.user_message

pytestmark = pytest.mark.slow


class PrivateCluster:
    """A PostgreSQL cluster of its own, run by the `postgres` user, on a spare port."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="goodwill-outage-"))
        shutil.chown(self.directory, "postgres")
        self.data = self.directory / "data"
        self.port = unused_port()
        self._as_postgres("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        log = str(self.directory / "log")
        self._as_postgres("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        self._as_postgres("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def _as_postgres(self, *command: str) -> None:
        if os.geteuid() == 0:
            command = ("runuser", "-u", "postgres", "--", *command)
        subprocess.run(command, check=True, capture_output=True, timeout=60)


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    if shutil.which("initdb") is None or shutil.which("pg_ctl") is None:
        pytest.skip("PostgreSQL's initdb is not installed here")
    cluster = PrivateCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def engine(cluster: PrivateCluster) -> Iterator[Engine]:
    migrate(cluster.url)
    engine = make_engine(cluster.url)
    yield engine
    engine.dispose()


@pytest.fixture
def slack(engine: Engine) -> Iterator[tuple[SlackDriver, sessionmaker[Session]]]:
    sessions = make_session_factory(engine)
    with Sandbox(sessions, Clock()) as sandbox, LoopbackServer(wsgi_app(sandbox.app)) as server:
        transport = HttpTransport(f"{server.url}/slack/events")
        yield SlackDriver(sandbox.emulator, SIGNING_SECRET, transport), sessions


def thank(driver: SlackDriver, who: str) -> tuple[dict[str, object], float]:
    payload = driver.command_payload(ALICE, THANKS_COMMAND, f"<@{who}> for the fix", GENERAL)
    started = time.perf_counter()
    delivery = driver.send_form(payload)
    elapsed = time.perf_counter() - started
    assert delivery.status == 200
    answer: dict[str, object] = delivery.json()
    return answer, elapsed


def credits(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Credit)) or 0


def test_a_database_that_goes_down_and_comes_back(
    cluster: PrivateCluster, slack: tuple[SlackDriver, sessionmaker[Session]]
) -> None:
    driver, sessions = slack
    answer, _ = thank(driver, BOB)
    assert answer == {}  # thanked: the bot's post follows

    cluster.stop()  # the pool's connections are cut, and nothing listens any more
    for _ in range(2):  # the connection that was cut, then a new one that is refused
        answer, elapsed = thank(driver, CAROL)
        assert answer == {"response_type": "ephemeral", "text": DOWN}
        assert elapsed < SLACK_DEADLINE

    cluster.start()
    answer, _ = thank(driver, CAROL)  # no restart of Goodwill needed
    assert answer == {}
    assert credits(sessions) == 2


class SilentDatabase:
    """Accepts connections and never says a word: a database host that hangs."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self._held.append(connection)

    def close(self) -> None:
        self._listener.close()
        for connection in self._held:
            connection.close()


def test_a_database_that_never_answers_is_given_up_within_slacks_deadline() -> None:
    silent = SilentDatabase()
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{silent.port}/postgres")
    sandbox = Sandbox(make_session_factory(engine), Clock(), sync_members=False)
    try:
        with sandbox, LoopbackServer(wsgi_app(sandbox.app)) as server:
            transport = HttpTransport(f"{server.url}/slack/events")
            driver = SlackDriver(sandbox.emulator, SIGNING_SECRET, transport)
            answer, elapsed = thank(driver, BOB)
        assert answer == {"response_type": "ephemeral", "text": DOWN}
        assert elapsed < SLACK_DEADLINE
    finally:
        engine.dispose()
        silent.close()


def test_a_statement_gives_up_while_a_person_waits_and_only_then(engine: Engine) -> None:
    def sleep_in_a_thread(answering: bool) -> str:
        outcome: list[str] = []

        def work() -> None:
            if answering:
                answering_a_person()  # as the Bolt middleware does for every request
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT pg_sleep(2.3)"))
                outcome.append("done")
            except exc.OperationalError:
                outcome.append("gave up")

        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
        return outcome[0]

    # One pooled connection, handed to a request, then to the scheduler, then to a request.
    assert sleep_in_a_thread(answering=True) == "gave up"
    assert sleep_in_a_thread(answering=False) == "done"
    assert sleep_in_a_thread(answering=True) == "gave up"
