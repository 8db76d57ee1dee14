"""*Let them know*: a private note to each likely helper, once, within two a week per person;
replays, forged values and closed asks change nothing."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.models import FavorRequest, SuggestionNote
from bot.sandbox.harness import Sandbox
from bot.slack.ids import (
    ASK_VOLUNTEER,
    ASK_WITHDRAW,
    FAVOR_COMMAND,
    HOME_SETTING_TOGGLE,
    SUGGESTIONS_LET_KNOW,
)
from slack_emulator import Message
from tests.home_tab import home, home_click, shown_home, text_of
from tests.suggestions.helpers import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    ERIN,
    ask,
    command,
    dms,
    notes,
    settled,
    suggested,
)
from tests.support import Clock


def suggestion_dms(sandbox: Sandbox, user: str) -> list[Message]:
    return [m for m in dms(sandbox, user) if m.text.startswith("People likely to help")]


def notes_to(sandbox: Sandbox, user: str) -> list[Message]:
    return [m for m in dms(sandbox, user) if "could use a hand" in m.text]


def let_know(sandbox: Sandbox, user: str, dm: Message, value: str | None = None) -> str:
    """Click *Let them know* in `dm` as `user`; return the private answer."""
    before = len(notes(sandbox, user))
    assert sandbox.driver.click(user, dm, SUGGESTIONS_LET_KNOW, value=value).status == 200
    settled(sandbox)
    [answer] = notes(sandbox, user)[before:]
    return answer


def note_rows(sessions: sessionmaker[Session]) -> list[tuple[int, str]]:
    with sessions() as session:
        rows = session.execute(select(SuggestionNote.request_id, SuggestionNote.helper_id))
        return sorted((r, h) for r, h in rows)


def skilled(sandbox: Sandbox) -> None:
    command(sandbox, BOB, FAVOR_COMMAND, "skills kubernetes, helm")
    command(sandbox, DAVE, FAVOR_COMMAND, "skills kubernetes upgrades")


def test_each_suggested_helper_gets_a_note_with_the_asks_button(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    skilled(sandbox)
    ask(sandbox, ALICE, "a kubernetes upgrade buddy")
    [dm] = suggestion_dms(sandbox, ALICE)
    assert set(suggested(dm)) == {BOB, DAVE}

    answer = let_know(sandbox, ALICE, dm)

    assert answer.startswith("I let ") and f"<@{BOB}>" in answer and f"<@{DAVE}>" in answer
    for helper in (BOB, DAVE):
        [note] = notes_to(sandbox, helper)
        assert "a kubernetes upgrade buddy" in str(note.blocks)
    assert notes_to(sandbox, CAROL) == [] and notes_to(sandbox, ERIN) == []
    # The note's *I can help* answers the ask like the channel's button: the asker hears.
    [note] = notes_to(sandbox, BOB)
    assert sandbox.driver.click(BOB, note, ASK_VOLUNTEER).status == 200
    assert any(f"<@{BOB}> can help" in str(m.blocks) for m in dms(sandbox, ALICE))


def test_a_replayed_click_sends_nothing_twice(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    skilled(sandbox)
    ask(sandbox, ALICE, "a kubernetes upgrade buddy")
    [dm] = suggestion_dms(sandbox, ALICE)
    let_know(sandbox, ALICE, dm)

    again = let_know(sandbox, ALICE, dm)

    assert "already knew" in again and "I let" not in again
    assert len(notes_to(sandbox, BOB)) == 1 and len(notes_to(sandbox, DAVE)) == 1
    assert len(note_rows(sessions)) == 2


def test_clicks_at_once_send_one_note_each(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    skilled(sandbox)
    ask(sandbox, ALICE, "a kubernetes upgrade buddy")
    [dm] = suggestion_dms(sandbox, ALICE)
    payloads = [sandbox.driver.block_action_payload(ALICE, dm, SUGGESTIONS_LET_KNOW)] * 3
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
    settled(sandbox)

    assert statuses == [200, 200, 200]
    assert len(notes_to(sandbox, BOB)) == 1 and len(notes_to(sandbox, DAVE)) == 1
    assert len(note_rows(sessions)) == 2


def test_nobody_gets_more_than_two_notes_a_week(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    command(sandbox, BOB, FAVOR_COMMAND, "skills kubernetes")
    for n, asker in enumerate((ALICE, CAROL, DAVE)):
        ask(sandbox, asker, f"kubernetes question number {n}")
        [dm] = suggestion_dms(sandbox, asker)
        answer = let_know(sandbox, asker, dm)
        clock.advance(hours=1)
    assert len(notes_to(sandbox, BOB)) == 2
    assert f"<@{BOB}> had their 2 notes this week already" in answer
    assert "I let" not in answer

    clock.advance(days=7)
    ask(sandbox, ERIN, "kubernetes question, a week on")
    [dm] = suggestion_dms(sandbox, ERIN)
    assert let_know(sandbox, ERIN, dm) == f"I let <@{BOB}> know."
    assert len(notes_to(sandbox, BOB)) == 3


def test_forged_and_foreign_clicks_change_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    skilled(sandbox)
    ask(sandbox, ALICE, "a kubernetes upgrade buddy")
    command(sandbox, CAROL, FAVOR_COMMAND, "offer kubernetes pairing")
    [dm] = suggestion_dms(sandbox, ALICE)
    with sessions() as session:
        offer_id = session.scalar(
            select(FavorRequest.public_id).where(FavorRequest.kind == "offer")
        )
    assert offer_id is not None

    assert "can't find that" in let_know(sandbox, ALICE, dm, value="not-an-ask")
    assert "can't find that" in let_know(sandbox, ALICE, dm, value="x" * 5000)
    assert let_know(sandbox, ALICE, dm, value=offer_id) == "Only an ask has people to let know."
    assert let_know(sandbox, BOB, dm).startswith(f"Only <@{ALICE}> can let people know")

    assert note_rows(sessions) == []
    assert notes_to(sandbox, BOB) == [] and notes_to(sandbox, DAVE) == []


def test_a_closed_ask_lets_nobody_know(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    skilled(sandbox)
    posted = ask(sandbox, ALICE, "a kubernetes upgrade buddy")
    [dm] = suggestion_dms(sandbox, ALICE)
    assert sandbox.driver.click(ALICE, posted, ASK_WITHDRAW).status == 200

    assert "withdrawn" in let_know(sandbox, ALICE, dm)
    assert note_rows(sessions) == []
    assert notes_to(sandbox, BOB) == []


def test_someone_who_opted_out_since_is_not_told(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    skilled(sandbox)
    ask(sandbox, ALICE, "a kubernetes upgrade buddy")
    [dm] = suggestion_dms(sandbox, ALICE)
    # Dave turns "Suggest me as a helper" off on his Home.
    shown_home(sandbox, DAVE)
    assert home_click(sandbox, DAVE, HOME_SETTING_TOGGLE, value="suggestions:off").status == 200
    assert "*Suggest me as a helper*: Off" in text_of(home(sandbox, DAVE))

    answer = let_know(sandbox, ALICE, dm)

    assert answer.startswith(f"I let <@{BOB}> know.") and "can't be suggested" in answer
    assert notes_to(sandbox, DAVE) == []
    ask(sandbox, ERIN, "kubernetes help, after Dave said no")
    [dm] = suggestion_dms(sandbox, ERIN)
    assert suggested(dm) == [BOB]


def test_two_asks_letting_the_same_person_know_at_once_keep_the_weekly_limit(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    command(sandbox, BOB, FAVOR_COMMAND, "skills kubernetes")
    ask(sandbox, ALICE, "kubernetes question one")
    let_know(sandbox, ALICE, suggestion_dms(sandbox, ALICE)[0])
    ask(sandbox, CAROL, "kubernetes question two")
    ask(sandbox, DAVE, "kubernetes question three")
    payloads = [
        sandbox.driver.block_action_payload(
            user, suggestion_dms(sandbox, user)[0], SUGGESTIONS_LET_KNOW
        )
        for user in (CAROL, DAVE)
    ]
    start = threading.Barrier(len(payloads))

    def deliver(payload: dict[str, Any]) -> None:
        start.wait()
        assert sandbox.driver.send_interaction(payload).status == 200

    threads = [threading.Thread(target=deliver, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    settled(sandbox)

    assert len(notes_to(sandbox, BOB)) == 2 and len(note_rows(sessions)) == 2
    answers = notes(sandbox, CAROL) + notes(sandbox, DAVE)
    assert sum("had their 2 notes" in answer for answer in answers) == 1
