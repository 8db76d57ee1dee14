"""`/favor ask` and `/favor offer` end to end: the channel message, the clicks, the DMs, the
message updates, the favour recorded once, and every refusal leaving everything as it was."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.models import Credit, FavorRequest, FavorResponse, Member
from bot.sandbox.harness import Sandbox
from bot.slack.ids import (
    ASK_DONE,
    ASK_NOT_NEEDED,
    ASK_VOLUNTEER,
    ASK_WITHDRAW,
    FAVOR_COMMAND,
    OFFER_CONFIRM,
    OFFER_DECLINE,
    OFFER_TAKE,
    OFFER_WITHDRAW,
)
from bot.thanks.parsing import WORD_JOINER
from slack_emulator import Message, SlackChannel
from tests.asks.forms import close, open_close_form, send_close_form
from tests.support import Clock, out_of_reach

ALICE, BOB, CAROL, DAVE = "U0ALICE01", "U0BOB0002", "U0CAROL03", "U0DAVE004"
GENERAL = "C0GENERAL"


# What the database holds


def credits(sessions: sessionmaker[Session]) -> list[Credit]:
    with sessions() as session:
        return list(session.scalars(select(Credit).order_by(Credit.id)))


def requests(sessions: sessionmaker[Session]) -> list[FavorRequest]:
    with sessions() as session:
        return list(session.scalars(select(FavorRequest).order_by(FavorRequest.id)))


def responses(sessions: sessionmaker[Session]) -> list[FavorResponse]:
    with sessions() as session:
        return list(
            session.scalars(select(FavorResponse).order_by(FavorResponse.created_at, "user_id"))
        )


def snapshot(sessions: sessionmaker[Session]) -> list[tuple[Any, ...]]:
    """Everything a refusal must leave as it was."""
    return [
        *((c.id, c.helper_id, c.helped_id, c.retracted_at) for c in credits(sessions)),
        *((r.id, r.status, r.counterpart_id, r.credit_id) for r in requests(sessions)),
        *((r.request_id, r.user_id, r.dm_ts) for r in responses(sessions)),
    ]


# What Slack shows


def post(sandbox: Sandbox, user: str, text: str, channel: str = GENERAL) -> Message:
    """Run `/favor ask …` or `/favor offer …`; return the message it posted in the channel."""
    delivery, shown = sandbox.driver.slash_command(user, FAVOR_COMMAND, text, channel)
    assert delivery.status == 200, delivery.body
    assert shown is None  # nothing but the posted message itself
    return sandbox.emulator.messages(channel, ephemeral=False)[-1]


def now(sandbox: Sandbox, message: Message) -> Message:
    """The message as it stands now (after chat.update)."""
    [current] = [m for m in sandbox.emulator.messages(message.channel) if m.ts == message.ts]
    return current


def dms(sandbox: Sandbox, user: str) -> list[Message]:
    """The DMs about answers and closings; not an ask's likely helpers (tests/suggestions)."""
    return [
        m
        for m in sandbox.emulator.messages(f"D{user}", ephemeral=False)
        if not m.text.startswith("People likely to help")
    ]


def notes(sandbox: Sandbox, user: str) -> list[str]:
    """The private answers `user` got to their clicks."""
    return [m.text for m in sandbox.emulator.messages(ephemeral=True) if m.ephemeral_for == user]


