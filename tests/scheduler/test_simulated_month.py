"""A simulated month: hourly ticks over four weeks in a workspace spread over five time zones
produce exactly the expected digests, nudges and prompts, each once, each in its time."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.harness import Sandbox
from bot.scheduler.calendar import zone
from tests.rhythm import configure, credit, outbox

ALICE, BOB, CAROL, DAVE, ERIN = "U0ALICE01", "U0BOB0002", "U0CAROL03", "U0DAVE004", "U0ERIN005"
TZ = {
    ALICE: "Europe/Oslo",
    BOB: "America/New_York",
    CAROL: "Asia/Singapore",
    DAVE: "Africa/Johannesburg",
    ERIN: "America/Los_Angeles",
}
START = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)  # a Monday
END = START + timedelta(weeks=4)


@pytest.mark.slow
def test_a_month_of_ticks(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    configure(sessions, digest_channel_id="C0GENERAL")
    # Bob does Alice two big favours early on, and she never thanks him: one pair nudge.
    credit(sessions, BOB, ALICE, START + timedelta(hours=8), "moved my boxes", "favor", 3)
    credit(sessions, BOB, ALICE, START + timedelta(days=1), "drove me home", "favor", 3)
    # Carol helps four different people and never asks for anything: one "ask too" nudge.
    for day, helped in enumerate((ALICE, BOB, DAVE, ERIN), start=2):
        credit(sessions, CAROL, helped, START + timedelta(days=day, hours=2), f"helped {day}")
    # Some everyday thanks across the month, for the digests.
    for week in range(4):
        credit(sessions, DAVE, ERIN, START + timedelta(weeks=week, days=3), f"week {week} docs")

    at = START
    while at < END:
        sandbox.tick(at)
        at += timedelta(hours=1)

    rows = outbox(sessions)
    assert Counter(row.status for row in rows) == {"sent": len(rows)}
    digests = [row for row in rows if row.kind == "digest"]
    assert [row.due_at for row in digests] == [
        START + timedelta(weeks=week, hours=9) for week in range(4)
    ]

    prompts = [row for row in rows if row.kind == "prompt"]
    assert Counter(row.recipient_id for row in prompts) == {person: 4 for person in TZ}
    for row in prompts:
        local = row.due_at.astimezone(zone(TZ[row.recipient_id or ""]))
        assert (local.weekday(), local.hour) == (4, 15)  # Friday 15:00 where they are
        assert row.sent_at is not None and row.sent_at - row.due_at < timedelta(hours=1)

    nudges = [(row.recipient_id, row.about_user_id) for row in rows if row.kind == "nudge"]
    assert sorted(nudges, key=str) == sorted([(ALICE, BOB), (CAROL, None)], key=str)
    for row in rows:
        if row.kind == "nudge":
            assert row.sent_at is not None
            local = row.sent_at.astimezone(zone(TZ[row.recipient_id or ""]))
            assert local.weekday() < 5 and 9 <= local.hour < 17

    # Everything reached Slack once: one message per outbox row, no more.
    posted = [m for m in sandbox.emulator.messages() if m.source == "api"]
    assert len(posted) == len(rows)
