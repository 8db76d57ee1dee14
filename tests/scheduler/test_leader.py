"""One scheduler leader across hosts: PostgreSQL's advisory lock, taken by workers and web
processes alike, and a leader that cannot be sure it leads stops sending."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.harness import Sandbox
from bot.scheduler import sender as sender_module
from bot.scheduler.lease import LOCK_CLASS, AdvisoryLease, HostLease, lease_for
from bot.scheduler.outbox import hold, start_sending
from bot.scheduler.sender import Pacer, Sender
from bot.slack.app import make_client
from tests.rhythm import outbox
from tests.scheduler.test_outbox import NOW, PEOPLE, delivered, dm, enqueue
from tests.support import unused_port


@pytest.fixture
def postgresql(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("the advisory lock is PostgreSQL's (SQLite: the host's lock file)")
    return database_url


def leaders(engine: Engine) -> list[tuple[int, str]]:
    """The backends holding the scheduler's lock, with their connections' application names."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT l.pid, a.application_name FROM pg_locks l"
                " JOIN pg_stat_activity a ON a.pid = l.pid"
                " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :class"
            ),
            {"class": LOCK_CLASS},
        ).all()
    return [(pid, name) for pid, name in rows]


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_the_lease_is_chosen_by_the_database(tmp_path: Path) -> None:
    assert isinstance(lease_for(f"sqlite:///{tmp_path / 'g.db'}"), HostLease)
    lease = lease_for("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert isinstance(lease, AdvisoryLease)
    assert not lease.held()  # no server there: nobody can be sure to lead, so this one does not
    lease.dispose()


def test_one_holder_and_a_cut_connection_hands_the_lease_over(
    postgresql: str, engine: Engine
) -> None:
    first, second = AdvisoryLease(postgresql), AdvisoryLease(postgresql)
    try:
        assert first.held() and first.held()
        assert not second.held()
        [(pid, name)] = leaders(engine)
        assert name.startswith("goodwill-scheduler ")
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        wait_for(lambda: not leaders(engine), 5, "the server did not drop the lock")
        assert second.held()
        # The first sees that it lost the lease, and cannot take it back while it is held.
        assert not first.held()
        assert len(leaders(engine)) == 1
        second.release()
        assert first.held()
    finally:
        first.dispose()
        second.dispose()


class LostAfter:
    """A lease that is held for the first `times` questions, then lost."""

    def __init__(self, times: int) -> None:
        self.left = times
        self.asked = 0

    def held(self) -> bool:
        self.asked += 1
        self.left -= 1
        return self.left >= 0

    def release(self) -> None:
        return


def test_a_sender_that_no_longer_leads_stops_and_gives_its_messages_back(
    sandbox: Sandbox, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sender_module, "LEASE_CHECK_SECONDS", 0.0)  # ask before every message
    enqueue(sessions, [dm(PEOPLE[n % 5], n) for n in range(10)])
    client = make_client(sandbox.emulator.bot_token, sandbox.emulator.api_url)
    lease = LostAfter(3)
    sender = Sender(sessions, lambda _team: client, lambda: NOW, Pacer(1000, 0.0), lease=lease)
    report = sender.send_due()
    assert report.sent == 3 and len(delivered(sandbox)) == 3
    # The fourth message was started, then not sent: it is pending again, for the next leader.
    assert {m.status for m in outbox(sessions)} == {"sent", "pending"}
    assert sum(m.status == "pending" for m in outbox(sessions)) == 7
    assert report.uncertain == 0
    # Whoever leads next sends the rest, once each.
    next_leader = Sender(sessions, lambda _team: client, lambda: NOW, Pacer(1000, 0.0))
    assert next_leader.send_due().sent == 7
    assert len(delivered(sandbox)) == 10 and set(delivered(sandbox).values()) == {1}


def test_a_leader_whose_connection_is_cut_stops_sending_while_another_leads(
    postgresql: str,
    engine: Engine,
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sender_module, "LEASE_CHECK_SECONDS", 0.0)
    enqueue(sessions, [dm(PEOPLE[n % 5], n) for n in range(10)])
    client = make_client(sandbox.emulator.bot_token, sandbox.emulator.api_url)
    mine, theirs = AdvisoryLease(postgresql), AdvisoryLease(postgresql)
    calls = 0

    def client_for(_team_id: str) -> WebClient:
        nonlocal calls
        calls += 1
        if calls == 3:  # the third message goes; then the leader's connection is cut
            [(pid, _)] = leaders(engine)
            with engine.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            wait_for(theirs.held, 5, "the other process did not take the lease")
        return client

    try:
        assert mine.held()
        sender = Sender(sessions, client_for, lambda: NOW, Pacer(1000, 0.0), lease=mine)
        assert sender.send_due().sent == 3
        assert Counter(m.status for m in outbox(sessions)) == {"sent": 3, "pending": 7}
    finally:
        mine.dispose()
        theirs.dispose()


def test_a_new_leader_sends_at_once_what_the_last_one_held_and_never_started(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    enqueue(sessions, [dm(person) for person in PEOPLE])
    with sessions.begin() as session:
        [first, *_] = hold(session, NOW, "dead-leader", 3)
        start_sending(session, first, NOW, "dead-leader")  # in flight when it died
    client = make_client(sandbox.emulator.bot_token, sandbox.emulator.api_url)
    sender = Sender(sessions, lambda _team: client, lambda: NOW, Pacer(1000, 0.0))
    assert sender.send_due().sent == 2  # the dead leader's holds have a minute to run
    sender.take_over()
    assert sender.send_due().sent == 2
    # The message it was sending is never sent again (recovery marks it uncertain).
    assert Counter(m.status for m in outbox(sessions)) == {"sent": 4, "sending": 1}
    assert set(delivered(sandbox).values()) == {1}


@pytest.fixture
def worker_env(sandbox: Sandbox, postgresql: str) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env |= {
        "DATABASE_URL": postgresql,
        "SLACK_BOT_TOKEN": sandbox.emulator.bot_token,
        "SLACK_SIGNING_SECRET": "leader-test-secret",
        "SLACK_API_URL": sandbox.emulator.api_url,
        "SLACK_MESSAGES_PER_SECOND": "50",
        "PORT": str(unused_port()),
        "WEB_CONCURRENCY": "2",
    }
    yield env


def start(command: str, env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", command],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


@pytest.mark.slow
def test_workers_and_web_processes_share_one_leader(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    engine: Engine,
    worker_env: dict[str, str],
    tmp_path: Path,
) -> None:
    processes: list[subprocess.Popen[bytes]] = []
    try:
        worker = start("worker", worker_env, tmp_path)
        processes.append(worker)
        wait_for(lambda: len(leaders(engine)) == 1, 60, "the worker did not take the lease")
        [(_, name)] = leaders(engine)
        assert name.endswith(f":{worker.pid}")
        processes.append(start("worker", worker_env, tmp_path))
        web = start("serve", worker_env, tmp_path)
        processes.append(web)
        time.sleep(8)  # every process has asked by now, at least once
        assert [name for _, name in leaders(engine)] == [name]

        # The leader dies: one of the others, a web process or the other worker, leads.
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        wait_for(
            lambda: len(leaders(engine)) == 1 and leaders(engine)[0][1] != name,
            20,
            "nobody took over the lease",
        )
        enqueue(sessions, [dm(person, due=datetime.now(UTC)) for person in PEOPLE])
        wait_for(lambda: len(delivered(sandbox)) == 5, 30, "the new leader did not send")
        assert set(delivered(sandbox).values()) == {1}

        # A web process leads when it is the only one left.
        for process in processes[1:2]:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

        def a_web_process_leads() -> bool:
            held = leaders(engine)
            if len(held) != 1:
                return False
            pid = int(held[0][1].rsplit(":", 1)[1])
            return parent_of(pid) == web.pid

        wait_for(a_web_process_leads, 20, "no web process took over the lease")
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
