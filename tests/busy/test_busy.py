"""Capacity end to end: `/favor busy` in each of its forms, its end by itself, `/favor
available`, the Home's button, nudges that never ask a busy member to give, and an offer
clicked while its author is busy. On both databases, through the emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.busy.rules import busy_among, is_busy, not_busy
from bot.models import BusySpell, Member
from bot.sandbox.harness import Sandbox
from bot.slack.ids import FAVOR_COMMAND, FORGET_ME_CONFIRM, HOME_AVAILABLE, HOME_BUSY, OFFER_TAKE
from slack_emulator import Message
from tests.home_tab import elements, home, home_click, shown_home, text_of
from tests.nudging import give, who, with_goodwill_since_june
from tests.support import Clock

ALICE, BOB, CAROL, DAVE = "U0ALICE01", "U0BOB0002", "U0CAROL03", "U0DAVE004"
DEPLOYBOT = "U0DEPLOY9"
TEAM, GENERAL = "T0SANDBOX", "C0GENERAL"
# The clock starts on Monday 23 November 2026, 10:00 UTC: 05:00 in New York (Bob).
SUNDAY_NIGHT_NEW_YORK = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)


def favor(sandbox: Sandbox, user: str, text: str) -> Message:
    delivery, shown = sandbox.driver.slash_command(user, FAVOR_COMMAND, text, GENERAL)
    assert delivery.status == 200, delivery.body
    assert shown is not None and shown.ephemeral_for == user
    return shown


def spell(sessions: sessionmaker[Session], user: str) -> tuple[datetime, str | None] | None:
    with sessions() as session:
        row = session.get(BusySpell, (TEAM, user))
        return None if row is None else (row.until, row.instead_id)


def busy_now(sessions: sessionmaker[Session], user: str, now: datetime) -> bool:
    with sessions() as session:
        return is_busy(session, TEAM, user, now)


@pytest.mark.parametrize(
    ("text", "until"),
    [
        ("busy", SUNDAY_NIGHT_NEW_YORK),
        ("busy this week", SUNDAY_NIGHT_NEW_YORK),
        ("busy for 3 days", datetime(2026, 11, 26, 10, 0, tzinfo=UTC)),
        ("busy until 2026-12-02", datetime(2026, 12, 3, 5, 0, tzinfo=UTC)),
        ("busy until Wednesday", datetime(2026, 11, 26, 5, 0, tzinfo=UTC)),
        ("busy until tomorrow", datetime(2026, 11, 25, 5, 0, tzinfo=UTC)),
    ],
)
def test_each_form_of_the_duration_and_its_end_by_itself(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock, text: str, until: datetime
) -> None:
    shown = favor(sandbox, BOB, text)

    assert shown.text.startswith(":hourglass: You're at capacity until <!date^")
    assert f"|{until:%Y-%m-%d %H:%M} UTC>" in shown.text
    assert spell(sessions, BOB) == (until, None)
    assert busy_now(sessions, BOB, clock.now)
    # Nothing public: no message in the channel.
    assert sandbox.emulator.messages(GENERAL, ephemeral=False) == []

    clock.now = until - timedelta(seconds=1)
    assert busy_now(sessions, BOB, clock.now)
    assert "You're at capacity" in text_of(shown_home(sandbox, BOB))
    clock.now = until
    assert not busy_now(sessions, BOB, clock.now)
    view = shown_home(sandbox, BOB)
    assert "You're at capacity" not in text_of(view)
    assert [e["value"] for _, e in elements(view, HOME_BUSY)] == ["this week"]


def test_naming_someone_to_ask_instead_and_available_again(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    shown = favor(sandbox, BOB, f"busy for 2 days ask <@{CAROL}|carol> instead")
    assert shown.text.endswith(f"Those who reach for you will hear that <@{CAROL}> may help.")
    assert spell(sessions, BOB) == (clock.now + timedelta(days=2), CAROL)
    assert "You named <@U0CAROL03> to ask instead." in text_of(shown_home(sandbox, BOB))

    assert favor(sandbox, BOB, "available").text == ":white_check_mark: You're available again."
    assert spell(sessions, BOB) is None
    again = favor(sandbox, BOB, "available")
    assert again.text == "You weren't marked busy, so nothing changed: you're available."


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("busy until someday", "I don't know the date `someday`."),
        ("busy until 2026-02-30", "I don't know the date `2026-02-30`."),
        ("busy until 2026-11-01", "That date has passed. Pick a day from today on."),
        ("busy until 2027-06-01", "That's more than 90 days away. Pick a nearer day."),
        ("busy for 0 days", "Between 1 and 90 days, please."),
        ("busy for 91 days", "Between 1 and 90 days, please."),
        ("busy next year", "I couldn't tell how long you'll be busy."),
        (f"busy ask <@{BOB}> instead", "Name someone else to ask instead: you're the one"),
        (f"busy ask <@{DEPLOYBOT}> instead", "Deploy Bot is a bot or no longer here."),
        ("busy ask carol instead", "To name who may help instead, end with `ask @someone"),
        ("available now", "`/favor available` takes nothing after it."),
    ],
)
def test_bad_input_says_what_to_type_and_changes_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session], text: str, answer: str
) -> None:
    shown = favor(sandbox, BOB, text)
    assert shown.text.startswith(answer), shown.text
    assert spell(sessions, BOB) is None


def test_the_home_button_sets_and_ends_it(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    view = shown_home(sandbox, BOB)
    assert "*Capacity*: available." in text_of(view)
    assert elements(view, HOME_AVAILABLE) == []

    assert home_click(sandbox, BOB, HOME_BUSY).status == 200
    assert spell(sessions, BOB) == (SUNDAY_NIGHT_NEW_YORK, None)
    view = home(sandbox, BOB)
    assert "You're at capacity" in text_of(view)
    assert elements(view, HOME_BUSY) == []
    # A second click on the old button sets the same state again, never flips it back.
    assert home_click(sandbox, BOB, HOME_BUSY, value="this week").status == 200
    assert spell(sessions, BOB) == (SUNDAY_NIGHT_NEW_YORK, None)

    assert home_click(sandbox, BOB, HOME_AVAILABLE).status == 200
    assert spell(sessions, BOB) is None
    assert "*Capacity*: available." in text_of(home(sandbox, BOB))
    # Nobody else's Home says anything about it, not even the Home of whom he named.
    favor(sandbox, BOB, f"busy ask <@{CAROL}> instead")
    carols = text_of(shown_home(sandbox, CAROL))
    assert "*Capacity*: available." in carols
    assert BOB not in carols and "named" not in carols


# Monday 30 November 2026, 14:00 UTC: working hours for Bob in New York.
NUDGE_TIME = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)


def test_a_busy_member_is_never_asked_to_give_by_a_nudge(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    with_goodwill_since_june(sessions)  # no newcomers here: they are not nudged at all
    give(sessions, ALICE, BOB, NUDGE_TIME, weight=3)  # Bob owes Alice a thanks or a hand
    for helper in (ALICE, CAROL, DAVE, "U0ERIN005"):  # and was helped by four people
        give(sessions, helper, BOB, NUDGE_TIME)
    assert who(sessions, NUDGE_TIME) == {BOB: ("pair", ALICE)}

    clock.now = NUDGE_TIME - timedelta(hours=1)
    favor(sandbox, BOB, "busy for 2 days")
    assert who(sessions, NUDGE_TIME) == {}
    # Ended by itself: Wednesday, 10:00 in New York.
    assert who(sessions, clock.now + timedelta(days=2, hours=2)) == {BOB: ("pair", ALICE)}


def test_a_busy_member_may_still_be_encouraged_to_ask(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    with_goodwill_since_june(sessions)
    for helped in (ALICE, CAROL, DAVE, "U0ERIN005"):
        give(sessions, BOB, helped, NUDGE_TIME - timedelta(days=1))
    clock.now = NUDGE_TIME - timedelta(hours=1)
    favor(sandbox, BOB, "busy for 2 days")
    assert who(sessions, NUDGE_TIME) == {BOB: ("ask_too", None)}


def offer_message(sandbox: Sandbox, user: str, text: str) -> Message:
    delivery, _ = sandbox.driver.slash_command(user, FAVOR_COMMAND, text, GENERAL)
    assert delivery.status == 200, delivery.body
    return sandbox.emulator.messages(GENERAL, ephemeral=False)[-1]


def clicked_note(sandbox: Sandbox, user: str) -> str:
    [*_, last] = [
        m.text
        for m in sandbox.emulator.messages(ephemeral=True)
        if m.ephemeral_for == user and m.source == "response_url"
    ]
    return last


def test_an_offer_clicked_while_its_author_is_busy_names_whom_they_named(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    offer = offer_message(sandbox, BOB, "offer a review of your slides")
    favor(sandbox, BOB, f"busy for 2 days ask <@{CAROL}> instead")

    assert sandbox.driver.click(DAVE, offer, OFFER_TAKE).status == 200

    note = clicked_note(sandbox, DAVE)
    until = clock.now + timedelta(days=2)
    assert note.endswith(
        f"<@{BOB}> is busy until <!date^{int(until.timestamp())}^{{date_short_pretty}} "
        f"{{time}}|{until:%Y-%m-%d %H:%M} UTC>; <@{CAROL}> may help."
    ), note
    # Bob still hears of it, and may answer when he is back.
    [told] = sandbox.emulator.calls_to("chat.postMessage")[1:]
    assert told.args["channel"] == BOB

    # Once it has ended, a click says nothing about it.
    clock.advance(days=2)
    assert sandbox.driver.click(ALICE, offer, OFFER_TAKE).status == 200
    assert "busy" not in clicked_note(sandbox, ALICE)


def test_an_ask_naming_a_busy_member_tells_the_asker_privately_whom_they_named(
    sandbox: Sandbox, clock: Clock
) -> None:
    favor(sandbox, BOB, f"busy for 2 days ask <@{CAROL}> instead")
    favor(sandbox, ALICE, "busy for 1 day")
    text = f"ask <@{BOB}|bob> and <@{ALICE}>, or <@{DAVE}>: a review of my slides"

    delivery, shown = sandbox.driver.slash_command(DAVE, FAVOR_COMMAND, text, GENERAL)

    assert delivery.status == 200, delivery.body
    assert shown is not None and shown.ephemeral_for == DAVE
    bob_until = int((clock.now + timedelta(days=2)).timestamp())
    assert shown.text.startswith("Your ask is posted. Heads-up: ")
    assert f"<@{BOB}> is busy until <!date^{bob_until}^" in shown.text
    assert f"; <@{CAROL}> may help. <@{ALICE}> is busy until" in shown.text
    assert shown.text.endswith("UTC>.") and DAVE not in shown.text
    # The ask itself is in the channel for everyone, and says nothing of anyone's capacity.
    posted = sandbox.emulator.messages(GENERAL, ephemeral=False)[-1]
    assert "review of my slides" in posted.text and "busy" not in posted.text

    # Nobody named is busy any more: nothing but the ask.
    clock.advance(days=2)
    delivery, shown = sandbox.driver.slash_command(DAVE, FAVOR_COMMAND, text, GENERAL)
    assert delivery.status == 200 and shown is None


def test_the_condition_for_suggestions_agrees_with_the_function(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    favor(sandbox, BOB, "busy for 1 day")
    favor(sandbox, CAROL, "busy for 3 days")
    for at in (clock.now, clock.now + timedelta(days=2), clock.now + timedelta(days=4)):
        with sessions() as session:
            free = set(
                session.scalars(
                    select(Member.user_id).where(Member.team_id == TEAM, not_busy(Member, at))
                )
            )
            busy = busy_among(session, TEAM, [ALICE, BOB, CAROL], at)
            for user in (ALICE, BOB, CAROL):
                assert (
                    (user in free) == (user not in busy) == (not is_busy(session, TEAM, user, at))
                )


def test_forget_me_ends_their_spell_and_unnames_them(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    favor(sandbox, BOB, f"busy ask <@{CAROL}> instead")
    favor(sandbox, CAROL, f"busy ask <@{BOB}> instead")
    question = favor(sandbox, BOB, "forget-me")
    assert sandbox.driver.click(BOB, question, FORGET_ME_CONFIRM).status == 200

    assert spell(sessions, BOB) is None
    assert spell(sessions, CAROL) == (datetime(2026, 11, 29, 16, 0, tzinfo=UTC), None)
