"""Every button of a nudge DM, end to end: the sender posts the DM to the emulator, a person
clicks in it, and the real app answers (modals, DMs, updates, the database)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.models import Credit, OutboxMessage
from bot.nudges.offer_blocks import OFFER
from bot.sandbox.harness import Sandbox
from bot.scheduler.housekeeping import OUTBOX_KEPT
from bot.slack.ids import (
    NUDGE_NOT_NOW,
    NUDGE_OFFER_HELP,
    NUDGE_OFFER_MODAL,
    NUDGE_RESUME,
    NUDGE_SAY_THANKS,
    NUDGE_STOP,
    THANKS_MODAL,
)
from bot.thanks.modal import HELPER, PRIVATE, PUBLIC, REASON, VALUES, VISIBILITY
from slack_emulator import Message
from tests.nudging import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    ERIN,
    action_ids,
    add_nudge,
    give,
    member,
    nudges,
    sent_dm,
    set_member,
    who,
)
from tests.rhythm import configure
from tests.support import Clock

NOW = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # Monday, 09:00 in New York (Bob)
NEXT_WEEK = NOW + timedelta(days=7)
GENERAL = "C0GENERAL"


@pytest.fixture
def nudge(sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock) -> OutboxMessage:
    """Bob's nudge about Alice, sent. Bob also qualifies for give back, for later weeks."""
    give(sessions, ALICE, BOB, NOW - timedelta(hours=1), weight=3, reason="pairing on the test")
    give(sessions, ALICE, BOB, NOW - timedelta(hours=1), weight=2, reason="the rollback")
    for helper in (CAROL, DAVE, ERIN):
        give(sessions, helper, BOB, NOW - timedelta(hours=1))
    clock.now = NOW
    sandbox.tick(NOW)
    [row] = nudges(sessions, BOB)
    assert row.about_user_id == ALICE
    return row


def click(sandbox: Sandbox, user_id: str, dm: Message, action_id: str, **kw: Any) -> None:
    delivery = sandbox.driver.click(user_id, dm, action_id, **kw)
    assert delivery.status == 200 and delivery.body == "", delivery.body


def notes(sandbox: Sandbox, user_id: str, channel: str) -> list[str]:
    return [
        m.text
        for m in sandbox.emulator.messages(channel, ephemeral=True)
        if m.ephemeral_for == user_id
    ]


def dms_to(sandbox: Sandbox, user_id: str) -> list[Message]:
    return sandbox.emulator.messages(f"D{user_id}", ephemeral=False)


def credits(sessions: sessionmaker[Session]) -> list[Credit]:
    with sessions() as session:
        return list(session.scalars(select(Credit).order_by(Credit.id)))


def opened(sandbox: Sandbox, callback_id: str) -> dict[str, Any]:
    [view] = sandbox.emulator.open_views.values()
    assert view["callback_id"] == callback_id
    return view


def submit(sandbox: Sandbox, user_id: str, view: dict[str, Any], values: dict[str, Any]) -> Any:
    delivery = sandbox.driver.submit_view(user_id, view, values)
    assert delivery.status == 200, delivery.body
    return delivery.json()


