"""Nobody is nudged in their first three weeks with Goodwill, counted from their first
exchange; and a nudge says the time its help really spans.

Dave thanked four people on Monday: on Tuesday he hears nothing; three weeks after his first
thanks, the give-back nudge says "these past three weeks", not "these past two months"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.nudges.blocks import over
from bot.sandbox.harness import Sandbox
from tests.nudging import ALICE, BOB, CAROL, DAVE, ERIN, give, newcomer, nudges, sent_dm, who

# Monday 16 November 2026, 14:00 UTC: 16:00 in Johannesburg (Dave), a working hour.
MONDAY = datetime(2026, 11, 16, 14, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def test_a_newcomer_is_not_nudged_then_is_after_three_weeks_with_the_real_span(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    newcomer(sessions, DAVE)
    for helper in (ALICE, BOB, CAROL, ERIN):
        give(sessions, helper, DAVE, MONDAY, kind="thanks")

    for later in (DAY, 7 * DAY, 14 * DAY, 21 * DAY - timedelta(hours=1)):
        assert DAVE not in who(sessions, MONDAY + later), later
    sandbox.tick(MONDAY + DAY)
    assert nudges(sessions, DAVE) == []

    three_weeks = MONDAY + 21 * DAY
    assert who(sessions, three_weeks)[DAVE] == ("give_back", None)
    sandbox.tick(three_weeks)
    [nudge] = nudges(sessions, DAVE)
    text = sent_dm(sandbox, nudge).text
    assert "4 people gave you a hand these past three weeks." in text
    assert "two months" not in text


def test_an_exchange_taken_back_does_not_make_a_member_a_veteran(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    newcomer(sessions, DAVE)
    give(sessions, DAVE, ALICE, MONDAY - 30 * DAY, retracted=True)
    for helper in (ALICE, BOB, CAROL, ERIN):
        give(sessions, helper, DAVE, MONDAY, kind="thanks")
    assert DAVE not in who(sessions, MONDAY + DAY)
    give(sessions, DAVE, ALICE, MONDAY - 70 * DAY)  # outside every rule's window but his own
    assert who(sessions, MONDAY + DAY)[DAVE] == ("give_back", None)


@pytest.mark.parametrize(
    ("ago", "said"),
    [
        (timedelta(hours=3), "this past week"),
        (7 * DAY, "this past week"),
        (7 * DAY + timedelta(hours=1), "these past two weeks"),
        (21 * DAY, "these past three weeks"),
        (28 * DAY, "these past four weeks"),
        (30 * DAY, "this past month"),
        (35 * DAY, "these past five weeks"),
        (56 * DAY, "these past eight weeks"),
        (59 * DAY, "these past two months"),
    ],
)
def test_the_span_said_covers_the_oldest_help_counted_and_no_more(
    ago: timedelta, said: str
) -> None:
    assert over(ago) == said
