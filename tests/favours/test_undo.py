"""`/favor undo` end to end: only the giver takes a credit back, and what it did is undone
where others saw it: an ask or offer reopened, the other person told privately; every refusal
leaves everything as it was. Thanks taken back: tests/favours/test_undo_thanks.py."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.harness import Sandbox
from bot.slack.ids import (
    ASK_DONE,
    ASK_VOLUNTEER,
    ASK_WITHDRAW,
    FAVOR_COMMAND,
    OFFER_CONFIRM,
    OFFER_TAKE,
    OFFER_WITHDRAW,
)
from slack_emulator import Message
from tests.asks.forms import close
from tests.asks.test_asks_offers import buttons, click, credits, now, requests
from tests.support import Clock

ALICE, BOB, CAROL, DAVE = "U0ALICE01", "U0BOB0002", "U0CAROL03", "U0DAVE004"
GENERAL = "C0GENERAL"


def snapshot(sessions: sessionmaker[Session]) -> list[tuple[Any, ...]]:
    return [
        *((c.id, c.source_key, c.retracted_at) for c in credits(sessions)),
        *((r.id, r.status, r.counterpart_id, r.credit_id) for r in requests(sessions)),
    ]


def undo(sandbox: Sandbox, user: str) -> str:
    delivery, shown = sandbox.driver.slash_command(user, FAVOR_COMMAND, "undo", GENERAL)
    assert delivery.status == 200, delivery.body
    assert shown is not None and shown.ephemeral_for == user
    return shown.text


def public(sandbox: Sandbox) -> list[str]:
    return [m.text for m in sandbox.emulator.messages(GENERAL, ephemeral=False)]


def dms(sandbox: Sandbox, user: str) -> list[Message]:
    return sandbox.emulator.messages(f"D{user}", ephemeral=False)


def post(sandbox: Sandbox, user: str, text: str) -> Message:
    delivery, _ = sandbox.driver.slash_command(user, FAVOR_COMMAND, text, GENERAL)
    assert delivery.status == 200, delivery.body
    return sandbox.emulator.messages(GENERAL, ephemeral=False)[-1]


# Asks and offers


def test_undoing_an_asks_done_reopens_it_and_tells_the_helper(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    ask = post(sandbox, ALICE, "ask a second pair of eyes on my PR")
    click(sandbox, CAROL, ask, ASK_VOLUNTEER)
    [carol_answer] = dms(sandbox, ALICE)
    close(sandbox, ALICE, carol_answer, ASK_DONE)
    assert "<@U0CAROL03> helped" in now(sandbox, ask).text
    carol_heard = len(dms(sandbox, CAROL))

    answer = undo(sandbox, ALICE)

    assert "Undone: <@U0CAROL03> did you a small favour" in answer
    assert "Your ask is open again in <#C0GENERAL>" in answer
    assert "I've let <@U0CAROL03> know privately" in answer
    assert "helped" not in now(sandbox, ask).text
    assert buttons(now(sandbox, ask)) == [ASK_VOLUNTEER, ASK_WITHDRAW]
    assert buttons(now(sandbox, carol_answer))[0] == ASK_DONE
    note = dms(sandbox, CAROL)[carol_heard:]
    assert [m.text for m in note] == [
        ":leftwards_arrow_with_hook: <@U0ALICE01> took back the favour recorded for your help "
        "with their ask “a second pair of eyes on my PR”: the ask is open again."
    ]
    [row] = requests(sessions)
    assert (row.status, row.counterpart_id, row.credit_id, row.closed_at) == (
        "open",
        None,
        None,
        None,
    )

    # Done again records a new favour, which counts.
    clock.advance(minutes=5)
    close(sandbox, ALICE, now(sandbox, carol_answer), ASK_DONE)
    undone, again = credits(sessions)
    assert undone.retracted_at is not None and again.retracted_at is None
    assert requests(sessions)[0].credit_id == again.id
    assert "<@U0CAROL03> helped" in now(sandbox, ask).text


def test_only_the_offerer_takes_back_an_offers_favour_and_the_taker_is_told(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    offer = post(sandbox, BOB, "offer a ticket to Friday's concert")
    click(sandbox, CAROL, offer, OFFER_TAKE)
    [carol_answer] = dms(sandbox, BOB)
    close(sandbox, BOB, carol_answer, OFFER_CONFIRM)
    assert "`/favor undo`" in str(now(sandbox, carol_answer).blocks)
    assert "/favor undo" not in str(dms(sandbox, CAROL)[-1].blocks)
    before = snapshot(sessions)

    refused = undo(sandbox, CAROL)

    assert refused == (
        "Your newest entry is <@U0BOB0002>'s offer, which they confirmed: only they can take "
        "it back. If it was a mistake, let them know."
    )
    assert snapshot(sessions) == before
    carol_heard = len(dms(sandbox, CAROL))

    answer = undo(sandbox, BOB)

    assert "Undone: you did <@U0CAROL03> a small favour" in answer
    assert "Your offer is open again" in answer
    assert buttons(now(sandbox, offer)) == [OFFER_TAKE, OFFER_WITHDRAW]
    [note] = dms(sandbox, CAROL)[carol_heard:]
    confirmation = "<@U0BOB0002> took back their confirmation that “a ticket to Friday's concert”"
    assert f"{confirmation} went to you: the offer is open again." in note.text
    assert requests(sessions)[0].status == "open"
    assert undo(sandbox, BOB).startswith("There's nothing of yours to undo")


def test_someone_else_cannot_take_back_an_asks_favour(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    ask = post(sandbox, ALICE, "ask a lift home")
    click(sandbox, CAROL, ask, ASK_VOLUNTEER)
    close(sandbox, ALICE, dms(sandbox, ALICE)[0], ASK_DONE)
    before = snapshot(sessions)

    for someone in (CAROL, DAVE):
        assert "There's nothing of yours to undo" in undo(sandbox, someone)

    assert snapshot(sessions) == before
    assert requests(sessions)[0].status == "fulfilled"


# Favours logged privately, reactions


def test_a_favour_logged_privately_is_taken_back_and_the_helper_told_without_its_words(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    delivery, _ = sandbox.driver.slash_command(
        ALICE, FAVOR_COMMAND, f"<@{BOB}> moved my desk big", GENERAL
    )
    assert delivery.status == 200

    answer = undo(sandbox, ALICE)

    assert answer == (
        ":leftwards_arrow_with_hook: Undone: <@U0BOB0002> did you a big favour (moved my desk). "
        "It no longer counts anywhere. I've let <@U0BOB0002> know privately."
    )
    [note] = dms(sandbox, BOB)
    assert note.text.startswith(
        ":leftwards_arrow_with_hook: <@U0ALICE01> took back the favour they recorded for you "
    )
    assert "desk" not in note.text
    assert public(sandbox) == []
    assert credits(sessions)[0].retracted_at is not None


def test_a_reaction_taken_back_tells_nobody_and_leaves_the_emoji(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    message = sandbox.emulator.post_user_message(GENERAL, BOB, "I fixed the build")
    assert sandbox.driver.react(ALICE, message, "pray").status == 200
    assert len(credits(sessions)) == 1

    answer = undo(sandbox, ALICE)

    assert "you reacted to <@U0BOB0002>'s message" in answer
    assert "The emoji can stay on the message." in answer and "know privately" not in answer
    assert dms(sandbox, BOB) == []
    assert credits(sessions)[0].retracted_at is not None


def test_with_two_helpers_credited_the_ask_stays_closed_until_neither_counts(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    ask = post(sandbox, ALICE, "ask a hand moving the servers")
    click(sandbox, CAROL, ask, ASK_VOLUNTEER)
    click(sandbox, DAVE, ask, ASK_VOLUNTEER)
    carol_answer, dave_answer = dms(sandbox, ALICE)
    close(sandbox, ALICE, carol_answer, ASK_DONE)
    assert "<@U0CAROL03> and <@U0DAVE004> helped" in now(sandbox, ask).text
    dave_heard = len(dms(sandbox, DAVE))

    first = undo(sandbox, ALICE)

    assert "Undone: <@U0DAVE004> did you a small favour" in first
    assert "Your ask stays closed for the others you credited, and its message no longer " in first
    assert "<@U0CAROL03> helped" in now(sandbox, ask).text
    assert "<@U0DAVE004>" not in now(sandbox, ask).text
    assert now(sandbox, dave_answer).text.startswith("This ask is closed: <@U0CAROL03> helped.")
    [note] = dms(sandbox, DAVE)[dave_heard:]
    assert note.text.endswith("with their ask “a hand moving the servers”.")
    [row] = requests(sessions)
    assert (row.status, row.counterpart_id) == ("fulfilled", CAROL)

    second = undo(sandbox, ALICE)

    assert "Undone: <@U0CAROL03> did you a small favour" in second
    assert "Your ask is open again in <#C0GENERAL>" in second
    assert buttons(now(sandbox, ask)) == [ASK_VOLUNTEER, ASK_WITHDRAW]
    assert [buttons(now(sandbox, dm))[0] for dm in (carol_answer, dave_answer)] == [ASK_DONE] * 2
    assert requests(sessions)[0].status == "open"
    assert all(credit.retracted_at is not None for credit in credits(sessions))
