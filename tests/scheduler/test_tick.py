"""A tick reads only the workspaces with something due (their next times, stored on their
rows), and still plans everything once and in its time: settings that change, downtime,
members who move zone, credits given between two hourly checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from bot.members.cache import ensure_workspace, save_members
from bot.models import Workspace
from bot.sandbox.harness import Sandbox
from bot.scheduler.tick import TickReport, run_tick
from bot.settings.workspace import DIGEST_HOUR
from tests.nudging import ALICE, BOB, give, nudges, set_member, with_goodwill_since_june
from tests.rhythm import TEAM, configure, outbox
from tests.settings.test_settings_modal import open_settings, submit

GENERAL = "C0GENERAL"
MONDAY = datetime(2026, 11, 30, tzinfo=UTC)
FRIDAY = datetime(2026, 12, 4, tzinfo=UTC)
SATURDAY_NOON = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)  # nobody's working day, no prompt


def install(sessions: sessionmaker[Session], first: int, count: int) -> None:
    """`count` more workspaces of five members each, in three zones."""
    zones = ("Europe/Oslo", "America/New_York", "Asia/Tokyo")
    with sessions.begin() as session:
        for number in range(first, first + count):
            team_id = f"T9{number:07d}"
            ensure_workspace(session, team_id, f"Workspace {number}")
            users = [
                {"id": f"U9{number:05d}{n}", "name": f"p{n}", "tz": zones[n % 3]} for n in range(5)
            ]
            save_members(session, team_id, users, SATURDAY_NOON)


def statements(engine: Engine, tick: Callable[[], TickReport]) -> tuple[TickReport, list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        return tick(), seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_tick_with_nothing_due_reads_no_workspace_however_many_are_installed(
    sandbox: Sandbox, sessions: sessionmaker[Session], engine: Engine
) -> None:
    install(sessions, 0, 5)
    first = run_tick(sessions, SATURDAY_NOON)
    assert first.workspaces == 6  # new: each is worked out once
    idle, few = statements(engine, lambda: run_tick(sessions, SATURDAY_NOON + timedelta(minutes=1)))
    assert idle.workspaces == 0

    install(sessions, 5, 60)
    assert run_tick(sessions, SATURDAY_NOON + timedelta(minutes=2)).workspaces == 60
    idle, many = statements(
        engine, lambda: run_tick(sessions, SATURDAY_NOON + timedelta(minutes=3))
    )
    assert idle.workspaces == 0 and len(many) == len(few)
    assert not any("FROM members" in statement for statement in many)

    # Monday 09:00 in Tokyo (00:00 UTC) starts a working day there: those workspaces are due
    # (the sandbox's earliest member is in Singapore, an hour later).
    assert run_tick(sessions, MONDAY + timedelta(days=7)).workspaces == 65


def test_a_changed_digest_hour_takes_effect_at_once(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    configure(sessions, digest_channel_id=GENERAL)  # Mondays at 09:00 UTC
    sandbox.tick(MONDAY + timedelta(hours=7))
    assert outbox(sessions, "digest") == []

    # At 07:30 an admin moves it to 07:00: this week's is now due, and is planned at once.
    sandbox.clock.now = MONDAY + timedelta(hours=7, minutes=30)  # type: ignore[attr-defined]
    assert submit(sandbox, ALICE, open_settings(sandbox, ALICE), **{DIGEST_HOUR: "7"}) == {}
    sandbox.tick(MONDAY + timedelta(hours=7, minutes=31))
    [digest] = outbox(sessions, "digest")
    assert digest.due_at == MONDAY + timedelta(hours=7) and digest.status == "sent"

    # Moved again, to 10:00: this week's was sent; the next is next week's, once.
    configure(sessions, digest_hour=10)
    for hours in (8, 10, 11, 24 * 7 + 10):
        sandbox.tick(MONDAY + timedelta(hours=hours, minutes=1))
    assert [row.due_at for row in outbox(sessions, "digest")] == [
        MONDAY + timedelta(hours=7),
        MONDAY + timedelta(days=7, hours=10),
    ]


def test_a_digest_due_while_the_scheduler_was_down_is_sent_once_when_it_is_back(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    configure(sessions, digest_channel_id=GENERAL, timezone="Europe/Oslo")
    sandbox.tick(MONDAY - timedelta(days=1))  # Sunday: the next digest is stored
    with sessions() as session:
        workspace = session.get(Workspace, TEAM)
        assert workspace is not None
        assert workspace.next_digest_at == MONDAY + timedelta(hours=8)  # 09:00 in Oslo
    # Down until 19:00 UTC, eleven hours on: still within the digest's grace.
    for minutes in (0, 1, 60):
        sandbox.tick(MONDAY + timedelta(hours=19, minutes=minutes))
    # Down again over the next Monday, thirteen hours past it: too late for that week.
    sandbox.tick(MONDAY + timedelta(days=7, hours=21))
    [digest] = outbox(sessions, "digest")
    assert digest.due_at == MONDAY + timedelta(hours=8) and digest.status == "sent"


def test_someone_who_moves_zone_on_prompt_day_is_prompted_at_their_new_hour(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    at = FRIDAY + timedelta(hours=7)  # 15:00 in Singapore: Carol's prompt
    sandbox.tick(at)
    # At 08:00 UTC Bob (New York, 20:00 UTC) lands in India: 15:00 there is 09:30 UTC.
    while at < FRIDAY + timedelta(hours=12):
        at += timedelta(minutes=10)
        if at == FRIDAY + timedelta(hours=8):
            set_member(sessions, BOB, tz="Asia/Kolkata")
        sandbox.tick(at)
    [bob] = [row for row in outbox(sessions, "prompt") if row.recipient_id == BOB]
    assert bob.due_at == FRIDAY + timedelta(hours=9, minutes=30)
    assert bob.sent_at is not None and bob.sent_at - bob.due_at <= timedelta(hours=1)


def test_help_given_between_two_hourly_checks_is_nudged_within_the_hour(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    afternoon = MONDAY + timedelta(hours=14)  # working hours in Oslo and New York
    with_goodwill_since_june(sessions)  # none of them a newcomer, whom nudges leave alone
    run_tick(sessions, afternoon)
    given = afternoon + timedelta(minutes=5)
    give(sessions, ALICE, BOB, given, weight=3)
    give(sessions, ALICE, BOB, given)  # over 3, however it decays within the hour
    read, planned_at = 0, None
    for minute in range(6, 6 + 65):
        at = afternoon + timedelta(minutes=minute)
        report = run_tick(sessions, at)
        read += report.workspaces
        if report.planned and planned_at is None:
            planned_at = at
    [nudge] = nudges(sessions, BOB)
    assert planned_at is not None and planned_at - given <= timedelta(hours=1)
    assert nudge.due_at == planned_at and nudge.about_user_id == ALICE
    assert read <= 2  # the hourly check, not 65 plannings


def test_settings_read_before_a_tick_stored_its_times_still_move_them(
    sandbox: Sandbox, sessions: sessionmaker[Session], engine: Engine
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes one writer at a time: a tick cannot write in between")
    with sessions() as settings:
        workspace = settings.get(Workspace, TEAM)
        assert workspace is not None and workspace.next_digest_at is None  # never planned
        run_tick(sessions, MONDAY)  # stores the times, from the settings as they were
        workspace.digest_hour = 7
        settings.commit()
    with sessions() as session:
        workspace = session.get(Workspace, TEAM)
        assert workspace is not None and workspace.digest_hour == 7
        assert workspace.next_digest_at is None and workspace.next_nudge_at is not None
