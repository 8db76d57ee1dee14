"""`/favor insights` end to end: admins get counts over five people or more, never a name,
and a chart in their DM; everyone else is refused. The workspace below is small enough to
count by hand, and every expected figure is written out from that count."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from bot.favours.parsing import FavorInsights, FavorUsage, parse_favor
from bot.insights.figures import Figures
from bot.insights.report import team_insights
from bot.ledger.credits import NewCredit
from bot.models import Credit, FavorRequest, FavorResponse, Member
from bot.sandbox.harness import Sandbox
from bot.slack.ids import HOME_INSIGHTS
from slack_emulator import Message
from tests.home_tab import home_click, shown_home, text_of
from tests.support import Clock, insert_credits

TEAM = "T0SANDBOX"
ALICE, BOB = "U0ALICE01", "U0BOB0002"  # the sandbox's admin, and a member who is not one
GENERAL, DEV, RANDOM = "C0GENERAL", "C0INSDEV1", "C0INSRND1"
# Nine people only this test knows, each with a name that must never show.
PEOPLE = {letter: f"U0INS{letter}0000" for letter in "ABCDEFGHIJK"}
NAMES = {user: f"secretname{letter.lower()}" for letter, user in PEOPLE.items()}
T = TypeVar("T")


def wait_for(found: Callable[[], T], timeout: float = 20.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = found()
        if result:
            return result
        time.sleep(0.01)
    raise AssertionError("timed out waiting for the chart")


def seed(sessions: sessionmaker[Session], now: datetime) -> None:
    """The hand-counted workspace (days before now):

    #general, 3 days ago: A→B, B→A, C→D, D→C, E→A, F→B, E→F, F→E, G→A (and E→G, retracted)
    #dev, 40 days ago: H→I, I→J, J→K, K→H (four people: the channel is never shown)
    #random, 33 days ago: A→H, B→I, C→J, D→K; and A→H once before, 100 days ago, in #general
    asks in #general: A, B, C, D 3 days ago (answered after 1 h, 2 h, 3 h, never); E 40 days
    ago (after 5 h); F 55 days ago (after 10 h). G offers something: an offer is no ask.
    """
    p = PEOPLE
    edges = [
        *((a, b, GENERAL, 3) for a, b in ("AB", "BA", "CD", "DC", "EA", "FB", "EF", "FE", "GA")),
        *((a, b, DEV, 40) for a, b in ("HI", "IJ", "JK", "KH")),
        *((a, b, RANDOM, 33) for a, b in ("AH", "BI", "CJ", "DK")),
        ("A", "H", GENERAL, 100),
        ("E", "G", GENERAL, 2),
    ]
    with sessions.begin() as session:
        session.add_all(
            Member(team_id=TEAM, user_id=user, name=name, real_name=name.title())
            for user, name in NAMES.items()
        )
        session.flush()
        for n, (helper, helped, channel, days) in enumerate(edges):
            at = now - timedelta(days=days, minutes=n)
            credit = NewCredit(p[helper], p[helped], "thanks", f"ins:{n}", channel_id=channel)
            insert_credits(session, TEAM, [credit], at)
        session.query(Credit).filter(Credit.helper_id == p["E"], Credit.helped_id == p["G"]).update(
            {Credit.retracted_at: now - timedelta(days=1)}
        )
        asks = [("A", 3, 1), ("B", 3, 2), ("C", 3, 3), ("D", 3, None), ("E", 40, 5), ("F", 55, 10)]
        for n, (author, days, hours) in enumerate(asks):
            posted = now - timedelta(days=days)
            request = FavorRequest(
                public_id=f"ins-ask-{n}",
                team_id=TEAM,
                kind="ask",
                author_id=p[author],
                text="a hand with something",
                channel_id=GENERAL,
                created_at=posted,
            )
            session.add(request)
            session.flush()
            if hours is not None:
                # Two answers: the first one counts.
                for later, who in ((hours, "K"), (hours + 4, "J")):
                    session.add(
                        FavorResponse(
                            request_id=request.id,
                            user_id=p[who],
                            created_at=posted + timedelta(hours=later),
                        )
                    )
        session.add(
            FavorRequest(
                public_id="ins-offer",
                team_id=TEAM,
                kind="offer",
                author_id=p["G"],
                text="lunch",
                channel_id=GENERAL,
                created_at=now - timedelta(days=3),
            )
        )


def command(sandbox: Sandbox, user: str, text: str = "insights") -> Message:
    delivery, shown = sandbox.driver.slash_command(user, "/favor", text, GENERAL)
    assert delivery.status == 200, delivery.body
    assert shown is not None
    return shown


def told_after(sandbox: Sandbox, answer: Message, count: int = 1) -> list[Message]:
    """The private messages to Alice in #general after the command's answer: the figures
    and the chart follow it, through the response_url."""
    return wait_for(
        lambda: (
            shown
            if len(
                shown := [
                    m
                    for m in sandbox.emulator.messages(GENERAL, ephemeral=True)
                    if m.ephemeral_for == ALICE and m.ts != answer.ts
                ]
            )
            >= count
            else []
        )
    )


def scope_lines(message: Message) -> dict[str, list[str]]:
    """Each section's lines, by its title line."""
    found = {}
    for block in message.blocks:
        if block["type"] == "section":
            title, *lines = block["text"]["text"].split("\n")
            found[title] = lines
    return found


