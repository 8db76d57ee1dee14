"""Private notes end to end: kept, shown and cleared by their writer; invisible to everyone
else (their Homes and commands); gone with forget-me of the writer and of the subject, and with
an uninstall; never exported. On both databases, through the emulator."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.models import BusySpell, PrivateNote
from bot.notes.rules import notes_about
from bot.sandbox.harness import Sandbox
from bot.slack.ids import FAVOR_COMMAND, FORGET_ME_CONFIRM
from slack_emulator import Message
from tests.home_tab import credit, shown_home, text_of
from tests.privacy.test_export import export
from tests.support import Clock

ALICE, BOB, CAROL, DAVE = "U0ALICE01", "U0BOB0002", "U0CAROL03", "U0DAVE004"
DEPLOYBOT, FRANK = "U0DEPLOY9", "U0FRANK06"
TEAM, GENERAL = "T0SANDBOX", "C0GENERAL"
GOAL = "learning Terraform; wants to lead the next migration"


def favor(sandbox: Sandbox, user: str, text: str) -> Message:
    delivery, shown = sandbox.driver.slash_command(user, FAVOR_COMMAND, text, GENERAL)
    assert delivery.status == 200, delivery.body
    assert shown is not None and shown.ephemeral_for == user
    return shown


def stored(sessions: sessionmaker[Session]) -> list[tuple[str, str, str]]:
    with sessions() as session:
        rows = session.scalars(select(PrivateNote).order_by(PrivateNote.writer_id))
        return [(r.writer_id, r.subject_id, r.text) for r in rows]


def test_a_note_is_kept_shown_replaced_and_cleared(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    kept = favor(sandbox, ALICE, f"note <@{BOB}|bob> {GOAL}")
    assert kept.text == ":memo: Your note about <@U0BOB0002> is kept. Only you can see it."
    assert stored(sessions) == [(ALICE, BOB, GOAL)]
    # Nothing public.
    assert sandbox.emulator.messages(GENERAL, ephemeral=False) == []

    shown = favor(sandbox, ALICE, f"note <@{BOB}>")
    assert shown.text == f":memo: Your note about <@U0BOB0002>: {GOAL}\n_Only you can see it._"

    favor(sandbox, ALICE, f"note <@{BOB}> now pairing with Dave on the database")
    assert stored(sessions) == [(ALICE, BOB, "now pairing with Dave on the database")]

    assert favor(sandbox, ALICE, f"note <@{BOB}> clear").text == (
        "Your note about <@U0BOB0002> is removed."
    )
    assert stored(sessions) == []
    assert favor(sandbox, ALICE, f"note <@{BOB}> clear").text == (
        "You had no note about <@U0BOB0002>, so nothing changed."
    )
    assert favor(sandbox, ALICE, f"note <@{BOB}>").text.startswith(
        "You have no note about <@U0BOB0002>."
    )


def test_a_long_note_is_cut_and_the_reply_says_so(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    long = "wants to learn " + " ".join(f"topic{n}" for n in range(80))
    kept = favor(sandbox, ALICE, f"note <@{BOB}> {long}")
    [(_, _, text)] = stored(sessions)
    assert len(text) <= 280 and text.endswith("…")
    assert long.startswith(text.removesuffix("…"))
    assert kept.text.endswith(f"It was longer than 280 characters, so it was cut to: {text}")


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("note", "Type `/favor note @someone what they're working towards`"),
        ("note bob likes tea", "Type `/favor note @someone what they're working towards`"),
        (f"note <@{ALICE}> finish the book", "Notes are about colleagues."),
        (f"note <@{DEPLOYBOT}> deploys on Fridays", "Deploy Bot is a bot or no longer here"),
        (f"note <@{FRANK}> moved teams", "Frank Fischer is a bot or no longer here"),
        (f"note <@{BOB}> <@{CAROL}> both like tea", "A note is about one person at a time."),
        ("note <@UNOBODY99> hello", "I couldn't find <@UNOBODY99> in this workspace."),
    ],
)
def test_bad_notes_say_what_to_type_and_keep_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session], text: str, answer: str
) -> None:
    shown = favor(sandbox, ALICE, text)
    assert shown.text.startswith(answer), shown.text
    assert stored(sessions) == []


def test_notes_are_invisible_to_everyone_else(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    credit(sessions, BOB, ALICE, clock.now - timedelta(days=1), reason="reviewed my PR")
    credit(sessions, BOB, CAROL, clock.now - timedelta(days=1), reason="lunch")
    favor(sandbox, ALICE, f"note <@{BOB}> {GOAL}")
    favor(sandbox, ALICE, f"note <@{DAVE}> back from leave in March")

    # Alice: beside Bob on her map, and Dave (not on it) among her notes.
    alices = text_of(shown_home(sandbox, ALICE))
    [bob_line] = [line for line in alices.split("\n\n") if "<@U0BOB0002>:" in line]
    assert f":memo: _{GOAL}_" in bob_line
    assert "*Your private notes*\n• <@U0DAVE004>: back from leave in March" in alices
    assert alices.count(GOAL) == 1

    # Nobody else: not Bob, not Carol (who shares a history with Bob), in Homes or commands.
    for user in (BOB, CAROL, DAVE):
        theirs = text_of(shown_home(sandbox, user))
        assert GOAL not in theirs and "back from leave" not in theirs
        assert "Your private notes" not in theirs
        assert favor(sandbox, user, f"note <@{BOB if user != BOB else DAVE}>").text.startswith(
            "You have no note about"
        )
    for user in (BOB, CAROL):
        for command in ("balance", f"balance <@{ALICE}>", "history"):
            assert GOAL not in str(favor(sandbox, user, command).__dict__)
    with sessions() as session:
        assert notes_about(session, TEAM, CAROL, [BOB, DAVE]) == {}
        assert notes_about(session, TEAM, ALICE, [BOB, CAROL]) == {BOB: GOAL}


def forget(sandbox: Sandbox, user: str) -> Message:
    question = favor(sandbox, user, "forget-me")
    assert sandbox.driver.click(user, question, FORGET_ME_CONFIRM).status == 200
    [done] = [m for m in sandbox.emulator.messages(question.channel) if m.ts == question.ts]
    return done


def test_forget_me_removes_the_writers_notes(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    favor(sandbox, ALICE, f"note <@{BOB}> {GOAL}")
    favor(sandbox, ALICE, f"note <@{CAROL}> learning Go")
    favor(sandbox, DAVE, f"note <@{CAROL}> wants a mentor, ask <@{ALICE}>")

    done = forget(sandbox, ALICE)

    assert "• removed your 2 private notes" in done.text
    # Dave's note stays his, without Alice in it.
    assert stored(sessions) == [(DAVE, CAROL, "wants a mentor, ask someone")]


def test_forget_me_removes_the_notes_about_the_subject_and_never_tells_them(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    favor(sandbox, ALICE, f"note <@{BOB}> {GOAL}")
    favor(sandbox, CAROL, f"note <@{BOB}> likes code reviews")
    favor(sandbox, CAROL, f"note <@{DAVE}> learning Rust")

    done = forget(sandbox, BOB)

    assert stored(sessions) == [(CAROL, DAVE, "learning Rust")]
    assert "note" not in done.text  # that others kept notes about him is theirs to know


def test_an_uninstall_takes_every_note(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    favor(sandbox, ALICE, f"note <@{BOB}> {GOAL}")
    favor(sandbox, BOB, "busy for 2 days")
    envelope = sandbox.driver.event_envelope({"type": "app_uninstalled"})
    assert sandbox.driver.send_event(envelope).status == 200
    assert stored(sessions) == []
    with sessions() as session:
        assert session.scalars(select(BusySpell)).all() == []


def test_notes_are_never_exported(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    sandbox.driver.slash_command(CAROL, "/thanks", f"<@{BOB}> for the review", GENERAL)
    favor(sandbox, ALICE, f"note <@{BOB}> {GOAL}")
    favor(sandbox, ALICE, f"note <@{CAROL}> learning Go")

    _, last = export(sandbox, ALICE)

    assert last.startswith(":white_check_mark: Done")
    [file] = sandbox.emulator.uploaded_files
    content = file.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content, newline="")))
    assert len(rows) == 2  # the header and the one thanks
    assert GOAL not in content and "learning Go" not in content
