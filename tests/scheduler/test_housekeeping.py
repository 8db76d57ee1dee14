"""The tick's sweep: deliveries and early removals go after a day; once-only actions stay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.members.cache import ensure_workspace
from bot.models import Credit, OutboxMessage, ProcessedEvent, ReactionMark
from bot.sandbox.harness import Sandbox
from bot.scheduler.housekeeping import DELIVERIES_KEPT, OUTBOX_KEPT, sweep
from bot.slack.ids import FAVOR_COMMAND, FAVOR_THANK_PUBLICLY
from slack_emulator import Message
from tests.nudging import TEAM, outbox_nudge
from tests.reactions.test_reactions import ALICE, BOB, CAROL, GENERAL, react
from tests.support import Clock

SECOND = timedelta(seconds=1)


def delivered(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return sorted(session.scalars(select(ProcessedEvent.event_type)))


def removals(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        found = select(ReactionMark.message_ts).where(ReactionMark.removed_ts.is_not(None))
        return sorted(session.scalars(found))


def live_credits(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        live = select(func.count()).select_from(Credit).where(Credit.retracted_at.is_(None))
        return session.scalar(live) or 0


def message(sandbox: Sandbox, text: str) -> Message:
    return sandbox.emulator.post_user_message(GENERAL, BOB, text)


def test_deliveries_are_swept_a_day_after_and_retries_before_that_still_count_once(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    start = clock.now
    first = react(sandbox, ALICE, message(sandbox, "the runbook"))
    clock.advance(hours=12)
    second = react(sandbox, CAROL, message(sandbox, "the fix"))
    assert delivered(sessions) == ["reaction_added", "reaction_added"]

    # Just short of a day: both stay, and a late retry of the first changes nothing.
    report, _ = sandbox.tick(start + DELIVERIES_KEPT - SECOND)
    assert report.swept == 0
    assert sandbox.driver.send_event(first, retry_num=3).status == 200
    assert live_credits(sessions) == 2

    report, _ = sandbox.tick(start + DELIVERIES_KEPT + SECOND)
    assert (report.swept, delivered(sessions)) == (1, ["reaction_added"])
    assert sandbox.driver.send_event(second, retry_num=3).status == 200
    assert live_credits(sessions) == 2  # the second's record is younger than a day


def test_once_only_actions_are_never_swept(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    delivery, shown = sandbox.driver.slash_command(
        ALICE, FAVOR_COMMAND, f"<@{BOB}> reviewed my talk", GENERAL
    )
    assert delivery.status == 200 and shown is not None
    sandbox.driver.click(ALICE, shown, FAVOR_THANK_PUBLICLY)
    assert delivered(sessions) == ["favor_shout_out"]

    sandbox.tick(clock.now + timedelta(days=30))
    assert delivered(sessions) == ["favor_shout_out"]
    sandbox.driver.click(ALICE, shown, FAVOR_THANK_PUBLICLY)  # a month later, the stale button
    assert len(sandbox.emulator.messages(GENERAL, ephemeral=False)) == 1


def test_a_backlog_is_swept_a_batch_at_a_time(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    for n in range(5):
        react(sandbox, ALICE, message(sandbox, f"note {n}"))
    later = clock.now + DELIVERIES_KEPT + SECOND

    swept = []
    for _ in range(4):
        with sessions.begin() as session:
            swept.append(sweep(session, later, at_once=2).deliveries)
    assert swept == [2, 2, 1, 0]
    assert delivered(sessions) == []


def test_removals_that_came_first_are_swept_after_a_day(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    runbook, fix = message(sandbox, "the runbook"), message(sandbox, "the fix")
    start = clock.now
    react(sandbox, ALICE, runbook, added=False, event_ts="1764000007.000200")
    clock.advance(hours=23)
    react(sandbox, ALICE, fix, added=False, event_ts="1764082807.000200")
    assert removals(sessions) == sorted([runbook.ts, fix.ts])

    report, _ = sandbox.tick(start + timedelta(hours=25))  # the first is over a day old
    assert removals(sessions) == [fix.ts]
    assert report.swept == 2  # its removal record and its delivery


def test_finished_messages_go_after_ninety_days_and_unfinished_ones_stay(
    sessions: sessionmaker[Session], clock: Clock
) -> None:
    old, recent = clock.now - OUTBOX_KEPT - SECOND, clock.now - OUTBOX_KEPT + SECOND
    with sessions.begin() as session:
        ensure_workspace(session, TEAM)
        for status in ("sent", "failed", "uncertain", "expired", "pending", "sending"):
            session.add(outbox_nudge(TEAM, BOB, old, kind=status, about=ALICE, status=status))
        session.add(outbox_nudge(TEAM, BOB, recent, kind="recent", about=ALICE, status="sent"))

    with sessions.begin() as session:
        assert sweep(session, clock.now).messages == 4
    with sessions() as session:
        left = session.execute(select(OutboxMessage.status, OutboxMessage.due_at)).all()
    assert sorted((status, due == recent) for status, due in left) == [
        ("pending", False),  # a tick first expires it, or recovers it (sending), then sweeps it
        ("sending", False),
        ("sent", True),
    ]
