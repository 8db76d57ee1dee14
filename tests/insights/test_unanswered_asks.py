"""A workspace where no ask was answered in a period still gets its insight: the median wait
is then unknown, not a failure."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from sqlalchemy.orm import Session, sessionmaker

from bot.insights.report import team_insights
from bot.ledger.credits import NewCredit
from bot.models import FavorRequest, Workspace
from tests.support import Clock, insert_credits

TEAM = "T0NOANSWER"


def test_no_answered_ask_leaves_the_median_unknown(
    sessions: sessionmaker[Session], clock: Clock
) -> None:
    with sessions.begin() as session:
        session.add(Workspace(team_id=TEAM, name="Quiet"))
        session.flush()
        people = [f"U0NOANS{n:03d}" for n in range(6)]
        credits = [
            NewCredit(helper, helped, "thanks", f"noans:{n}", channel_id="C0NOANS1")
            for n, (helper, helped) in enumerate(pairwise(people))
        ]
        insert_credits(session, TEAM, credits, clock.now - timedelta(days=2))
        # An ask six weeks ago nobody offered to help with; none in the last 4 weeks.
        session.add(
            FavorRequest(
                public_id="noans-ask",
                team_id=TEAM,
                kind="ask",
                author_id=people[0],
                text="a hand with something",
                channel_id="C0NOANS1",
                created_at=clock.now - timedelta(weeks=6),
            )
        )

    with sessions() as session:
        insights = team_insights(session, TEAM, clock.now)

    for weeks, asks in ((4, 0), (12, 1)):
        figures = insights.workspace.periods[weeks]
        assert (figures.asks, figures.asks_answered) == (asks, 0)
        assert figures.median_answer_seconds is None
    assert insights.workspace.periods[12].gave == 5
