"""`/favor @a what they did [size]` end to end: the private confirmation, **Thank publicly**,
usage help, and every refusal (nothing recorded, nothing posted)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.models import Credit
from bot.sandbox.harness import Sandbox
from bot.slack.ids import FAVOR_COMMAND, FAVOR_THANK_PUBLICLY
from slack_emulator import Message, SlackChannel
from tests.support import AnswerlessSlack, Clock, send_forms_at_once, unused_port

ALICE, BOB, CAROL = "U0ALICE01", "U0BOB0002", "U0CAROL03"
BOT, FORMER = "U0DEPLOY9", "U0FRANK06"
GENERAL = "C0GENERAL"


LAUNCH = "C0LAUNCH01"  # private


def credits(sessions: sessionmaker[Session]) -> list[Credit]:
    with sessions() as session:
        return list(session.scalars(select(Credit).order_by(Credit.id)))


def favor(sandbox: Sandbox, user: str, text: str, channel: str = GENERAL) -> Message:
    """Run `/favor text`; return what Slack showed (always private for these commands)."""
    delivery, shown = sandbox.driver.slash_command(user, FAVOR_COMMAND, text, channel)
    assert delivery.status == 200, delivery.body
    assert shown is not None
    assert shown.ephemeral_for == user
    return shown


def public(sandbox: Sandbox, channel: str = GENERAL) -> list[Message]:
    return sandbox.emulator.messages(channel, ephemeral=False)


def everything(message: Message) -> str:
    return message.text + str(message.blocks)


def test_a_favour_is_logged_privately_with_its_size(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    shown = favor(sandbox, ALICE, f"<@{BOB}|bob> moved my desk   to the window medium")

    assert "<@U0BOB0002> did you a medium favour" in shown.text
    assert "Only you and <@U0BOB0002> can see it." in shown.text  # his history shows it
    assert "moved my desk to the window" in str(shown.blocks)
    assert public(sandbox) == []
    [credit] = credits(sessions)
    assert (credit.helper_id, credit.helped_id, credit.kind) == (BOB, ALICE, "favor")
    assert credit.weight == 2
    assert credit.reason == "moved my desk to the window"
    assert credit.channel_id == GENERAL
    assert credit.created_at == clock.now
    assert credit.retracted_at is None


@pytest.mark.parametrize(("size", "weight"), [("", 1), (" small", 1), (" BIG", 3)])
def test_weights(sandbox: Sandbox, sessions: sessionmaker[Session], size: str, weight: int) -> None:
    favor(sandbox, ALICE, f"<@{BOB}> covered my on-call{size}")
    [credit] = credits(sessions)
    assert credit.weight == weight
    assert credit.reason == "covered my on-call"


def test_a_misspelled_size_stays_in_the_description(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    favor(sandbox, ALICE, f"<@{BOB}> covered my on-call bigg")
    [credit] = credits(sessions)
    assert (credit.weight, credit.reason) == (1, "covered my on-call bigg")


def test_thank_publicly_posts_one_shout_out_and_retires_the_button(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    shown = favor(sandbox, ALICE, f"<@{BOB}> reviewed my talk <!channel> big")

    delivery = sandbox.driver.click(ALICE, shown, FAVOR_THANK_PUBLICLY)

    assert delivery.status == 200
    [shout_out] = public(sandbox)
    assert "<@U0BOB0002> did a favour for <@U0ALICE01>" in shout_out.text
    assert "reviewed my talk" in str(shout_out.blocks)
    assert "<!channel>" not in everything(shout_out)  # the channel is not paged
    [confirmation] = sandbox.emulator.messages(GENERAL, ephemeral=True)
    assert confirmation.ts == shown.ts and confirmation.edited
    assert FAVOR_THANK_PUBLICLY not in str(confirmation.blocks)
    assert "Shared in the channel" in str(confirmation.blocks)

    # The stale copy of the button, clicked again: a private answer, no second shout-out.
    sandbox.driver.click(ALICE, shown, FAVOR_THANK_PUBLICLY)
    assert len(public(sandbox)) == 1
    notes = [m for m in sandbox.emulator.messages(GENERAL, ephemeral=True) if m.ts != shown.ts]
    assert [note.text for note in notes] == ["That favour is already shared in the channel."]
    [credit] = credits(sessions)
    assert credit.quotable is True  # shared in a public channel: the digest may quote it


def test_a_favour_is_quotable_only_once_shared_in_a_public_channel(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    bot = sandbox.emulator.bot_user_id
    channel = SlackChannel(id=LAUNCH, name="launch", is_private=True, members={ALICE, BOB, bot})
    sandbox.emulator.add_channel(channel)
    logged = favor(sandbox, ALICE, f"<@{BOB}> covered my shift", LAUNCH)
    [credit] = credits(sessions)
    assert credit.quotable is False  # logged privately
    assert sandbox.driver.click(ALICE, logged, FAVOR_THANK_PUBLICLY).status == 200
    assert "covered my shift" in str(public(sandbox, LAUNCH)[0].blocks)
    [credit] = credits(sessions)
    assert credit.quotable is False  # shared, but in a private channel


def test_a_favour_shared_where_slack_would_not_say_waits_to_be_asked_about_again(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    logged = favor(sandbox, ALICE, f"<@{BOB}> covered my shift")
    sandbox.emulator.refuse("conversations.info", "ratelimited")
    assert sandbox.driver.click(ALICE, logged, FAVOR_THANK_PUBLICLY).status == 200
    assert "covered my shift" in str(public(sandbox)[0].blocks)  # shared all the same
    [credit] = credits(sessions)
    assert credit.quotable is None  # not known: asked again (tests/digest/test_digest.py)


def test_a_shout_out_that_never_reached_slack_can_be_shared_with_the_next_click(
    sandbox: Sandbox,
) -> None:
    shown = favor(sandbox, ALICE, f"<@{BOB}> fed my cat")
    refused = sandbox.driver.block_action_payload(ALICE, shown, FAVOR_THANK_PUBLICLY)
    refused["response_url"] = f"http://127.0.0.1:{unused_port()}/response/T0SANDBOX/1"
    assert sandbox.driver.send_interaction(refused).status == 503  # Slack shows it failed
    assert public(sandbox) == []
    with sandbox.sessions() as session:
        assert session.scalars(select(Credit.quotable)).all() == [False]  # private again

    assert sandbox.driver.click(ALICE, shown, FAVOR_THANK_PUBLICLY).status == 200
    [shout_out] = public(sandbox)
    assert "fed my cat" in str(shout_out.blocks)


def test_a_shout_out_whose_answer_was_lost_is_not_posted_again(sandbox: Sandbox) -> None:
    shown = favor(sandbox, ALICE, f"<@{BOB}> fed my cat")
    lost = sandbox.driver.block_action_payload(ALICE, shown, FAVOR_THANK_PUBLICLY)
    with AnswerlessSlack() as slack:
        lost["response_url"] = f"{slack.url}response/T0SANDBOX/1"
        sandbox.driver.send_interaction(lost)
    assert slack.requests == 1

    sandbox.driver.click(ALICE, shown, FAVOR_THANK_PUBLICLY)
    assert public(sandbox) == []  # Slack may have it: the favour stays shared
    notes = [m for m in sandbox.emulator.messages(GENERAL, ephemeral=True) if m.ts != shown.ts]
    assert [note.text for note in notes] == ["That favour is already shared in the channel."]


def test_simultaneous_clicks_post_one_shout_out(sandbox: Sandbox) -> None:
    shown = favor(sandbox, ALICE, f"<@{BOB}> fed my cat")
    payloads = [
        sandbox.driver.block_action_payload(ALICE, shown, FAVOR_THANK_PUBLICLY) for _ in range(4)
    ]
    start = threading.Barrier(len(payloads))
    statuses: list[int] = []

    def click(payload: dict[str, Any]) -> None:
        start.wait()
        statuses.append(sandbox.driver.send_interaction(payload).status)

    threads = [threading.Thread(target=click, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * 4
    assert len(public(sandbox)) == 1


def test_only_the_person_who_logged_it_can_share_it(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    shown = favor(sandbox, ALICE, f"<@{BOB}> fed my cat")
    sandbox.driver.click(CAROL, shown, FAVOR_THANK_PUBLICLY)  # a forged click
    assert public(sandbox) == []
    [note] = [m for m in sandbox.emulator.messages(GENERAL) if m.ephemeral_for == CAROL]
    assert "Only the person who logged this favour can share it" in note.text

    sandbox.driver.click(ALICE, shown, FAVOR_THANK_PUBLICLY)  # Alice still can
    assert len(public(sandbox)) == 1


@pytest.mark.parametrize("value", ["not-a-number", "999999", ""])
def test_a_button_naming_no_favour_changes_nothing(sandbox: Sandbox, value: str) -> None:
    shown = favor(sandbox, ALICE, f"<@{BOB}> fed my cat")
    sandbox.driver.click(ALICE, shown, FAVOR_THANK_PUBLICLY, value=value)
    assert public(sandbox) == []
    last = sandbox.emulator.messages(GENERAL, ephemeral=True)[-1]
    assert "no longer works" in last.text or "can't find that favour" in last.text


def test_an_undone_favour_cannot_be_shared(sandbox: Sandbox) -> None:
    shown = favor(sandbox, ALICE, f"<@{BOB}> fed my cat")
    favor(sandbox, ALICE, "undo")
    sandbox.driver.click(ALICE, shown, FAVOR_THANK_PUBLICLY)
    assert public(sandbox) == []
    last = sandbox.emulator.messages(GENERAL, ephemeral=True)[-1]
    assert "You undid that favour" in last.text


def test_the_same_command_delivered_twice_is_logged_once(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    payload = sandbox.driver.command_payload(ALICE, FAVOR_COMMAND, f"<@{BOB}> fixed CI", GENERAL)
    first = sandbox.driver.send_form(payload).json()
    second = sandbox.driver.send_form(payload).json()

    assert FAVOR_THANK_PUBLICLY in str(first["blocks"])
    assert second == {
        "response_type": "ephemeral",
        "text": "That favour was already logged; each one counts once.",
    }
    assert len(credits(sessions)) == 1


@pytest.mark.parametrize("text", ["", "help", "  Help  "])
def test_favor_alone_or_help_shows_the_usage(sandbox: Sandbox, text: str) -> None:
    shown = favor(sandbox, ALICE, text)
    assert shown.text.startswith("*Here's what `/favor` can do:*")
    for usage in ("/favor @someone what they did", "/favor ask", "/favor offer", "/favor undo"):
        assert usage in shown.text


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("thanks <@U0BOB0002>", "To thank someone in public, type `/thanks @someone"),
        ("balanse", "Did you mean `/favor balance`?"),
        (f"<@{BOB}>", "What did <@U0BOB0002> do for you?"),
        (f"<@{BOB}> medium", "What did <@U0BOB0002> do for you?"),
        (f"<@{BOB}> " + "x" * 1001, "the limit is 1,000"),
        ("@nobody fixed the build", "couldn't tell who that is"),
        (f"<@{BOB}> <@{CAROL}> fixed the build", "one person at a time"),
        ("ask", "What do you need a hand with?"),
        ("offer", "What would you like to offer?"),
    ],
)
def test_bad_text_gets_the_usage_privately_and_records_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session], text: str, problem: str
) -> None:
    shown = favor(sandbox, ALICE, text)
    # One line that says what to type instead; the whole help only on `/favor help`.
    assert problem in shown.text
    assert "\n" not in shown.text
    assert shown.text.endswith("`/favor help` lists the rest.")
    assert "Here's what `/favor` can do" not in shown.text
    assert public(sandbox) == []
    assert credits(sessions) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (f"<@{ALICE}> did my work", "can't log one for yourself"),
        (f"<@{BOT}> deployed my branch", "is a bot"),
        (f"<@{FORMER}> taught me SQL", "no longer active"),
        ("<@U0NOBODY9> helped", "couldn't find <@U0NOBODY9>"),
    ],
)
def test_a_favour_only_counts_from_a_person_who_is_around(
    sandbox: Sandbox, sessions: sessionmaker[Session], text: str, problem: str
) -> None:
    shown = favor(sandbox, ALICE, text)
    assert problem in shown.text
    assert "/favor @someone what they did" in shown.text or "Pick people" in shown.text
    assert public(sandbox) == []
    assert credits(sessions) == []


def test_favours_logged_at_the_same_moment_stay_within_the_daily_cap(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    payloads = [
        sandbox.driver.command_payload(
            ALICE, FAVOR_COMMAND, f"<@{BOB}> fed my cat, day {n}", GENERAL
        )
        for n in range(8)
    ]
    deliveries = send_forms_at_once(sandbox.driver, payloads)

    assert [delivery.status for delivery in deliveries] == [200] * 8
    assert len(credits(sessions)) == 5


def test_favours_and_thanks_at_the_same_moment_share_the_daily_cap(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    # Both take the giver's lock before the one guarded statement: each must see what the
    # other recorded.
    payloads = [
        sandbox.driver.command_payload(
            ALICE, command, f"<@{BOB}> fed my cat, {command} {n}", GENERAL
        )
        for n in range(4)
        for command in ("/thanks", FAVOR_COMMAND)
    ]
    deliveries = send_forms_at_once(sandbox.driver, payloads)

    assert [delivery.status for delivery in deliveries] == [200] * 8
    assert len(credits(sessions)) == 5


def test_favours_share_the_daily_cap_and_the_no_repeat_rule_with_thanks(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    favor(sandbox, ALICE, f"<@{BOB}> watered my plants")
    shown = favor(sandbox, ALICE, f"<@{BOB}> Watered my   plants big")
    assert "already credited <@U0BOB0002> for that today" in shown.text
    for n in range(4):
        sandbox.driver.slash_command(ALICE, "/thanks", f"<@{BOB}> for thing {n}", GENERAL)
    shown = favor(sandbox, ALICE, f"<@{BOB}> one more thing")
    assert "5 times today" in shown.text
    assert len(credits(sessions)) == 5

    clock.advance(days=1, seconds=1)
    favor(sandbox, ALICE, f"<@{BOB}> watered my plants")
    assert len(credits(sessions)) == 6
