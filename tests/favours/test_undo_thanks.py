"""`/favor undo` of a thanks, end to end: the message that celebrated it (a /thanks, the
Thank for this form, the weekly prompt's public thanks) is edited to name only those still
thanked, or to say the thanks were taken back; a /thanks the bot could not post itself is
followed up through its command's response_url while that lives; the other person is told
privately; only the giver takes a thanks back."""

from __future__ import annotations

import pytest
from slack_sdk.webhook import WebhookClient
from sqlalchemy.orm import Session, sessionmaker

from bot.prompts.answers import PUBLIC
from bot.sandbox.harness import Sandbox
from bot.slack.ids import FORGET_ME_CONFIRM
from slack_emulator import Message, SlackChannel
from tests.asks.test_asks_offers import credits, now
from tests.favours.test_undo import dms, snapshot, undo
from tests.privacy.test_forget_me import ask_to_forget, click
from tests.prompts.test_prompts import answers, open_form, prompt_for
from tests.prompts.test_prompts import submit as submit_prompt
from tests.rhythm import configure
from tests.support import Clock
from tests.thanks.test_thank_shortcut import form, open_modal
from tests.thanks.test_thank_shortcut import submit as submit_form

ALICE, BOB, CAROL, DAVE = "U0ALICE01", "U0BOB0002", "U0CAROL03", "U0DAVE004"
GENERAL, SECRET = "C0GENERAL", "C0SECRET1"
PLATFORM = "<!subteam^S0PLATFORM|@platform-team>"  # Carol and Dave, as Alice thanks them
TAKEN_BACK = ":leftwards_arrow_with_hook: <@U0ALICE01> took back these thanks."


def thank(sandbox: Sandbox, user: str, text: str, channel: str = GENERAL) -> Message:
    """Send /thanks; return its celebration, once posted."""
    delivery, _ = sandbox.driver.slash_command(user, "/thanks", text, channel)
    assert delivery.status == 200
    sandbox.settle()
    return sandbox.emulator.messages(channel, ephemeral=False)[-1]


def public(sandbox: Sandbox, channel: str = GENERAL) -> list[str]:
    return [m.text for m in sandbox.emulator.messages(channel, ephemeral=False)]


# A /thanks the bot posted