def buttons(message: Message) -> list[str]:
    return [
        element["action_id"]
        for block in message.blocks
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def click(sandbox: Sandbox, user: str, message: Message, action_id: str, **kw: Any) -> None:
    assert sandbox.driver.click(user, message, action_id, **kw).status == 200


def at_once(sandbox: Sandbox, clicks: list[tuple[str, Message, str]]) -> None:
    """Deliver several clicks from threads released together."""
    payloads = [sandbox.driver.block_action_payload(*c) for c in clicks]
    start = threading.Barrier(len(payloads))
    statuses: list[int] = []

    def deliver(payload: dict[str, Any]) -> None:
        start.wait()
        statuses.append(sandbox.driver.send_interaction(payload).status)

    threads = [threading.Thread(target=deliver, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * len(payloads)


# Asks


def test_an_ask_is_posted_with_its_buttons_and_recorded_with_the_message_ts(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    ask = post(sandbox, ALICE, "ask a second pair of eyes on <!here> my PR")

    assert "<@U0ALICE01> is asking for a hand" in ask.text
    assert f"a second pair of eyes on @{WORD_JOINER}here my PR" in ask.text  # pages no one
    assert buttons(ask) == [ASK_VOLUNTEER, ASK_WITHDRAW]
    [row] = requests(sessions)
    assert (row.kind, row.author_id, row.status) == ("ask", ALICE, "open")
    assert row.text == "a second pair of eyes on <!here> my PR"
    assert (row.channel_id, row.message_ts, row.created_at) == (GENERAL, ask.ts, clock.now)
    assert all(
        element["value"] == row.public_id
        for block in ask.blocks
        if block["type"] == "actions"
        for element in block["elements"]
    )
    assert credits(sessions) == []


def test_the_whole_loop_volunteers_done_and_the_channel_message_updated(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    ask = post(sandbox, ALICE, "ask help moving desks")

    click(sandbox, BOB, ask, ASK_VOLUNTEER)
    click(sandbox, CAROL, ask, ASK_VOLUNTEER)

    bob_dm, carol_dm = dms(sandbox, ALICE)
    assert "<@U0BOB0002> can help with your ask" in bob_dm.text
    assert "help moving desks" in str(bob_dm.blocks)
    assert buttons(bob_dm) == [ASK_DONE, ASK_NOT_NEEDED]
    assert "Not needed from bob" in str(bob_dm.blocks)
    assert "Not needed from carol" in str(carol_dm.blocks)
    assert notes(sandbox, BOB) == [
        "Thank you! I've let <@U0ALICE01> know you can help; they'll get back to you."
    ]
    assert [(r.user_id, r.dm_channel_id, r.dm_ts) for r in responses(sessions)] == [
        (BOB, bob_dm.channel, bob_dm.ts),
        (CAROL, carol_dm.channel, carol_dm.ts),
    ]
    assert credits(sessions) == []

    clock.advance(hours=2)
    assert close(sandbox, ALICE, bob_dm, ASK_DONE, picked=[BOB])["response_action"] == "update"

    [credit] = credits(sessions)
    assert (credit.helper_id, credit.helped_id, credit.kind, credit.weight) == (
        BOB,
        ALICE,
        "favor",
        1,
    )
    assert (credit.reason, credit.channel_id, credit.message_ts) == (
        "help moving desks",
        GENERAL,
        ask.ts,
    )
    assert credit.quotable is True  # asked in a public channel, whose message now says so
    [row] = requests(sessions)
    assert row.in_public_channel is True
    assert (row.status, row.counterpart_id, row.credit_id) == ("fulfilled", BOB, credit.id)
    assert row.closed_at == clock.now

    closed = now(sandbox, ask)
    assert "<@U0ALICE01> asked for a hand and <@U0BOB0002> helped" in closed.text
    assert buttons(closed) == []
    assert buttons(now(sandbox, bob_dm)) == [] and buttons(now(sandbox, carol_dm)) == []
    assert "you thanked <@U0BOB0002>" in now(sandbox, bob_dm).text
    assert "This ask is closed: <@U0BOB0002> helped." in now(sandbox, carol_dm).text
    [thank_you] = dms(sandbox, BOB)
    assert "<@U0ALICE01> marked your help with “help moving desks” as done" in thank_you.text
    assert notes(sandbox, ALICE) == []  # the updated DM says it all


def test_clicking_your_own_ask_is_answered_privately(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    ask = post(sandbox, ALICE, "ask a lift to the station")
    before = snapshot(sessions)
    click(sandbox, ALICE, ask, ASK_VOLUNTEER)
    assert notes(sandbox, ALICE) == [
        "This is your own ask. When someone offers to help, I'll send you a message to close it "
        "with."
    ]
    assert dms(sandbox, ALICE) == []
    assert snapshot(sessions) == before


def test_volunteering_twice_sends_one_dm(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    ask = post(sandbox, ALICE, "ask a lift to the station")
    at_once(sandbox, [(BOB, ask, ASK_VOLUNTEER), (BOB, ask, ASK_VOLUNTEER)])
    click(sandbox, BOB, ask, ASK_VOLUNTEER)

    assert len(dms(sandbox, ALICE)) == 1
    assert len(responses(sessions)) == 1
    assert (
        notes(sandbox, BOB).count(
            "You've already offered to help. <@U0ALICE01> knows and will get back to you."
        )
        == 2
    )


@pytest.mark.parametrize(("kind", "action"), [("ask", ASK_VOLUNTEER), ("offer", OFFER_TAKE)])
def test_a_request_whose_author_has_left_cannot_be_answered(
    sandbox: Sandbox, sessions: sessionmaker[Session], kind: str, action: str
) -> None:
    request = post(sandbox, ALICE, f"{kind} a lift to the station")
    with sessions.begin() as session:
        alice = session.get(Member, ("T0SANDBOX", ALICE))
        assert alice is not None
        alice.is_deactivated = True

    click(sandbox, BOB, request, action)
    assert dms(sandbox, ALICE) == []
    assert responses(sessions) == []
    assert notes(sandbox, BOB) == [
        f"<@U0ALICE01> has left the workspace, so this {kind} can't be answered any more. "
        "Nothing was changed."
    ]


def test_done_clicked_on_two_answers_at_once_opens_forms_that_close_it_once(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    ask = post(sandbox, ALICE, "ask someone to cover standup")
    click(sandbox, BOB, ask, ASK_VOLUNTEER)
    click(sandbox, CAROL, ask, ASK_VOLUNTEER)
    bob_dm, carol_dm = dms(sandbox, ALICE)

    at_once(sandbox, [(ALICE, bob_dm, ASK_DONE), (ALICE, carol_dm, ASK_DONE)])
    first, second = sandbox.emulator.open_views.values()
    assert credits(sessions) == []  # a form opened records nothing

    send_close_form(sandbox, ALICE, first, picked=[CAROL])
    late = send_close_form(sandbox, ALICE, second)

    [credit] = credits(sessions)
    assert credit.helper_id == CAROL
    [row] = requests(sessions)
    assert (row.status, row.counterpart_id, row.credit_id) == ("fulfilled", CAROL, credit.id)
    assert late["response_action"] == "update"
    assert "This ask is already closed: <@U0CAROL03> helped with it." in str(late["view"])
    assert "<@U0CAROL03> helped" in now(sandbox, ask).text


def test_a_closed_ask_refuses_every_button_and_changes_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    ask = post(sandbox, ALICE, "ask a spare HDMI cable")
    click(sandbox, BOB, ask, ASK_VOLUNTEER)
    [bob_dm] = dms(sandbox, ALICE)
    close(sandbox, ALICE, bob_dm, ASK_DONE)
    before = snapshot(sessions)
    messages_before = sandbox.emulator.messages(ephemeral=False)

    click(sandbox, DAVE, ask, ASK_VOLUNTEER)  # a stale copy of the message
    click(sandbox, ALICE, ask, ASK_WITHDRAW)
    click(sandbox, ALICE, bob_dm, ASK_NOT_NEEDED)
    click(sandbox, ALICE, bob_dm, ASK_DONE)

    closed = "This ask is already closed: <@U0BOB0002> helped with it."
    assert notes(sandbox, DAVE) == [closed]
    assert notes(sandbox, ALICE) == [closed] * 3
    assert snapshot(sessions) == before
    assert sandbox.emulator.messages(ephemeral=False) == messages_before


def test_only_the_asker_may_withdraw_and_withdrawing_closes_everything(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    ask = post(sandbox, ALICE, "ask a book about Rust")
    click(sandbox, BOB, ask, ASK_VOLUNTEER)
    [bob_dm] = dms(sandbox, ALICE)
    before = snapshot(sessions)

    click(sandbox, CAROL, ask, ASK_WITHDRAW)
    assert notes(sandbox, CAROL) == [
        "Only <@U0ALICE01> can withdraw this ask. To help, click *I can help*."
    ]
    assert snapshot(sessions) == before
    assert buttons(now(sandbox, ask)) == [ASK_VOLUNTEER, ASK_WITHDRAW]

    clock.advance(minutes=5)
    click(sandbox, ALICE, ask, ASK_WITHDRAW)

    [row] = requests(sessions)
    assert (row.status, row.closed_at, row.counterpart_id) == ("withdrawn", clock.now, None)
    assert "<@U0ALICE01> has closed this ask" in now(sandbox, ask).text
    assert buttons(now(sandbox, ask)) == []
    assert "You withdrew this ask" in now(sandbox, bob_dm).text
    assert buttons(now(sandbox, bob_dm)) == []
    assert notes(sandbox, ALICE) == []

    after = snapshot(sessions)
    click(sandbox, CAROL, ask, ASK_VOLUNTEER)
    click(sandbox, ALICE, bob_dm, ASK_DONE)
    click(sandbox, ALICE, ask, ASK_WITHDRAW)
    withdrawn = "This ask was withdrawn, so it needs nothing more."
    assert notes(sandbox, CAROL)[-1] == withdrawn
    assert notes(sandbox, ALICE) == [withdrawn, withdrawn]
    assert snapshot(sessions) == after
    assert credits(sessions) == []


def test_not_needed_sets_one_helper_aside_and_keeps_the_ask_open(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    ask = post(sandbox, ALICE, "ask a hand with the slides")
    click(sandbox, BOB, ask, ASK_VOLUNTEER)
    click(sandbox, CAROL, ask, ASK_VOLUNTEER)
    bob_dm, carol_dm = dms(sandbox, ALICE)

    click(sandbox, ALICE, bob_dm, ASK_NOT_NEEDED)

    assert [r.user_id for r in responses(sessions)] == [CAROL]
    assert requests(sessions)[0].status == "open"
    assert "You let <@U0BOB0002> know it's not needed" in now(sandbox, bob_dm).text
    assert buttons(now(sandbox, bob_dm)) == []
    assert buttons(now(sandbox, carol_dm)) == [ASK_DONE, ASK_NOT_NEEDED]
    [note] = dms(sandbox, BOB)
    assert "<@U0ALICE01> has “a hand with the slides” covered now" in note.text
    assert buttons(now(sandbox, ask)) == [ASK_VOLUNTEER, ASK_WITHDRAW]  # still open

    before = snapshot(sessions)
    click(sandbox, ALICE, bob_dm, ASK_NOT_NEEDED)
    assert notes(sandbox, ALICE) == ["You already set <@U0BOB0002>'s answer aside."]
    assert snapshot(sessions) == before

    # Done, wherever clicked, offers those whose answer still waits.
    form = open_close_form(sandbox, ALICE, bob_dm, ASK_DONE)
    assert "U0BOB0002" not in str(form["blocks"]) and "U0CAROL03" in str(form["blocks"])
    send_close_form(sandbox, ALICE, form)
    [credit] = credits(sessions)
    assert (credit.helper_id, credit.helped_id) == (CAROL, ALICE)


def test_forged_or_broken_buttons_change_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    ask = post(sandbox, ALICE, "ask a coffee run")
    click(sandbox, BOB, ask, ASK_VOLUNTEER)
    [bob_dm] = dms(sandbox, ALICE)
    before = snapshot(sessions)

    click(sandbox, BOB, bob_dm, ASK_DONE)  # only Alice sees her DM; Bob forges the click
    click(sandbox, ALICE, bob_dm, ASK_DONE, value="garbage")
    click(sandbox, ALICE, bob_dm, ASK_DONE, value="00000000-0000-4000-8000-000000000000|U0BOB0002")
    click(sandbox, DAVE, ask, ASK_VOLUNTEER, value="x" * 300)

    assert (
        notes(sandbox, BOB)[-1]
        == "Only <@U0ALICE01> can close this ask. To help, click *I can help*."
    )
    assert notes(sandbox, ALICE) == [
        "That button no longer works. Nothing was changed.",
        "I can't find that any more; it may have been removed. Nothing was changed.",
    ]
    assert notes(sandbox, DAVE) == [
        "I can't find that any more; it may have been removed. Nothing was changed."
    ]
    assert snapshot(sessions) == before


def test_a_private_channel_without_the_bot_gets_invite_instructions(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sandbox.emulator.add_channel(
        SlackChannel(id="C0SECRET1", name="secret", is_private=True, members={ALICE, BOB})
    )
    delivery, shown = sandbox.driver.slash_command(ALICE, FAVOR_COMMAND, "ask a hand", "C0SECRET1")

    assert delivery.status == 200
    assert shown is not None and shown.ephemeral_for == ALICE
    assert "`/invite @Goodwill`" in shown.text
    assert requests(sessions) == []


def test_a_channel_archived_before_the_ask_was_posted_says_so(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sandbox.emulator.channels["C0RANDOM1"].is_archived = True  # archived as it was typed
    delivery, shown = sandbox.driver.slash_command(
        ALICE, FAVOR_COMMAND, "offer a lift", "C0RANDOM1"
    )

    assert delivery.status == 200
    assert shown is not None and shown.ephemeral_for == ALICE
    assert shown.text.startswith("This channel is archived, so nothing can be posted in it")
    assert requests(sessions) == []


def _rate_limited(sandbox: Sandbox) -> None:
    sandbox.app.client.retry_handlers.clear()  # answer the 429 at once, without waiting it out
    sandbox.emulator.set_rate_limit("chat.postMessage", 0, 60)


def _unreachable(sandbox: Sandbox) -> None:
    out_of_reach(sandbox.app)


# Slack refuses the post (rate limited), or cannot be reached at all.
TROUBLE = [pytest.param(_rate_limited, id="refused"), pytest.param(_unreachable, id="unreachable")]


@pytest.mark.parametrize("trouble", TROUBLE)
def test_an_ask_slack_did_not_post_is_not_recorded(
    sandbox: Sandbox, sessions: sessionmaker[Session], trouble: Callable[[Sandbox], None]
) -> None:
    trouble(sandbox)

    delivery, shown = sandbox.driver.slash_command(ALICE, FAVOR_COMMAND, "ask a hand", GENERAL)

    assert delivery.status == 200
    assert shown is not None and shown.ephemeral_for == ALICE
    assert shown.text.startswith("I couldn't post that just now, so nothing was recorded.")
    assert requests(sessions) == []


@pytest.mark.parametrize("trouble", TROUBLE)
def test_when_the_asker_cannot_be_told_the_volunteer_may_try_again(
    sandbox: Sandbox, sessions: sessionmaker[Session], trouble: Callable[[Sandbox], None]
) -> None:
    ask = post(sandbox, ALICE, "ask a lift")
    trouble(sandbox)

    click(sandbox, BOB, ask, ASK_VOLUNTEER)
    assert notes(sandbox, BOB) == [
        "I couldn't reach <@U0ALICE01> just now, so nothing was sent. Please try again in a minute."
    ]
    assert responses(sessions) == []

    sandbox.emulator.clear_rate_limit("chat.postMessage")
    sandbox.app.client.base_url = sandbox.emulator.api_url
    click(sandbox, BOB, ask, ASK_VOLUNTEER)
    assert len(dms(sandbox, ALICE)) == 1
    assert [r.user_id for r in responses(sessions)] == [BOB]


# Offers


def test_an_offer_taken_and_confirmed_records_the_favour_from_the_offerer(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    offer = post(sandbox, BOB, "offer a ticket to Friday's concert")
    assert "<@U0BOB0002> is offering" in offer.text
    assert buttons(offer) == [OFFER_TAKE, OFFER_WITHDRAW]

    click(sandbox, CAROL, offer, OFFER_TAKE)
    [carol_dm] = dms(sandbox, BOB)
    assert "<@U0CAROL03> would like your offer" in carol_dm.text
    assert buttons(carol_dm) == [OFFER_CONFIRM, OFFER_DECLINE]
    assert "Decline carol" in str(carol_dm.blocks)
    assert notes(sandbox, CAROL) == [
        "I've let <@U0BOB0002> know you'd like this; they'll get back to you."
    ]

    click(sandbox, DAVE, offer, OFFER_TAKE)
    _, dave_dm = dms(sandbox, BOB)

    close(sandbox, BOB, carol_dm, OFFER_CONFIRM, picked=[CAROL])

    [credit] = credits(sessions)
    assert (credit.helper_id, credit.helped_id, credit.kind) == (BOB, CAROL, "favor")
    assert "This offer is closed: it went to <@U0CAROL03>." in now(sandbox, dave_dm).text
    assert buttons(now(sandbox, dave_dm)) == []
    assert credit.reason == "a ticket to Friday's concert"
    [row] = requests(sessions)
    assert (row.kind, row.status, row.counterpart_id, row.credit_id) == (
        "offer",
        "fulfilled",
        CAROL,
        credit.id,
    )
    assert "<@U0BOB0002> offered this and <@U0CAROL03> took it up" in now(sandbox, offer).text
    assert buttons(now(sandbox, offer)) == []
    assert "Confirmed: <@U0CAROL03> has it" in now(sandbox, carol_dm).text
    [note] = dms(sandbox, CAROL)
    assert "<@U0BOB0002> confirmed: “a ticket to Friday's concert” is yours." in note.text


def test_offer_refusals(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    offer = post(sandbox, BOB, "offer a spare monitor")
    click(sandbox, BOB, offer, OFFER_TAKE)
    assert notes(sandbox, BOB) == [
        "This is your own offer. When someone would like it, I'll send you a message."
    ]
    click(sandbox, CAROL, offer, OFFER_TAKE)
    click(sandbox, CAROL, offer, OFFER_TAKE)
    assert notes(sandbox, CAROL)[-1] == (
        "You've already asked for this. <@U0BOB0002> knows and will get back to you."
    )
    click(sandbox, DAVE, offer, OFFER_WITHDRAW)
    assert notes(sandbox, DAVE) == [
        "Only <@U0BOB0002> can withdraw this offer. To ask for it, click *I'd like this*."
    ]
    [carol_dm] = dms(sandbox, BOB)
    click(sandbox, CAROL, carol_dm, OFFER_CONFIRM)  # forged: only Bob may confirm
    assert notes(sandbox, CAROL)[-1].startswith("Only <@U0BOB0002> can close this offer.")
    assert credits(sessions) == []
    assert requests(sessions)[0].status == "open"


def test_an_offer_declined_stays_open_and_can_be_withdrawn(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    offer = post(sandbox, BOB, "offer my old bike")
    click(sandbox, CAROL, offer, OFFER_TAKE)
    click(sandbox, DAVE, offer, OFFER_TAKE)
    carol_dm, dave_dm = dms(sandbox, BOB)

    click(sandbox, BOB, carol_dm, OFFER_DECLINE)
    assert "You declined <@U0CAROL03>" in now(sandbox, carol_dm).text
    [note] = dms(sandbox, CAROL)
    assert "<@U0BOB0002> can't give you “my old bike” after all" in note.text
    assert requests(sessions)[0].status == "open"

    click(sandbox, BOB, offer, OFFER_WITHDRAW)
    assert requests(sessions)[0].status == "withdrawn"
    assert "<@U0BOB0002> has closed this offer" in now(sandbox, offer).text
    assert "You withdrew this offer" in now(sandbox, dave_dm).text
    click(sandbox, BOB, dave_dm, OFFER_CONFIRM)
    assert notes(sandbox, BOB) == ["This offer was withdrawn, so it needs nothing more."]
    assert credits(sessions) == []


OVER_THE_CAP = {
    "ask": (
        "You've already credited <@U0BOB0002> as often as a day allows, so this favour can't "
        "be recorded today. Your ask stays open: click *Done* again tomorrow to record it and "
        "close it."
    ),
    "offer": (
        "<@U0ALICE01> has already credited you as often as a day allows, so this favour can't "
        "be recorded today. Your offer stays open: click *Confirm* again tomorrow to record it "
        "and close it."
    ),
}


@pytest.mark.parametrize(
    ("command", "answer", "done", "open_buttons"),
    [
        ("ask", ASK_VOLUNTEER, ASK_DONE, [ASK_VOLUNTEER, ASK_WITHDRAW]),
        ("offer", OFFER_TAKE, OFFER_CONFIRM, [OFFER_TAKE, OFFER_WITHDRAW]),
    ],
)
def test_over_the_daily_cap_the_request_stays_open_until_tomorrow(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    clock: Clock,
    command: str,
    answer: str,
    done: str,
    open_buttons: list[str],
) -> None:
    """Alice has thanked Bob five times today: Bob's help with her ask, or her taking up his
    offer, cannot be recorded until tomorrow, and the request waits for it."""
    for n in range(5):
        sandbox.driver.slash_command(ALICE, "/thanks", f"<@{BOB}> for thing {n}", GENERAL)
    sandbox.settle()  # the thanks celebrated before the request is posted
    author, responder = (ALICE, BOB) if command == "ask" else (BOB, ALICE)
    message = post(sandbox, author, f"{command} a lift home")
    click(sandbox, responder, message, answer)
    [dm] = dms(sandbox, author)
    before = snapshot(sessions)

    refused = send_close_form(sandbox, author, open_close_form(sandbox, author, dm, done))

    assert refused == {"response_action": "errors", "errors": {"helpers": OVER_THE_CAP[command]}}
    assert snapshot(sessions) == before
    assert buttons(now(sandbox, message)) == open_buttons
    assert buttons(now(sandbox, dm)) != []

    clock.advance(days=1)
    close(sandbox, author, dm, done)
    assert len(credits(sessions)) == 6 and credits(sessions)[-1].reason == "a lift home"
    assert (requests(sessions)[0].status, buttons(now(sandbox, message))) == ("fulfilled", [])


@pytest.mark.parametrize(("command", "action"), [("ask", ASK_VOLUNTEER), ("offer", OFFER_TAKE)])
def test_a_request_already_credited_in_the_same_words_today_closes_counting_once(
    sandbox: Sandbox, sessions: sessionmaker[Session], command: str, action: str
) -> None:
    """Someone who already thanked for "a lift home" today, then clicks Done (or Confirm) on
    the ask (or offer) for the same lift: the help was recorded once, and the request closes."""
    author, responder = (ALICE, BOB) if command == "ask" else (BOB, ALICE)
    sandbox.driver.slash_command(ALICE, "/thanks", f"<@{BOB}> a lift home", GENERAL)
    sandbox.settle()
    [thanks] = credits(sessions)
    message = post(sandbox, author, f"{command} a lift home")
    click(sandbox, responder, message, action)
    [dm] = dms(sandbox, author)

    close(sandbox, author, dm, ASK_DONE if command == "ask" else OFFER_CONFIRM)

    assert [(c.id, c.retracted_at) for c in credits(sessions)] == [(thanks.id, None)]
    [row] = requests(sessions)
    assert (row.status, row.counterpart_id, row.credit_id) == ("fulfilled", responder, None)
    assert buttons(now(sandbox, message)) == []
    assert notes(sandbox, author) == []


@pytest.mark.parametrize(("command", "action"), [("ask", ASK_VOLUNTEER), ("offer", OFFER_TAKE)])
def test_a_deactivated_member_cannot_be_credited_at_close(
    sandbox: Sandbox, sessions: sessionmaker[Session], command: str, action: str
) -> None:
    message = post(sandbox, ALICE, f"{command} a hand with boxes")
    click(sandbox, BOB, message, action)
    [dm] = dms(sandbox, ALICE)
    with sessions.begin() as session:
        bob = session.get(Member, ("T0SANDBOX", BOB))
        assert bob is not None
        bob.is_deactivated = True
    before = snapshot(sessions)

    form = open_close_form(sandbox, ALICE, dm, ASK_DONE if command == "ask" else OFFER_CONFIRM)
    refused = send_close_form(sandbox, ALICE, form)

    assert refused["response_action"] == "errors"
    assert "no longer active" in refused["errors"]["helpers"]
    assert snapshot(sessions) == before
