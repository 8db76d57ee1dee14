"""Delivery of scheduled messages: once, paced, through Slack's refusals, limits and crashes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.harness import Sandbox
from bot.scheduler.outbox import SENDING_LEASE, claim_next
from bot.scheduler.planned import Planned, plan
from bot.scheduler.sender import Pacer, Sender
from bot.scheduler.tick import run_tick
from bot.slack.app import make_client
from tests.rhythm import TEAM, outbox
from tests.support import AnswerlessSlack, unused_port

# A Wednesday afternoon: no digest, prompt or nudge of the planners falls due then.
NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
PEOPLE = ["U0ALICE01", "U0BOB0002", "U0CAROL03", "U0DAVE004", "U0ERIN005"]


def dm(user_id: str, n: int = 0, *, due: datetime = NOW) -> Planned:
    return Planned(
        dedupe_key=f"prompt:{TEAM}:{user_id}:{n}",
        kind="prompt",
        channel_id=user_id,
        recipient_id=user_id,
        payload={"text": f"Who helped you this week? ({n})"},
        due_at=due,
        expires_at=due + timedelta(hours=4),
    )


def enqueue(sessions: sessionmaker[Session], messages: list[Planned]) -> int:
    with sessions.begin() as session:
        return plan(session, TEAM, messages)


def sender_for(sandbox: Sandbox, sessions: sessionmaker[Session], per_second: float = 1000):
    client = make_client(sandbox.emulator.bot_token, sandbox.emulator.api_url)
    return Sender(sessions, lambda _team: client, lambda: NOW, Pacer(per_second, 0.0))


def delivered(sandbox: Sandbox) -> Counter[str]:
    return Counter(
        f"{m.channel} {m.text}" for m in sandbox.emulator.messages() if m.source == "api"
    )


def test_planning_twice_is_harmless(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    assert enqueue(sessions, [dm(u) for u in PEOPLE]) == 5
    assert enqueue(sessions, [dm(u) for u in PEOPLE]) == 0
    assert len(outbox(sessions)) == 5


def test_due_messages_are_sent_once_and_marked(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    enqueue(sessions, [dm(u) for u in PEOPLE] + [dm("U0ALICE01", 1, due=NOW + timedelta(hours=1))])
    report = sender_for(sandbox, sessions).send_due()
    assert report.sent == 5
    assert sender_for(sandbox, sessions).send_due().sent == 0
    rows = outbox(sessions)
    assert [r.status for r in rows] == ["sent"] * 5 + ["pending"]
    assert all(
        r.slack_ts and r.slack_channel_id and r.slack_channel_id.startswith("D") for r in rows[:5]
    )
    assert set(delivered(sandbox).values()) == {1}


def test_slack_refusals_are_recorded_readably_and_never_retried(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    gone = Planned("digest:x", "digest", "C0MISSING", {"text": "hi"}, NOW, NOW + timedelta(hours=1))
    # A channel ID Slack does not know (a DM to a stranger would not even be claimed).
    stranger = Planned(
        "digest:y", "digest", "U0NOBODY9", {"text": "hi"}, NOW, NOW + timedelta(hours=1)
    )
    enqueue(sessions, [gone, stranger])
    report = sender_for(sandbox, sessions).send_due()
    assert report.failed == 2 and report.sent == 0
    failed = {r.channel_id: r for r in outbox(sessions)}
    assert failed["C0MISSING"].status == "failed"
    assert "no longer exists" in (failed["C0MISSING"].error or "")
    assert "(channel_not_found)" in (failed["C0MISSING"].error or "")
    assert failed["U0NOBODY9"].status == "failed"
    calls = len(sandbox.emulator.calls_to("chat.postMessage"))
    sender_for(sandbox, sessions).send_due()
    assert len(sandbox.emulator.calls_to("chat.postMessage")) == calls


def test_expired_messages_are_not_sent(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    enqueue(sessions, [dm("U0BOB0002", due=NOW - timedelta(hours=5))])
    run_tick(sessions, NOW, planners=())
    assert sender_for(sandbox, sessions).send_due().sent == 0
    [row] = outbox(sessions)
    assert row.status == "expired"


def test_rate_limits_are_waited_out(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    sandbox.emulator.set_rate_limit("chat.postMessage", 3, 1.0)
    enqueue(sessions, [dm(u) for u in PEOPLE] + [dm(u, 1) for u in PEOPLE[:2]])
    started = time.monotonic()
    report = sender_for(sandbox, sessions).send_due()
    elapsed = time.monotonic() - started

    assert report.sent == 7
    assert set(delivered(sandbox).values()) == {1} and len(delivered(sandbox)) == 7
    limited = [c for c in sandbox.emulator.calls_to("chat.postMessage") if c.status == 429]
    assert limited, "the emulator should have answered 429 at least once"
    assert elapsed >= 2.0  # seven messages at three a second: each Retry-After was honoured


def test_the_pacer_keeps_to_its_rate(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    enqueue(sessions, [dm(u, n) for u in PEOPLE for n in range(2)])
    started = time.monotonic()
    assert sender_for(sandbox, sessions, per_second=20).send_due().sent == 10
    assert time.monotonic() - started >= 9 / 20


def test_one_message_a_second_per_channel(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    client = make_client(sandbox.emulator.bot_token, sandbox.emulator.api_url)
    enqueue(sessions, [dm("U0BOB0002", n) for n in range(3)] + [dm("U0CAROL03")])
    sender = Sender(sessions, lambda _team: client, lambda: NOW, Pacer(1000, 0.5))
    started = time.monotonic()
    assert sender.send_due().sent == 4
    assert time.monotonic() - started >= 1.0  # Bob's three need two half-second gaps
    # Carol's message did not wait behind Bob's channel.
    order = [m.channel for m in sandbox.emulator.messages()]
    assert order == ["DU0BOB0002", "DU0CAROL03", "DU0BOB0002", "DU0BOB0002"]


def test_a_sender_that_died_mid_send_leaves_its_row_uncertain(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    enqueue(sessions, [dm(u) for u in PEOPLE])
    with sessions.begin() as session:
        claimed = claim_next(session, NOW, "dead-worker")
        assert claimed is not None
        claimed_id = claimed.id
    # Before the lease runs out the row is someone's business; after it, it is uncertain.
    run_tick(sessions, NOW + SENDING_LEASE - timedelta(seconds=1), planners=())
    assert {r.id: r.status for r in outbox(sessions)}[claimed_id] == "sending"
    run_tick(sessions, NOW + SENDING_LEASE + timedelta(seconds=1), planners=())
    assert sender_for(sandbox, sessions).send_due().sent == 4
    rows = {r.id: r for r in outbox(sessions)}
    assert rows[claimed_id].status == "uncertain"
    assert "dead-worker" in (rows[claimed_id].error or "")
    assert len(delivered(sandbox)) == 4


def test_two_senders_at_once_never_send_twice(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    enqueue(sessions, [dm(u, n) for u in PEOPLE for n in range(20)])
    reports = []

    def run() -> None:
        reports.append(sender_for(sandbox, sessions).send_due())

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(r.sent for r in reports) == 100
    counts = delivered(sandbox)
    assert len(counts) == 100 and set(counts.values()) == {1}


@pytest.mark.slow
def test_sigkill_mid_send_then_restart_loses_nothing_and_sends_nothing_twice(
    sandbox: Sandbox, sessions: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    # One DM a second to each of five people: four rounds of five, and the kill comes just
    # after the first call of the second round. Calls are done at once but answered 0.3 s
    # later, so that call is still in flight: the worker cannot have recorded its answer.
    total = 20
    enqueue(sessions, [dm(PEOPLE[n % 5], n) for n in range(total)])
    sandbox.emulator.set_latency("chat.postMessage", 0.3)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env |= {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": sandbox.emulator.bot_token,
        "SLACK_SIGNING_SECRET": "unused-by-tick",
        "SLACK_API_URL": sandbox.emulator.api_url,
        "SLACK_MESSAGES_PER_SECOND": "40",
    }
    command = [sys.executable, "-m", "bot", "tick", "--at", NOW.isoformat()]
    worker = subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while len(sandbox.emulator.calls_to("chat.postMessage")) < total // 3:
        assert time.monotonic() < deadline, "the worker did not start sending"
        assert worker.poll() is None, worker.communicate()
        time.sleep(0.01)
    worker.send_signal(signal.SIGKILL)
    worker.communicate()
    killed_after = len(delivered(sandbox))
    assert 0 < killed_after < total

    # The restart comes after the dead worker's lease, as a later tick would, and may send
    # at its full pace.
    sandbox.emulator.set_latency("chat.postMessage", 0.0)
    later = (NOW + SENDING_LEASE + timedelta(minutes=1)).isoformat()
    restart = subprocess.run(
        [sys.executable, "-m", "bot", "tick", "--at", later],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert restart.returncode == 0, restart.stderr

    counts = delivered(sandbox)
    assert set(counts.values()) == {1}, "a message was posted twice"
    statuses = Counter(r.status for r in outbox(sessions))
    assert statuses["uncertain"] <= 1  # at most the one the worker was in the middle of
    assert statuses["sent"] + statuses["uncertain"] == total  # nothing else was lost
    # The uncertain one may or may not have reached Slack before the kill; never twice.
    assert statuses["sent"] <= len(counts) <= statuses["sent"] + statuses["uncertain"]


def test_a_workspace_without_an_installation_fails_readably(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    enqueue(sessions, [dm("U0BOB0002")])

    def not_installed(team_id: str) -> object:
        raise LookupError(f"Goodwill is not installed in workspace {team_id}")

    sender = Sender(sessions, not_installed, lambda: NOW, Pacer(1000, 0.0))  # type: ignore[arg-type]
    assert sender.send_due().failed == 1
    [row] = outbox(sessions)
    assert row.status == "failed" and "not installed" in (row.error or "")


def test_a_dm_to_someone_who_opted_out_since_it_was_planned_is_not_sent(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    from bot.models import Member

    enqueue(sessions, [dm(u) for u in PEOPLE])
    with sessions.begin() as session:
        bob = session.get(Member, (TEAM, "U0BOB0002"))
        carol = session.get(Member, (TEAM, "U0CAROL03"))
        assert bob is not None and carol is not None
        bob.prompts_opt_out = True
        carol.is_deactivated = True
    assert sender_for(sandbox, sessions).send_due().sent == 3
    rows = {r.recipient_id: r for r in outbox(sessions)}
    assert rows["U0BOB0002"].status == "expired"
    assert "turned prompts off" in (rows["U0BOB0002"].error or "")
    assert rows["U0CAROL03"].status == "expired"
    assert {m.channel for m in sandbox.emulator.messages()} == {
        "DU0ALICE01",
        "DU0DAVE004",
        "DU0ERIN005",
    }


def test_a_lost_answer_leaves_the_message_uncertain_and_posts_it_once(
    sessions: sessionmaker[Session], sandbox: Sandbox
) -> None:
    enqueue(sessions, [dm("U0ALICE01")])
    slack = AnswerlessSlack()
    try:
        client = make_client(sandbox.emulator.bot_token, slack.url)
        report = Sender(sessions, lambda _team: client, lambda: NOW, Pacer(1000, 0.0)).send_due()
    finally:
        slack.close()
    # slack_sdk would retry a broken connection; the sender must not let it post twice.
    assert slack.requests == 1
    assert report.uncertain == 1 and report.sent == 0
    [row] = outbox(sessions)
    assert row.status == "uncertain" and "answer was lost" in (row.error or "")


def test_a_refused_connection_releases_the_message_for_later(
    sessions: sessionmaker[Session], sandbox: Sandbox
) -> None:
    enqueue(sessions, [dm("U0ALICE01")])
    client = make_client(sandbox.emulator.bot_token, f"http://127.0.0.1:{unused_port()}/api/")
    report = Sender(sessions, lambda _team: client, lambda: NOW, Pacer(1000, 0.0)).send_due()
    assert report.released == 1 and report.uncertain == 0
    [row] = outbox(sessions)
    assert row.status == "pending" and "Slack unreachable" in (row.error or "")
