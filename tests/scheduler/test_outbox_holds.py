"""Held rows: what a sender lines up in one statement, and starts one by one just before sending.

A held row is not in flight: a sender that dies holding it leaves it for the next sender after
the hold lease, never uncertain. Starting checks, at the last moment, that the row is still the
sender's own and still wanted, and reads what is to be sent as it stands then.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.models import Member, OutboxMessage
from bot.sandbox.harness import Sandbox
from bot.scheduler.outbox import HOLD_LEASE, hold, let_go, start_sending
from bot.scheduler.planned import Planned
from bot.scheduler.sender import Pacer, Sender
from bot.slack.app import make_client
from tests.rhythm import TEAM, outbox
from tests.scheduler.test_outbox import NOW, PEOPLE, delivered, dm, enqueue


def test_rows_held_by_a_dead_sender_wait_for_the_hold_lease_then_go_without_doubt(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    enqueue(sessions, [dm(u) for u in PEOPLE])
    with sessions.begin() as session:
        assert len(hold(session, NOW, "dead-worker", 3)) == 3

    def sender_at(offset: timedelta) -> Sender:
        client = make_client(sandbox.emulator.bot_token, sandbox.emulator.api_url)
        return Sender(sessions, lambda _team: client, lambda: NOW + offset, Pacer(1000, 0.0))

    # Held is not started: the live sender leaves them to their holder for now...
    assert sender_at(timedelta(0)).send_due().sent == 2
    # ...and takes them once the hold has run out. Nothing was in flight: nothing uncertain.
    assert sender_at(HOLD_LEASE + timedelta(seconds=1)).send_due().sent == 3
    assert Counter(r.status for r in outbox(sessions)) == {"sent": 5}
    assert set(delivered(sandbox).values()) == {1} and len(delivered(sandbox)) == 5


def test_a_sender_starts_only_what_it_still_holds_and_what_is_still_wanted(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    enqueue(sessions, [dm("U0BOB0002"), dm("U0CAROL03")])
    later = NOW + HOLD_LEASE + timedelta(seconds=1)
    with sessions.begin() as session:
        bob, carol = hold(session, NOW, "slow-worker", 2)
    with sessions.begin() as session:
        # The slow worker's hold ran out and another took Bob's message over.
        [taken] = hold(session, later, "other-worker", 1)
        assert taken.id == bob.id
        member = session.get(Member, (TEAM, "U0CAROL03"))
        assert member is not None
        member.prompts_opt_out = True  # after the hold, before the send
        row = session.get(OutboxMessage, bob.id)
        assert row is not None
        row.payload = {"text": "as it stands now"}
    with sessions.begin() as session:
        assert start_sending(session, bob, later, "slow-worker") is None
        assert start_sending(session, carol, later, "slow-worker") is None
        started = start_sending(session, taken, later, "other-worker")
    assert started is not None and started.payload == {"text": "as it stands now"}
    rows = {r.id: r for r in outbox(sessions)}
    assert rows[bob.id].status == "sending" and rows[bob.id].claimed_by == "other-worker"
    assert rows[carol.id].status == "expired"
    assert "turned prompts off" in (rows[carol.id].error or "")


def test_rows_a_sender_gives_back_are_free_for_the_next_at_once(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    enqueue(sessions, [dm(u) for u in PEOPLE])
    with sessions.begin() as session:
        held = hold(session, NOW, "stopping-worker", 3)
    with sessions.begin() as session:
        let_go(session, [message.id for message in held], "stopping-worker")
    client = make_client(sandbox.emulator.bot_token, sandbox.emulator.api_url)
    sender = Sender(sessions, lambda _team: client, lambda: NOW, Pacer(1000, 0.0))
    assert sender.send_due().sent == 5
    assert Counter(r.status for r in outbox(sessions)) == {"sent": 5}


@pytest.mark.parametrize(
    ("kind", "change", "reason"),
    [
        ("nudge", {"nudges_opt_out": True}, "turned nudges off"),
        ("prompt", {"prompts_opt_out": True}, "turned prompts off"),
        ("nudge", {"is_bot": True}, "no longer an active member"),
        ("prompt", {"is_deactivated": True}, "no longer an active member"),
        ("prompt", None, "no longer an active member"),  # not a member any more
    ],
)
def test_a_recipient_who_left_or_opted_out_since_the_hold_gets_nothing(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    kind: str,
    change: dict[str, bool] | None,
    reason: str,
) -> None:
    message = dm("U0BOB0002")
    enqueue(sessions, [replace(message, kind=kind, dedupe_key=f"{kind}:{message.dedupe_key}")])
    with sessions.begin() as session:
        [held] = hold(session, NOW, "worker", 1)
        member = session.get(Member, (TEAM, "U0BOB0002"))
        assert member is not None
        if change is None:
            session.delete(member)
        else:
            for name, value in change.items():
                setattr(member, name, value)
    with sessions.begin() as session:
        assert start_sending(session, held, NOW, "worker") is None
    [row] = outbox(sessions)
    assert row.status == "expired" and reason in (row.error or "")
    assert row.attempts == 0  # never sent, never counted as a try


def test_an_opt_out_of_one_kind_leaves_the_other_kind_and_digests_alone(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    prompt = dm("U0BOB0002")
    nudge = replace(prompt, kind="nudge", dedupe_key=f"nudge:{prompt.dedupe_key}")
    digest = Planned(
        "digest:x", "digest", "C0GENERAL", {"text": "hi"}, NOW, NOW + timedelta(hours=1)
    )
    enqueue(sessions, [prompt, nudge, digest])
    with sessions.begin() as session:
        held = hold(session, NOW, "worker", 3)
        member = session.get(Member, (TEAM, "U0BOB0002"))
        assert member is not None
        member.nudges_opt_out = True
    with sessions.begin() as session:
        started = [start_sending(session, message, NOW, "worker") for message in held]
    assert [s is not None for s in started] == [True, False, True]
    rows = {r.kind: r for r in outbox(sessions)}
    assert rows["prompt"].status == "sending" and rows["prompt"].attempts == 1
    assert rows["nudge"].status == "expired"
    assert rows["digest"].status == "sending"
