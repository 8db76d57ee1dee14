"""Several messages in flight: sending threads, several senders, several processes.

Each thread has at most one message in `sending`; the rows a sender merely holds are never
uncertain, and after the hold lease any sender takes them. The emulator's latency stands in
for Slack across the internet, which is why a sender would want more than one thread.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.harness import Sandbox
from bot.scheduler.outbox import SENDING_LEASE
from bot.scheduler.planned import Planned
from bot.scheduler.sender import Pacer, Sender, SendReport
from bot.slack.app import make_client
from slack_emulator import SlackUser
from tests.rhythm import TEAM, outbox
from tests.scheduler.test_outbox import NOW, PEOPLE, delivered, dm, enqueue
from tests.support import run_at_once


def people(sandbox: Sandbox, count: int) -> list[str]:
    """`count` more people in the emulated workspace, each a DM channel of their own."""
    ids = [f"U0MANY{n:04d}" for n in range(count)]
    for user_id in ids:
        sandbox.emulator.add_user(SlackUser(user_id, TEAM, user_id.lower()))
    return ids


def note(channel_id: str, n: int = 0) -> Planned:
    # A digest-kind row needs no member row: these people exist only in the emulator.
    return Planned(
        f"digest:{channel_id}:{n}",
        "digest",
        channel_id,
        {"text": f"note {n}"},
        NOW,
        NOW + timedelta(hours=4),
    )


def sender_with(
    sandbox: Sandbox, sessions: sessionmaker[Session], pacer: Pacer, threads: int
) -> Sender:
    client = make_client(sandbox.emulator.bot_token, sandbox.emulator.api_url)
    return Sender(sessions, lambda _team: client, lambda: NOW, pacer, threads=threads)


def test_threads_keep_several_messages_in_flight_at_the_shared_pace(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sandbox.emulator.set_latency("chat.postMessage", 0.2)
    enqueue(sessions, [note(user_id) for user_id in people(sandbox, 24)])
    started = time.monotonic()
    report = sender_with(sandbox, sessions, Pacer(20, 0.0), threads=4).send_due()
    elapsed = time.monotonic() - started

    assert report.sent == 24
    assert set(delivered(sandbox).values()) == {1} and len(delivered(sandbox)) == 24
    # One thread would need 24 round trips of 0.2 s; four share the pace of 20 a second.
    assert 23 / 20 <= elapsed < 3.0
    arrivals = sorted(c.at for c in sandbox.emulator.calls_to("chat.postMessage"))
    assert arrivals[-1] - arrivals[0] >= 23 / 20 - 0.05


def test_threads_keep_one_message_a_channel_interval_per_channel(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sandbox.emulator.set_latency("chat.postMessage", 0.05)
    enqueue(sessions, [dm(u, n) for u in PEOPLE for n in range(3)])
    report = sender_with(sandbox, sessions, Pacer(1000, 0.4), threads=4).send_due()

    assert report.sent == 15
    assert set(delivered(sandbox).values()) == {1} and len(delivered(sandbox)) == 15
    per_channel: dict[str, list[float]] = {}
    for call in sandbox.emulator.calls_to("chat.postMessage"):
        per_channel.setdefault(str(call.args["channel"]), []).append(call.at)
    for arrivals in per_channel.values():
        arrivals.sort()
        assert min(b - a for a, b in itertools.pairwise(arrivals)) >= 0.35


def test_threads_wait_out_rate_limits_together_and_send_each_message_once(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sandbox.emulator.set_rate_limit("chat.postMessage", 3, 1.0)
    enqueue(sessions, [note(user_id) for user_id in people(sandbox, 12)])
    started = time.monotonic()
    report = sender_with(sandbox, sessions, Pacer(1000, 0.0), threads=4).send_due()
    elapsed = time.monotonic() - started
    # A thread refused more often than its client retries (a busy machine's timing) gives its
    # message back for later, as the Retry-After says: the next run sends it.
    client = make_client(sandbox.emulator.bot_token, sandbox.emulator.api_url)
    later = Sender(sessions, lambda _team: client, lambda: NOW + timedelta(minutes=1), Pacer(3))
    again = later.send_due()

    assert report.sent + again.sent == 12 and again.released == 0
    assert report.released == again.sent and set(report.errors) <= {"ratelimited"}
    assert set(delivered(sandbox).values()) == {1} and len(delivered(sandbox)) == 12
    calls = sandbox.emulator.calls_to("chat.postMessage")
    limited = [c for c in calls if c.status == 429]
    assert limited, "the emulator should have answered 429"
    assert elapsed >= 3.0  # twelve at three a second: every Retry-After was honoured
    # After a 429 every thread pauses: what is refused is about one call a thread per
    # second of waiting, not a storm of retries from threads still at full pace.
    assert len(limited) <= 4 * (elapsed + 1)


def test_several_threaded_senders_never_send_twice(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    enqueue(sessions, [note(user_id, n) for user_id in people(sandbox, 25) for n in range(4)])
    reports: list[SendReport] = []

    def run() -> None:
        reports.append(sender_with(sandbox, sessions, Pacer(1000, 0.0), threads=3).send_due())

    run_at_once(run, 3)

    assert sum(r.sent for r in reports) == 100 and len(reports) == 3
    counts = delivered(sandbox)
    assert len(counts) == 100 and set(counts.values()) == {1}
    assert Counter(r.status for r in outbox(sessions)) == {"sent": 100}


def tick_env(sandbox: Sandbox, database_url: str, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    return env | {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": sandbox.emulator.bot_token,
        "SLACK_SIGNING_SECRET": "unused-by-tick",
        "SLACK_API_URL": sandbox.emulator.api_url,
        **settings,
    }


def tick(env: dict[str, str], cwd: Path, at: timedelta = timedelta(0)) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "bot", "tick", "--at", (NOW + at).isoformat()]
    return subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


@pytest.mark.slow
def test_sigkill_with_threads_leaves_only_the_messages_in_flight_uncertain(
    sandbox: Sandbox, sessions: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    total = 60
    enqueue(sessions, [note(user_id) for user_id in people(sandbox, total)])
    # Calls arrive and are done at once, but are answered 0.3 s later: killed right after
    # a call arrived, its thread cannot have recorded the answer.
    sandbox.emulator.set_latency("chat.postMessage", 0.3)
    env = tick_env(sandbox, database_url, SLACK_MESSAGES_PER_SECOND="40", SLACK_SENDER_THREADS="4")
    worker = tick(env, tmp_path)
    deadline = time.monotonic() + 60
    while len(sandbox.emulator.calls_to("chat.postMessage")) < total // 4:
        assert time.monotonic() < deadline, "the worker did not start sending"
        assert worker.poll() is None, worker.communicate()
        time.sleep(0.005)
    worker.send_signal(signal.SIGKILL)
    worker.communicate()

    at_the_kill = {r.id: r for r in outbox(sessions)}
    in_flight = {i for i, r in at_the_kill.items() if r.status == "sending"}
    held = {i for i, r in at_the_kill.items() if r.status == "pending" and r.claimed_by}
    assert 1 <= len(in_flight) <= 4  # one a thread at most
    assert held, "the kill should have left rows held but not started"

    # The latency was for the kill; the restart may send at its full pace.
    sandbox.emulator.set_latency("chat.postMessage", 0.0)
    restart = tick(env, tmp_path, at=SENDING_LEASE + timedelta(minutes=1))
    _, errors = restart.communicate(timeout=120)
    assert restart.returncode == 0, errors

    rows = {r.id: r for r in outbox(sessions)}
    assert {i for i, r in rows.items() if r.status == "uncertain"} == in_flight
    assert all(rows[i].status == "sent" for i in held)  # held, never started: sent, not lost
    assert Counter(r.status for r in rows.values()) == {
        "sent": total - len(in_flight),
        "uncertain": len(in_flight),
    }
    counts = delivered(sandbox)
    assert set(counts.values()) == {1}, "a message was posted twice"
    # An in-flight message may or may not have reached Slack; none reached it twice.
    assert total - len(in_flight) <= len(counts) <= total


@pytest.mark.slow
def test_several_sender_processes_share_the_outbox_on_postgresql(
    sandbox: Sandbox, sessions: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several sender processes need PostgreSQL (SQLite: one sender process)")
    total = 240
    enqueue(sessions, [note(user_id) for user_id in people(sandbox, total)])
    sandbox.emulator.set_latency("chat.postMessage", 0.02)
    env = tick_env(sandbox, database_url, SLACK_MESSAGES_PER_SECOND="40", SLACK_SENDER_THREADS="2")
    workers = [tick(env, tmp_path) for _ in range(3)]
    for worker in workers:
        _, errors = worker.communicate(timeout=120)
        assert worker.returncode == 0, errors

    rows = outbox(sessions)
    assert Counter(r.status for r in rows) == {"sent": total}
    assert len({r.claimed_by for r in rows}) >= 2, "the processes should have shared the work"
    counts = delivered(sandbox)
    assert len(counts) == total and set(counts.values()) == {1}