WORKSPACE_EXPECTED = [
    "Active (gave, received or asked): 4 wk: 7 · 12 wk: 11",
    "Gave help: 4 wk: 7 · 12 wk: 11",
    "Received help: 4 wk: 6 · 12 wk: 10",
    "Asked: 4 wk: fewer than 5 · 12 wk: 6",
    "Only gave, never asked: 4 wk: fewer than 5 · 12 wk: fewer than 5",
    "Two-way: 4 wk: 3 pairs (6 people) · 12 wk: 3 pairs (6 people)",
    "Asks answered: 4 wk: fewer than 5 people · 12 wk: 5 of 6, median wait 3 h 0 min",
    "New connections across channels: 4 wk: fewer than 5 people · 12 wk: 3 pairs (6 people)",
]
GENERAL_EXPECTED = [
    "Active (gave, received or asked): 4 wk: 7 · 12 wk: 7",
    "Gave help: 4 wk: 7 · 12 wk: 7",
    "Received help: 4 wk: 6 · 12 wk: 6",
    "Asked: 4 wk: fewer than 5 · 12 wk: 6",
    "Only gave, never asked: 4 wk: fewer than 5 · 12 wk: fewer than 5",
    "Two-way: 4 wk: 3 pairs (6 people) · 12 wk: 3 pairs (6 people)",
    "Asks answered: 4 wk: fewer than 5 people · 12 wk: 5 of 6, median wait 3 h 0 min",
    "New connections across channels: 4 wk: fewer than 5 people · 12 wk: fewer than 5 people",
]
RANDOM_EXPECTED = [
    "Active (gave, received or asked): 4 wk: fewer than 5 · 12 wk: 8",
    "Gave help: 4 wk: fewer than 5 · 12 wk: fewer than 5",
    "Received help: 4 wk: fewer than 5 · 12 wk: fewer than 5",
    "Asked: 4 wk: fewer than 5 · 12 wk: fewer than 5",
    "Only gave, never asked: 4 wk: fewer than 5 · 12 wk: fewer than 5",
    "Two-way: 4 wk: fewer than 5 people · 12 wk: fewer than 5 people",
    "Asks answered: 4 wk: fewer than 5 people · 12 wk: fewer than 5 people",
    "New connections across channels: 4 wk: fewer than 5 people · 12 wk: 3 pairs (6 people)",
]