def test_undo_takes_the_person_off_the_thanks_message_then_says_they_were_taken_back(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    celebration = thank(sandbox, ALICE, f"<@{BOB}> <@{CAROL}> for the offsite #care")
    clock.advance(hours=23)  # far beyond the life of the command's response_url

    first = undo(sandbox, ALICE)

    assert "Undone: you thanked <@U0CAROL03> (for the offsite)" in first
    assert "I've taken <@U0CAROL03> off the thanks message in <#C0GENERAL>." in first
    assert "I've let <@U0CAROL03> know privately." in first
    edited = now(sandbox, celebration)
    assert edited.edited and edited.text.startswith(
        ":sparkles: <@U0BOB0002> — thank you from <@U0ALICE01>! for the offsite"
    )
    assert "for the offsite" in str(edited.blocks) and "#care" in str(edited.blocks)
    assert "U0CAROL03" not in str(edited.blocks)
    assert len(dms(sandbox, CAROL)) == 1 and dms(sandbox, BOB) == []

    second = undo(sandbox, ALICE)

    assert "Undone: you thanked <@U0BOB0002>" in second
    assert "The thanks message in <#C0GENERAL> now says you took them back." in second
    taken_back = now(sandbox, celebration)
    assert taken_back.text == TAKEN_BACK and str(taken_back.blocks).count("sparkles") == 0
    assert len(dms(sandbox, BOB)) == 1
    assert public(sandbox) == [TAKEN_BACK]  # edited in place, nothing posted beside it
    assert sandbox.emulator.calls_to("response_url") == []
    assert all(credit.retracted_at == clock.now for credit in credits(sessions))


def test_a_group_stays_on_the_message_while_any_of_its_members_is_thanked(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    celebration = thank(sandbox, ALICE, f"<@{BOB}> and {PLATFORM} for the migration")
    assert celebration.text.startswith(f":sparkles: <@{BOB}> and {PLATFORM} — thank you")

    assert "you thanked <@U0DAVE004>" in undo(sandbox, ALICE)
    assert now(sandbox, celebration).text.startswith(f":sparkles: <@{BOB}> and {PLATFORM} —")
    assert "you thanked <@U0CAROL03>" in undo(sandbox, ALICE)
    assert now(sandbox, celebration).text.startswith(f":sparkles: <@{BOB}> — thank you")
    assert "you thanked <@U0BOB0002>" in undo(sandbox, ALICE)
    assert now(sandbox, celebration).text == TAKEN_BACK


@pytest.mark.parametrize("refusal", ["message_not_found", "cant_update_message"])
def test_slack_refusing_the_edit_is_told_to_the_giver_plainly(
    sandbox: Sandbox, sessions: sessionmaker[Session], refusal: str
) -> None:
    celebration = thank(sandbox, ALICE, f"<@{BOB}> for the deploy")
    sandbox.emulator.refuse("chat.update", refusal)

    answer = undo(sandbox, ALICE)

    assert "Undone: you thanked <@U0BOB0002> (for the deploy)" in answer
    assert (
        "I couldn't change the thanks message in <#C0GENERAL>: Slack wouldn't let me (it may "
        "have been deleted), so it stays as it was. The thanks no longer count all the same."
    ) in answer
    assert "I've let <@U0BOB0002> know privately." in answer
    [call] = sandbox.emulator.calls_to("chat.update")
    assert call.error == refusal
    assert not now(sandbox, celebration).edited
    assert len(dms(sandbox, BOB)) == 1
    assert credits(sessions)[0].retracted_at is not None


def test_someone_thanked_cannot_take_back_what_they_were_given(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    celebration = thank(sandbox, ALICE, f"<@{BOB}> for the deploy")
    before = snapshot(sessions)

    answer = undo(sandbox, BOB)

    assert "There's nothing of yours to undo" in answer
    assert snapshot(sessions) == before
    assert not now(sandbox, celebration).edited and dms(sandbox, ALICE) == []


def test_someone_forgotten_is_not_named_again_when_the_message_is_edited(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    celebration = thank(sandbox, ALICE, f"<@{BOB}> <@{CAROL}> <@{DAVE}> for the move")
    click(sandbox, BOB, ask_to_forget(sandbox, BOB), FORGET_ME_CONFIRM)
    sandbox.settle()  # what forget-me clears in Slack, after answering

    assert "I've taken <@U0DAVE004> off the thanks message" in undo(sandbox, ALICE)

    edited = now(sandbox, celebration)
    assert edited.text.startswith(":sparkles: <@U0CAROL03> — thank you from <@U0ALICE01>!")
    assert BOB not in str(edited.blocks)


# The form and the weekly prompt


def test_a_thanks_from_the_form_is_taken_off_its_message_under_the_thanked_message(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    bobs = sandbox.emulator.post_user_message(GENERAL, BOB, "Here is how to roll back")
    view = open_modal(sandbox, ALICE, bobs)
    assert submit_form(sandbox, ALICE, view, form([BOB, CAROL])) == {}
    celebration = sandbox.emulator.messages(GENERAL, ephemeral=False)[-1]
    assert celebration.thread_ts == bobs.ts and f"<@{CAROL}>" in celebration.text

    first = undo(sandbox, ALICE)

    assert "I've taken <@U0CAROL03> off the thanks message in <#C0GENERAL>." in first
    edited = now(sandbox, celebration)
    assert edited.text.startswith(":sparkles: <@U0BOB0002> — thank you from <@U0ALICE01>!")
    assert "for walking me through the rollback" in str(edited.blocks)
    assert "U0CAROL03" not in edited.text

    assert "now says you took them back" in undo(sandbox, ALICE)
    assert now(sandbox, celebration).text == TAKEN_BACK
    assert len(dms(sandbox, BOB)) == len(dms(sandbox, CAROL)) == 1


def test_a_weekly_prompts_public_thanks_is_taken_off_its_celebration(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    configure(sessions, digest_channel_id=GENERAL)
    prompt = prompt_for(sandbox, clock)
    view = open_form(sandbox, prompt, [BOB, CAROL])
    said = answers({BOB: ("the review", PUBLIC), CAROL: ("the on-call swap", PUBLIC)})
    assert submit_prompt(sandbox, view, said) == {}
    [celebration] = sandbox.emulator.messages(GENERAL, ephemeral=False)
    assert "the on-call swap" in str(celebration.blocks)

    answer = undo(sandbox, ALICE)

    assert "Undone: you thanked <@U0CAROL03> (the on-call swap)" in answer
    assert "I've taken <@U0CAROL03> off the thanks message in <#C0GENERAL>." in answer
    edited = now(sandbox, celebration)
    assert edited.text.startswith(":sparkles: <@U0BOB0002> — thank you from <@U0ALICE01>!")
    assert "the review" in str(edited.blocks)
    assert "on-call" not in str(edited.blocks) and "U0CAROL03" not in str(edited.blocks)

    assert "now says you took them back" in undo(sandbox, ALICE)
    assert now(sandbox, celebration).text == TAKEN_BACK


# A /thanks the bot could not post: its command's answer, followed up through response_url


@pytest.fixture
def secret(sandbox: Sandbox) -> str:
    """A private channel Goodwill is not in: it may not post there."""
    sandbox.emulator.add_channel(
        SlackChannel(SECRET, "secret", is_private=True, members={ALICE, BOB, CAROL})
    )
    return SECRET


def test_a_thanks_taken_back_within_30_minutes_is_said_under_it_and_the_helper_is_told(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock, secret: str
) -> None:
    thank(sandbox, ALICE, f"<@{BOB}> for the deploy", secret)
    [credit] = credits(sessions)
    assert credit.response_url is not None and "/commands/" in credit.response_url
    clock.advance(minutes=29)

    answer = undo(sandbox, ALICE)

    assert "Undone: you thanked <@U0BOB0002> (for the deploy)" in answer
    assert "I've said so in <#C0SECRET1>, under the thanks" in answer
    assert "I've let <@U0BOB0002> know privately" in answer
    said = public(sandbox, secret)
    assert len(said) == 2 and "thank you from <@U0ALICE01>" in said[0]
    assert said[1] == (
        ":leftwards_arrow_with_hook: <@U0ALICE01> took back their thanks to <@U0BOB0002> above."
    )
    [note] = dms(sandbox, BOB)
    assert "<@U0ALICE01> took back the thanks they gave you" in note.text
    assert "deploy" not in note.text
    [credit] = credits(sessions)
    assert credit.retracted_at == clock.now


def test_a_thanks_taken_back_after_30_minutes_leaves_its_message_and_says_so(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock, secret: str
) -> None:
    thank(sandbox, ALICE, f"<@{BOB}> for the deploy", secret)
    clock.advance(minutes=31)

    answer = undo(sandbox, ALICE)

    assert "The thanks message in <#C0SECRET1> stays" in answer
    assert "only a few times within 30 minutes. The thanks no longer count all the same." in (
        answer
    )
    assert len(public(sandbox, secret)) == 1
    assert len(dms(sandbox, BOB)) == 1
    assert credits(sessions)[0].retracted_at == clock.now


def test_a_response_url_slack_no_longer_takes_leaves_the_message_and_says_so(
    sandbox: Sandbox, sessions: sessionmaker[Session], secret: str
) -> None:
    """Slack takes five posts on a response_url (the celebration was the first): used up,
    the follow-up cannot be said."""
    thank(sandbox, ALICE, f"<@{BOB}> for the deploy", secret)
    [credit] = credits(sessions)
    assert credit.response_url is not None
    hook = WebhookClient(credit.response_url)
    for _ in range(4):
        assert hook.send_dict({"text": "still here"}).status_code == 200
    assert hook.send_dict({"text": "once too often"}).status_code == 404

    answer = undo(sandbox, ALICE)

    assert "The thanks message in <#C0SECRET1> stays" in answer
    assert len(public(sandbox, secret)) == 1
    assert credits(sessions)[0].retracted_at is not None


def test_undo_twice_takes_back_one_credit_each_time_then_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock, secret: str
) -> None:
    thank(sandbox, ALICE, f"<@{BOB}> <@{CAROL}> for the offsite", secret)
    clock.advance(minutes=1)

    first = undo(sandbox, ALICE)
    second = undo(sandbox, ALICE)
    before = snapshot(sessions)
    third = undo(sandbox, ALICE)

    assert "you thanked <@U0CAROL03>" in first and "you thanked <@U0BOB0002>" in second
    assert "There's nothing of yours to undo from the last 24 hours" in third
    assert snapshot(sessions) == before
    assert all(credit.retracted_at == clock.now for credit in credits(sessions))
    assert [len(dms(sandbox, person)) for person in (BOB, CAROL)] == [1, 1]
    assert public(sandbox, secret)[1:] == [
        ":leftwards_arrow_with_hook: <@U0ALICE01> took back their thanks to <@U0CAROL03> above.",
        ":leftwards_arrow_with_hook: <@U0ALICE01> took back their thanks to <@U0BOB0002> above.",
    ]