def thanks_form(reason: str, visibility: str | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {
        HELPER: {HELPER: {"type": "users_select", "selected_user": ALICE}},
        REASON: {REASON: {"type": "plain_text_input", "value": reason}},
        VALUES: {VALUES: {"type": "plain_text_input", "value": "#care"}},
    }
    if visibility is not None:
        option = {"text": {"type": "plain_text", "text": visibility}, "value": visibility}
        state[VISIBILITY] = {VISIBILITY: {"type": "radio_buttons", "selected_option": option}}
    return state


def offer_form(text: str) -> dict[str, Any]:
    return {OFFER: {OFFER: {"type": "plain_text_input", "value": text}}}


def block_ids(view: dict[str, Any]) -> list[str]:
    return [block.get("block_id", "") for block in view["blocks"]]


# Say thanks


def test_say_thanks_opens_the_thanks_modal_for_the_helper_and_thanks_them_privately(
    sandbox: Sandbox, sessions: sessionmaker[Session], nudge: OutboxMessage
) -> None:
    dm = sent_dm(sandbox, nudge)
    click(sandbox, BOB, dm, NUDGE_SAY_THANKS)

    view = opened(sandbox, THANKS_MODAL)
    assert sandbox.emulator.view_owner(view["id"]) == BOB
    assert view["title"]["text"] == "Say thanks"
    [helper] = [b for b in view["blocks"] if b.get("block_id") == HELPER]
    assert helper["element"]["initial_users"] == [ALICE]
    assert VISIBILITY not in block_ids(view)  # no digest channel: private is the only way
    assert "go to them directly" in json.dumps(view["blocks"])

    answer = submit(sandbox, BOB, view, thanks_form("for pairing on the flaky test"))
    assert answer["response_action"] == "update"
    assert f"on their way to <@{ALICE}>" in json.dumps(answer["view"]["blocks"])
    [credit] = [c for c in credits(sessions) if c.kind == "thanks"]
    assert (credit.helper_id, credit.helped_id, credit.values) == (ALICE, BOB, ["care"])
    assert credit.reason == "for pairing on the flaky test" and credit.message_ts is None
    [thanked] = dms_to(sandbox, ALICE)
    assert thanked.text.startswith(f":sparkles: <@{BOB}> thanked you.")
    assert "for pairing on the flaky test" in str(thanked.blocks)
    assert sandbox.emulator.messages(GENERAL) == []
    # Thanked now: the pair is settled for the next 30 days.
    assert who(sessions, NEXT_WEEK) == {BOB: ("give_back", None)}


@pytest.mark.parametrize("visibility", [PUBLIC, PRIVATE])
def test_say_thanks_publicly_goes_to_the_digest_channel(
    sandbox: Sandbox, sessions: sessionmaker[Session], nudge: OutboxMessage, visibility: str
) -> None:
    configure(sessions, digest_channel_id=GENERAL)
    click(sandbox, BOB, sent_dm(sandbox, nudge), NUDGE_SAY_THANKS)
    view = opened(sandbox, THANKS_MODAL)
    assert VISIBILITY in block_ids(view)
    assert f"Public thanks are posted in <#{GENERAL}>" in json.dumps(view["blocks"])

    answer = submit(sandbox, BOB, view, thanks_form("for the rollback", visibility))
    [credit] = [c for c in credits(sessions) if c.kind == "thanks"]
    assert (credit.helper_id, credit.helped_id, credit.channel_id) == (ALICE, BOB, GENERAL)
    if visibility == PUBLIC:
        assert answer == {}
        [posted] = sandbox.emulator.messages(GENERAL)
        assert posted.thread_ts is None
        assert posted.text.startswith(f":sparkles: <@{ALICE}> — thank you from <@{BOB}>!")
        assert dms_to(sandbox, ALICE) == []
    else:
        assert answer["response_action"] == "update"
        assert sandbox.emulator.messages(GENERAL) == []
        [thanked] = dms_to(sandbox, ALICE)
        assert "for the rollback" in str(thanked.blocks)


def test_say_thanks_when_the_channel_is_out_of_reach_tells_them_directly(
    sandbox: Sandbox, sessions: sessionmaker[Session], nudge: OutboxMessage
) -> None:
    configure(sessions, digest_channel_id="C0GONE000")
    click(sandbox, BOB, sent_dm(sandbox, nudge), NUDGE_SAY_THANKS)
    assert submit(sandbox, BOB, opened(sandbox, THANKS_MODAL), thanks_form("x", PUBLIC)) == {}
    [thanked] = dms_to(sandbox, ALICE)
    assert thanked.text.startswith(f":sparkles: <@{BOB}> thanked you.")


def test_say_thanks_refusals_show_in_the_modal_and_record_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session], nudge: OutboxMessage
) -> None:
    click(sandbox, BOB, sent_dm(sandbox, nudge), NUDGE_SAY_THANKS)
    view = opened(sandbox, THANKS_MODAL)
    before = len(credits(sessions))
    answer = submit(sandbox, BOB, view, thanks_form("x" * 1001))
    assert answer["response_action"] == "errors" and list(answer["errors"]) == [REASON]
    answer = submit(sandbox, BOB, {**view, "private_metadata": "{}"}, thanks_form("ok"))
    assert answer["response_action"] == "errors"
    assert len(credits(sessions)) == before and dms_to(sandbox, ALICE) == []

    assert submit(sandbox, BOB, view, thanks_form("ok"))["response_action"] == "update"
    assert submit(sandbox, BOB, view, thanks_form("ok")) == {}  # a double submit: once
    assert len(credits(sessions)) == before + 1 and len(dms_to(sandbox, ALICE)) == 1