def test_the_figures_match_a_workspace_counted_by_hand(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    seed(sessions, clock.now)
    with sessions() as session:
        insights = team_insights(session, TEAM, clock.now)
    assert insights.workspace.periods[4] == Figures(
        active=7, gave=7, received=6, asked=4, only_gave=1, two_way_pairs=3, two_way_people=6,
        asks=4, asks_answered=3, answered_askers=3, median_answer_seconds=7200.0,
        new_connections=0, new_connection_people=0,
    )  # fmt: skip
    assert insights.workspace.periods[12] == Figures(
        active=11, gave=11, received=10, asked=6, only_gave=1, two_way_pairs=3,
        two_way_people=6, asks=6, asks_answered=5, answered_askers=5,
        median_answer_seconds=3 * 3600.0, new_connections=3, new_connection_people=6,
    )  # fmt: skip
    assert [c.channel_id for c in insights.channels] == [RANDOM, GENERAL]
    assert insights.quiet_channels == 1  # #dev: four people


def test_an_admin_sees_counts_over_five_people_and_never_a_name(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    seed(sessions, clock.now)

    answer = command(sandbox, ALICE)

    assert answer.ephemeral_for == ALICE
    assert answer.text == (
        ":hourglass_flowing_sand: Working out the team insight: the figures will show here in "
        "a moment, and the chart is on its way to our direct message."
    )
    [figures] = told_after(sandbox, answer)
    sections = scope_lines(figures)
    assert sections == {
        "*The whole workspace*": WORKSPACE_EXPECTED,
        f"*<#{RANDOM}>*": RANDOM_EXPECTED,
        f"*<#{GENERAL}>*": GENERAL_EXPECTED,
    }
    shown = json.dumps(figures.blocks) + figures.text
    assert DEV not in shown  # four active people: the channel is left out
    assert "1 channels with fewer than 5 active people are left out." in shown
    assert "The chart is on its way to our direct message." in shown
    for user, name in NAMES.items():
        assert user not in shown and name not in shown.lower()

    [chart] = wait_for(lambda: sandbox.emulator.uploaded_files)
    assert chart.channels == (f"D{ALICE}",)
    assert chart.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert chart.filename == "goodwill-team-insight.png"
    alt = chart.alt_txt
    assert alt == (
        "Line chart of the last 12 weeks, oldest first. People who gave: "
        "-, -, -, -, -, -, -, -, -, -, -, 7. Received: -, -, -, -, -, -, -, -, -, -, -, 6. "
        "Asked: -, -, -, -, -, -, -, -, -, -, -, -. "
        "Two-way share of pairs: -, -, -, -, -, -, -, 0%, -, -, -, 50%. "
        "A dash: fewer than 5 people."
    )
    for user, name in NAMES.items():
        assert user not in alt and name not in alt.lower()


def test_members_who_are_not_admins_are_refused(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    seed(sessions, clock.now)
    before = len(sandbox.emulator.calls)

    answer = command(sandbox, BOB)

    assert answer.ephemeral_for == BOB
    assert answer.text == (
        "Team insights are for workspace admins and owners. They show only counts over five "
        "or more people, never names; if you'd like to see them, ask an admin to type "
        "`/favor insights`."
    )
    assert answer.blocks == []
    time.sleep(0.1)  # nothing runs afterwards either
    assert sandbox.emulator.calls[before:] == []
    assert sandbox.emulator.uploaded_files == []


def test_text_after_insights_is_not_insights(sandbox: Sandbox) -> None:
    answer = command(sandbox, ALICE, "insights for bob")
    assert answer.text.startswith("`/favor insights` takes nothing after it.")


def test_a_chart_that_cannot_be_uploaded_is_told_privately(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    seed(sessions, clock.now)
    sandbox.emulator.refuse("files.completeUploadExternal", "internal_error")

    answer = command(sandbox, ALICE)

    figures, told = told_after(sandbox, answer, 2)
    assert figures.text == "Team insight for the last 4 and 12 weeks."
    assert told.text == (
        ":warning: I couldn't send the chart to our direct message. Please try again in a minute."
    )
    assert sandbox.emulator.uploaded_files == []


def test_the_home_button_sends_figures_and_chart_to_the_admins_dm(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    seed(sessions, clock.now)
    assert "Team insight" in text_of(shown_home(sandbox, ALICE))
    assert "Team insight" not in text_of(shown_home(sandbox, BOB))

    delivery = home_click(sandbox, ALICE, HOME_INSIGHTS)

    assert delivery.status == 200
    [chart] = wait_for(lambda: sandbox.emulator.uploaded_files)
    assert chart.channels == (f"D{ALICE}",)
    figures, _comment = sandbox.emulator.messages(f"D{ALICE}")
    assert scope_lines(figures)["*The whole workspace*"] == WORKSPACE_EXPECTED


def test_insights_parses_alone_in_any_case() -> None:
    assert parse_favor("insights") == FavorInsights()
    assert parse_favor("  Insights ") == FavorInsights()
    assert parse_favor("insights please") == FavorUsage("`/favor insights` takes nothing after it.")
    typo = parse_favor("insight")
    assert isinstance(typo, FavorUsage)
    assert typo.problem == "I don't know `/favor insight`. Did you mean `/favor insights`?"
