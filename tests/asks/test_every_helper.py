"""Done on an ask, Confirm on an offer: the form that credits every helper, each once, with the
size said in the request; those left unticked told kindly; and every bad form refused."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.asks.form import HELPERS, SIZE
from bot.sandbox.forms import form_state
from bot.sandbox.harness import Sandbox
from bot.slack.ids import ASK_DONE, ASK_NOT_NEEDED, ASK_VOLUNTEER, OFFER_CONFIRM, OFFER_TAKE
from slack_emulator import Message, SlackUser
from tests.asks.forms import close, open_close_form, send_close_form
from tests.asks.test_asks_offers import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    buttons,
    click,
    credits,
    dms,
    notes,
    now,
    post,
    requests,
    responses,
    snapshot,
)


def volunteers(
    sandbox: Sandbox, request: Message, *people: str, action: str = ASK_VOLUNTEER
) -> None:
    for person in people:
        click(sandbox, person, request, action)


def ticked(view: dict[str, Any]) -> tuple[list[str], str]:
    """Who the form has ticked, and the size it has picked, as it opens."""
    blocks = {block.get("block_id"): block for block in view["blocks"]}
    people = [option["value"] for option in blocks[HELPERS]["element"]["initial_options"]]
    return people, blocks[SIZE]["element"]["initial_option"]["value"]


def test_the_size_said_in_an_ask_is_kept_apart_from_its_words(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    ask = post(sandbox, ALICE, "ask help with the Postgres upgrade big")

    [row] = requests(sessions)
    assert (row.text, row.size) == ("help with the Postgres upgrade", "big")
    assert "upgrade big" not in ask.text and "help with the Postgres upgrade" in ask.text

    post(sandbox, ALICE, "ask big")  # a size alone is the ask itself
    assert (requests(sessions)[-1].text, requests(sessions)[-1].size) == ("big", "small")


def test_two_volunteers_are_both_ticked_and_both_credited_with_the_size_of_the_ask(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    ask = post(sandbox, ALICE, "ask help with the Postgres upgrade big")
    volunteers(sandbox, ask, CAROL, DAVE)
    carol_dm, dave_dm = dms(sandbox, ALICE)

    form = open_close_form(sandbox, ALICE, carol_dm, ASK_DONE)
    assert ticked(form) == ([CAROL, DAVE], "big")
    assert credits(sessions) == []

    answer = send_close_form(sandbox, ALICE, form)

    assert answer["response_action"] == "update"
    assert "you thanked <@U0CAROL03> and <@U0DAVE004> for a big favour" in str(answer["view"])
    assert [(c.helper_id, c.helped_id, c.weight, c.reason) for c in credits(sessions)] == [
        (CAROL, ALICE, 3, "help with the Postgres upgrade"),
        (DAVE, ALICE, 3, "help with the Postgres upgrade"),
    ]
    [row] = requests(sessions)
    assert (row.status, row.counterpart_id, row.size) == ("fulfilled", CAROL, "big")
    assert row.credit_id == credits(sessions)[0].id
    assert [(r.user_id, r.credited) for r in responses(sessions)] == [(CAROL, True), (DAVE, True)]
    closed = now(sandbox, ask)
    assert "<@U0ALICE01> asked for a hand and <@U0CAROL03> and <@U0DAVE004> helped" in closed.text
    assert buttons(closed) == []
    for dm, who in ((carol_dm, "<@U0CAROL03>"), (dave_dm, "<@U0DAVE004>")):
        assert f"Done: you thanked {who}" in now(sandbox, dm).text
        assert buttons(now(sandbox, dm)) == []
    for person in (CAROL, DAVE):
        [thank_you] = dms(sandbox, person)
        assert "marked your help with “help with the Postgres upgrade” as done" in thank_you.text


def test_a_volunteer_left_unticked_is_not_credited_and_is_told_kindly(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    ask = post(sandbox, ALICE, "ask a hand moving the printer")
    volunteers(sandbox, ask, BOB, CAROL, DAVE)
    bob_dm, _, dave_dm = dms(sandbox, ALICE)

    answer = close(sandbox, ALICE, dave_dm, ASK_DONE, picked=[BOB, CAROL])

    assert "I've let <@U0DAVE004> know kindly" in str(answer["view"])
    assert [c.helper_id for c in credits(sessions)] == [BOB, CAROL]
    assert [(r.user_id, r.credited) for r in responses(sessions)] == [
        (BOB, True),
        (CAROL, True),
        (DAVE, False),
    ]
    assert "<@U0BOB0002> and <@U0CAROL03> helped" in now(sandbox, ask).text
    assert "DAVE" not in now(sandbox, ask).text
    [note] = dms(sandbox, DAVE)
    assert "didn't need your hand with it in the end. Thank you for offering" in note.text
    assert "<@U0BOB0002>" not in note.text  # nobody is told who was picked instead
    assert "This ask is closed: <@U0BOB0002> and <@U0CAROL03> helped." in now(sandbox, dave_dm).text
    assert "you thanked <@U0BOB0002>" in now(sandbox, bob_dm).text


def test_the_size_starts_from_the_ask_and_the_form_may_change_it(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    ask = post(sandbox, ALICE, "ask someone to review the migration, medium.")
    volunteers(sandbox, ask, BOB)
    [dm] = dms(sandbox, ALICE)
    form = open_close_form(sandbox, ALICE, dm, ASK_DONE)
    assert ticked(form) == ([BOB], "medium")

    send_close_form(sandbox, ALICE, form, size="small")

    [credit] = credits(sessions)
    assert (credit.weight, credit.reason) == (1, "someone to review the migration")
    assert requests(sessions)[0].size == "small"


def test_a_form_sent_twice_or_at_once_credits_each_helper_once(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    ask = post(sandbox, ALICE, "ask cover for my on-call shift")
    volunteers(sandbox, ask, BOB, CAROL)
    bob_dm, _ = dms(sandbox, ALICE)
    form = open_close_form(sandbox, ALICE, bob_dm, ASK_DONE)

    # One submission, delivered three times: twice at once, then again.
    payload = sandbox.driver.view_submission_payload(ALICE, form, form_state(form))
    start = threading.Barrier(2)
    answers: list[int] = []

    def deliver() -> None:
        start.wait()
        answers.append(sandbox.driver.send_interaction(payload).status)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    again = sandbox.driver.send_interaction(payload)

    assert answers == [200, 200] and again.status == 200
    assert "This ask is already closed: <@U0BOB0002> and <@U0CAROL03> helped" in again.body
    assert sorted(c.helper_id for c in credits(sessions)) == [BOB, CAROL]
    assert len(dms(sandbox, BOB)) == 1 and len(dms(sandbox, CAROL)) == 1  # thanked once each

    before = snapshot(sessions)
    click(sandbox, ALICE, bob_dm, ASK_DONE)  # a stale Done after it closed
    assert notes(sandbox, ALICE) == [
        "This ask is already closed: <@U0BOB0002> and <@U0CAROL03> helped with it."
    ]
    assert snapshot(sessions) == before


def test_an_offer_confirmed_for_everyone_who_asked(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    offer = post(sandbox, BOB, "offer lifts to the offsite medium")
    volunteers(sandbox, offer, CAROL, DAVE, action=OFFER_TAKE)
    carol_dm, _ = dms(sandbox, BOB)
    form = open_close_form(sandbox, BOB, carol_dm, OFFER_CONFIRM)
    assert ticked(form) == ([CAROL, DAVE], "medium")
    assert form["title"]["text"] == "Close your offer"

    answer = send_close_form(sandbox, BOB, form)

    assert "Confirmed: <@U0CAROL03> and <@U0DAVE004> got it" in str(answer["view"])
    # Taking up an offer is the taker's credit to the offerer, one each.
    assert [(c.helper_id, c.helped_id, c.weight) for c in credits(sessions)] == [
        (BOB, CAROL, 2),
        (BOB, DAVE, 2),
    ]
    assert "<@U0BOB0002> offered this and <@U0CAROL03> and <@U0DAVE004> took it up" in (
        now(sandbox, offer).text
    )
    for person in (CAROL, DAVE):
        [note] = dms(sandbox, person)
        assert "<@U0BOB0002> confirmed: “lifts to the offsite” is yours." in note.text


def test_done_with_nobody_waiting_says_so_and_opens_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    ask = post(sandbox, ALICE, "ask a spare charger")
    volunteers(sandbox, ask, BOB)
    [dm] = dms(sandbox, ALICE)
    form = open_close_form(sandbox, ALICE, dm, ASK_DONE)
    click(sandbox, ALICE, dm, ASK_NOT_NEEDED)  # the form is still open meanwhile
    before = snapshot(sessions)

    # A Done that names the request alone, as the reminder's does.
    public_id = requests(sessions)[0].public_id
    click(sandbox, ALICE, dm, ASK_DONE, value=public_id)
    sent = send_close_form(sandbox, ALICE, form)

    assert notes(sandbox, ALICE)[-1].startswith("Nobody's answer is waiting on this ask any more")
    assert sent["response_action"] == "errors"
    assert "<@U0BOB0002> has no answer waiting on this ask" in sent["errors"][HELPERS]
    assert snapshot(sessions) == before
    assert len(sandbox.emulator.open_views) == 1  # the first form only


def test_bad_forms_are_refused_under_the_people_and_change_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    ask = post(sandbox, ALICE, "ask a hand with the quarterly report")
    volunteers(sandbox, ask, BOB, CAROL)
    bob_dm, _ = dms(sandbox, ALICE)
    mine = post(sandbox, DAVE, "ask a lift")
    volunteers(sandbox, mine, BOB)
    [dave_dm] = dms(sandbox, DAVE)
    form = open_close_form(sandbox, ALICE, bob_dm, ASK_DONE)
    daves = open_close_form(sandbox, DAVE, dave_dm, ASK_DONE)
    alices_id = requests(sessions)[0].public_id
    before = snapshot(sessions)

    def refusal(answer: dict[str, Any]) -> str:
        assert answer["response_action"] == "errors", answer
        assert set(answer["errors"]) == {HELPERS}
        return str(answer["errors"][HELPERS])

    assert refusal(send_close_form(sandbox, ALICE, form, metadata="not a request")).startswith(
        "This form no longer works."
    )
    assert refusal(send_close_form(sandbox, ALICE, form, picked=[])).startswith(
        "Tick at least one person."
    )
    assert "<@U0DAVE004> has no answer waiting" in refusal(
        send_close_form(sandbox, ALICE, form, picked=[BOB, DAVE])
    )
    assert refusal(send_close_form(sandbox, ALICE, form, picked=["not-a-user"])).startswith(
        "This form no longer works."
    )
    tampered_size = form_state(form)
    tampered_size[SIZE][SIZE]["selected_option"] = {"value": "huge"}
    delivery = sandbox.driver.submit_view(ALICE, form, tampered_size)
    assert refusal(delivery.json()).startswith("I couldn't read that request from Slack")
    # Someone else sending the asker's form; the asker's id put in another's form.
    assert refusal(send_close_form(sandbox, CAROL, form)).startswith(
        "Only <@U0ALICE01> can close this ask."
    )
    assert refusal(send_close_form(sandbox, DAVE, daves, metadata=alices_id)).startswith(
        "Only <@U0ALICE01> can close this ask."
    )
    gone = send_close_form(sandbox, ALICE, form, metadata="00000000-0000-4000-8000-000000000000")
    assert gone["response_action"] == "update"
    assert "I can't find that any more" in str(gone["view"])

    assert snapshot(sessions) == before
    assert buttons(now(sandbox, ask)) == [ASK_VOLUNTEER, "ask_withdraw"]
    assert dms(sandbox, BOB) == [] and dms(sandbox, CAROL) == []


def test_more_volunteers_than_checkboxes_hold_are_listed_in_a_multi_select(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    helpers = [f"U0HELPER{n:02d}" for n in range(12)]
    for user_id in helpers:
        sandbox.emulator.add_user(SlackUser(id=user_id, team_id="T0SANDBOX", name=user_id.lower()))
    ask = post(sandbox, ALICE, "ask hands to carry the piano, big")
    volunteers(sandbox, ask, *helpers)
    form = open_close_form(sandbox, ALICE, dms(sandbox, ALICE)[0], ASK_DONE)

    element = next(b for b in form["blocks"] if b.get("block_id") == HELPERS)["element"]
    assert element["type"] == "multi_static_select"  # checkboxes hold 10 options at most
    assert ticked(form) == (helpers, "big")

    send_close_form(sandbox, ALICE, form, picked=helpers[1:])

    assert [c.helper_id for c in credits(sessions)] == helpers[1:]
    assert "didn't need your hand" in dms(sandbox, helpers[0])[0].text