def test_say_thanks_for_someone_who_has_left_explains_privately(
    sandbox: Sandbox, sessions: sessionmaker[Session], nudge: OutboxMessage
) -> None:
    set_member(sessions, ALICE, is_deactivated=True)
    click(sandbox, BOB, sent_dm(sandbox, nudge), NUDGE_SAY_THANKS)
    assert sandbox.emulator.calls_to("views.open") == []
    [note] = notes(sandbox, BOB, f"D{BOB}")
    assert "no longer active in this workspace" in note
    click(sandbox, BOB, sent_dm(sandbox, nudge), NUDGE_OFFER_HELP)
    assert sandbox.emulator.calls_to("views.open") == []
    assert len(notes(sandbox, BOB, f"D{BOB}")) == 2


# Offer help


def test_offer_help_asks_what_and_passes_it_on_once(
    sandbox: Sandbox, sessions: sessionmaker[Session], nudge: OutboxMessage
) -> None:
    click(sandbox, BOB, sent_dm(sandbox, nudge), NUDGE_OFFER_HELP)
    view = opened(sandbox, NUDGE_OFFER_MODAL)
    assert sandbox.emulator.view_owner(view["id"]) == BOB
    assert f"What could you do for <@{ALICE}>?" in json.dumps(view["blocks"])

    for text, problem in (("   ", "Say what you could offer"), ("x" * 1001, "the limit is 1,000")):
        answer = submit(sandbox, BOB, view, offer_form(text))
        assert answer["response_action"] == "errors" and problem in answer["errors"][OFFER]
    assert dms_to(sandbox, ALICE) == []

    answer = submit(sandbox, BOB, view, offer_form("  Happy to review your next PR <!here>  "))
    assert answer["response_action"] == "update"
    assert f"on its way to <@{ALICE}>" in json.dumps(answer["view"]["blocks"])
    [offer] = dms_to(sandbox, ALICE)
    assert offer.text.startswith(f":gift: <@{BOB}> would like to give you a hand:")
    # Typed in a form, "<!here>" is words, shown as typed; it pages no one.
    assert "Happy to review your next PR &lt;!here&gt;" in offer.text
    assert "<!here>" not in offer.text + str(offer.blocks)
    dm = sent_dm(sandbox, nudge)
    assert dm.text.startswith(f":handshake: You offered <@{ALICE}> a hand") and dm.edited
    assert action_ids(dm) == []

    answer = submit(sandbox, BOB, view, offer_form("and lunch"))
    assert answer["response_action"] == "errors"
    assert "already sent them an offer" in answer["errors"][OFFER]
    assert "<@" not in answer["errors"][OFFER]
    assert len(dms_to(sandbox, ALICE)) == 1
    assert [c.kind for c in credits(sessions)].count("thanks") == 0  # an offer is not credit


def test_an_offer_form_that_lost_its_nudge_asks_to_start_again(
    sandbox: Sandbox, sessions: sessionmaker[Session], nudge: OutboxMessage
) -> None:
    click(sandbox, BOB, sent_dm(sandbox, nudge), NUDGE_OFFER_HELP)
    view = opened(sandbox, NUDGE_OFFER_MODAL)
    for metadata in ("", "[]", json.dumps({"key": nudge.dedupe_key})):
        answer = submit(sandbox, BOB, {**view, "private_metadata": metadata}, offer_form("hi"))
        assert "click Offer help in the nudge again" in answer["errors"][OFFER]
    assert dms_to(sandbox, ALICE) == []


# Not now


def test_not_now_sets_the_nudge_aside_kindly_and_records_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session], nudge: OutboxMessage
) -> None:
    before = len(credits(sessions))
    original = sent_dm(sandbox, nudge)
    for _ in range(2):  # a double click (on the message as it was) changes nothing more
        click(sandbox, BOB, original, NUDGE_NOT_NOW)
        dm = sent_dm(sandbox, nudge)
        assert dm.text.startswith(":ok_hand: No problem") and dm.edited
        assert action_ids(dm) == [NUDGE_STOP]
    assert member(sessions, BOB).nudges_opt_out is False
    assert len(credits(sessions)) == before
    assert notes(sandbox, BOB, f"D{BOB}") == []


# Stop these nudges, and back on


def test_stop_takes_effect_at_once_and_can_be_undone_from_the_same_message(
    sandbox: Sandbox, sessions: sessionmaker[Session], nudge: OutboxMessage
) -> None:
    add_nudge(sessions, BOB, NOW, kind="give_back", status="pending")  # planned, not yet sent
    original = sent_dm(sandbox, nudge)
    for _ in range(2):
        click(sandbox, BOB, original, NUDGE_STOP)
        assert member(sessions, BOB).nudges_opt_out is True
    dm = sent_dm(sandbox, nudge)
    assert dm.text.startswith(":no_bell: Done: no more nudges from me.")
    assert action_ids(dm) == [NUDGE_RESUME]
    pending = [row for row in nudges(sessions, BOB) if row.id != nudge.id]
    assert [row.status for row in pending] == ["expired"]
    assert who(sessions, NEXT_WEEK) == {}
    sandbox.tick(NEXT_WEEK)
    assert len(nudges(sessions, BOB)) == 2

    click(sandbox, BOB, dm, NUDGE_RESUME)
    assert member(sessions, BOB).nudges_opt_out is False
    dm = sent_dm(sandbox, nudge)
    assert dm.text.startswith(":bell: Nudges are back on.")
    assert action_ids(dm) == [NUDGE_STOP]
    sandbox.tick(NEXT_WEEK + timedelta(minutes=1))
    assert nudges(sessions, BOB)[-1].dedupe_key.split(":")[3] == "give_back"
    assert nudges(sessions, BOB)[-1].status == "sent"


def test_stop_from_a_not_now_message_works_too(
    sandbox: Sandbox, sessions: sessionmaker[Session], nudge: OutboxMessage
) -> None:
    click(sandbox, BOB, sent_dm(sandbox, nudge), NUDGE_NOT_NOW)
    click(sandbox, BOB, sent_dm(sandbox, nudge), NUDGE_STOP)
    assert member(sessions, BOB).nudges_opt_out is True


# Buttons pressed by the wrong person, or gone


@pytest.mark.parametrize(
    "action_id", [NUDGE_SAY_THANKS, NUDGE_OFFER_HELP, NUDGE_NOT_NOW, NUDGE_STOP]
)
def test_someone_else_cannot_use_a_nudges_buttons(
    sandbox: Sandbox, sessions: sessionmaker[Session], nudge: OutboxMessage, action_id: str
) -> None:
    dm = sent_dm(sandbox, nudge)
    click(sandbox, CAROL, dm, action_id)
    [note] = notes(sandbox, CAROL, f"D{BOB}")
    assert "This nudge was for someone else" in note and "Nothing was changed" in note
    assert sent_dm(sandbox, nudge) == dm  # untouched
    assert sandbox.emulator.calls_to("views.open") == []
    assert member(sessions, CAROL).nudges_opt_out is False
    assert member(sessions, BOB).nudges_opt_out is False


def test_resume_by_someone_else_is_refused(
    sandbox: Sandbox, sessions: sessionmaker[Session], nudge: OutboxMessage
) -> None:
    click(sandbox, BOB, sent_dm(sandbox, nudge), NUDGE_STOP)
    click(sandbox, CAROL, sent_dm(sandbox, nudge), NUDGE_RESUME)
    assert member(sessions, BOB).nudges_opt_out is True
    assert member(sessions, CAROL).nudges_opt_out is False
    assert len(notes(sandbox, CAROL, f"D{BOB}")) == 1


@pytest.mark.parametrize(
    "action_id", [NUDGE_SAY_THANKS, NUDGE_OFFER_HELP, NUDGE_NOT_NOW, NUDGE_STOP, NUDGE_RESUME]
)
def test_a_button_whose_nudge_is_gone_changes_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session], nudge: OutboxMessage, action_id: str
) -> None:
    stopped = action_id == NUDGE_RESUME
    if stopped:
        click(sandbox, BOB, sent_dm(sandbox, nudge), NUDGE_STOP)  # the DM now offers Resume
    dm = sent_dm(sandbox, nudge)
    click(sandbox, BOB, dm, action_id, value="nudge:T0SANDBOX:U0BOB0002:pair:1999-W01")
    [note] = notes(sandbox, BOB, f"D{BOB}")
    assert "no longer around" in note
    assert sent_dm(sandbox, nudge) == dm
    assert member(sessions, BOB).nudges_opt_out is stopped
    assert sandbox.emulator.calls_to("views.open") == []


def test_a_nudge_swept_from_the_outbox_answers_its_buttons_kindly(
    sandbox: Sandbox, sessions: sessionmaker[Session], nudge: OutboxMessage
) -> None:
    dm = sent_dm(sandbox, nudge)
    sandbox.tick(NOW + OUTBOX_KEPT + timedelta(days=1))  # the sweep takes the sent nudge
    assert nudges(sessions, BOB) == []
    click(sandbox, BOB, dm, NUDGE_NOT_NOW)
    [note] = notes(sandbox, BOB, f"D{BOB}")
    assert "no longer around" in note
