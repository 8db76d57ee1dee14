"""`/favor export`: admins get the ledger as CSV in their DM, uploaded like files_upload_v2 does."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.db import insert_new
from bot.models import Celebration, Credit, Member
from bot.privacy.export import COLUMNS, safe_cell
from bot.sandbox.harness import Sandbox
from slack_emulator import Message, SlackChannel, UploadedFile
from tests.support import Clock

TEAM = "T0SANDBOX"
ALICE, BOB, CAROL, DAVE, ERIN = "U0ALICE01", "U0BOB0002", "U0CAROL03", "U0DAVE004", "U0ERIN005"
GENERAL = "C0GENERAL"
T = TypeVar("T")


def wait_for(found: Callable[[], T], timeout: float = 10.0) -> T:
    """What `found` returns once it is truthy: the export runs after the command's answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = found()
        if result:
            return result
        time.sleep(0.01)
    raise AssertionError("timed out waiting for the export to finish")


def command(sandbox: Sandbox, user: str, text: str) -> Message:
    delivery, shown = sandbox.driver.slash_command(user, "/favor", text, GENERAL)
    assert delivery.status == 200, delivery.body
    assert shown is not None
    return shown


def thanks(sandbox: Sandbox, user: str, text: str) -> None:
    """Thank someone, every person named thanked (an empty answer), and wait for the
    celebration: nothing of it is in the export."""
    delivery, _ = sandbox.driver.slash_command(user, "/thanks", text, GENERAL)
    assert delivery.status == 200 and delivery.json() == {}, delivery.body
    sandbox.settle()


def notes_to(sandbox: Sandbox, user: str) -> dict[str, str]:
    """Private messages to `user` in #general, by ts."""
    return {
        m.ts: m.text
        for m in sandbox.emulator.messages(GENERAL, ephemeral=True)
        if m.ephemeral_for == user
    }


def export(sandbox: Sandbox, user: str = ALICE) -> tuple[Message, str]:
    """Run `/favor export`; return the immediate answer and the note that ends the export.

    The export runs beside the command's answer, and its note can reach Slack before the
    answer does: the note is the new one that is not the answer, whichever came first.
    """
    before = notes_to(sandbox, user)
    answer = command(sandbox, user, "export")
    seen = {*before, answer.ts}
    [last] = wait_for(
        lambda: [text for ts, text in notes_to(sandbox, user).items() if ts not in seen]
    )
    return answer, last


def rows_of(file: UploadedFile) -> list[list[str]]:
    assert file.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte order mark, for Excel
    return list(csv.reader(io.StringIO(file.content.decode("utf-8-sig"), newline="")))


def count_credits(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Credit)) or 0


def test_an_admin_gets_the_whole_ledger_as_csv_in_their_dm(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    thanks(sandbox, ALICE, f"<@{BOB}> -1 bug, thanks to the review #teamwork #quality")
    clock.advance(minutes=5)
    thanks(sandbox, CAROL, f'<@{DAVE}> =HYPERLINK("http://evil.example","click me")')
    clock.advance(minutes=5)
    command(sandbox, DAVE, f"<@{ERIN}> carried the boxes upstairs big")
    clock.advance(minutes=5)
    thanks(sandbox, BOB, f"<@{CAROL}> for lunch, with a comma and a\nnew line")
    clock.advance(minutes=1)
    command(sandbox, BOB, "undo")
    clock.advance(hours=1)
    before = len(sandbox.emulator.calls)

    answer, last = export(sandbox)

    assert answer.ephemeral_for == ALICE
    assert answer.text.startswith(":hourglass_flowing_sand: Preparing your export")
    assert last == ":white_check_mark: Done: the export (4 entries) is in your DM with me."
    methods = [c.method for c in sandbox.emulator.calls[before:]]
    assert methods == [
        "conversations.open",
        "files.getUploadURLExternal",
        "upload_url",
        "files.completeUploadExternal",
        "response_url",
    ]
    assert sandbox.emulator.calls_to("conversations.open")[0].args["users"] == ALICE
    [file] = sandbox.emulator.uploaded_files
    # Where the thanks were celebrated is kept for undo, and never exported.
    with sessions() as session:
        stamps = session.scalars(select(Celebration.ts)).all()
    assert len(stamps) == 3 and not any(ts.encode() in file.content for ts in stamps)
    assert file.filename == "goodwill-ledger-T0SANDBOX-2026-11-23.csv"
    assert file.title == "Goodwill ledger"
    assert file.channels == (f"D{ALICE}",)
    reserved = sandbox.emulator.calls_to("files.getUploadURLExternal")[0].args
    assert reserved["length"] == str(file.size)
    [shared] = sandbox.emulator.messages(f"D{ALICE}")
    assert shared.text == file.initial_comment
    assert file.initial_comment.startswith(
        "Here's the Goodwill ledger you asked for: 4 entries, up to 23 Nov 2026 11:16 UTC."
    )

    header, *rows = rows_of(file)
    assert tuple(header) == COLUMNS
    assert [row[1:] for row in rows] == [
        [
            BOB,
            "bob",
            ALICE,
            "alice",
            "thanks",
            "1",
            "'-1 bug, thanks to the review",
            "#teamwork #quality",
            GENERAL,
            "2026-11-23T10:00:00Z",
            "",
        ],
        [
            DAVE,
            "dave",
            CAROL,
            "carol",
            "thanks",
            "1",
            '\'=HYPERLINK("http://evil.example","click me")',
            "",
            GENERAL,
            "2026-11-23T10:05:00Z",
            "",
        ],
        [
            ERIN,
            "erin",
            DAVE,
            "dave",
            "favor",
            "3",
            "(private)",  # logged privately: its words stay out
            "",
            GENERAL,
            "2026-11-23T10:10:00Z",
            "",
        ],
        [
            CAROL,
            "carol",
            BOB,
            "bob",
            "thanks",
            "1",
            "for lunch, with a comma and a new line",
            "",
            GENERAL,
            "2026-11-23T10:15:00Z",
            "2026-11-23T10:16:00Z",
        ],
    ]
    ids = [int(row[0]) for row in rows]
    assert ids == sorted(ids)


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+2", "'=1+2"),
        ("+1 great", "'+1 great"),
        ("-2 for the typo", "'-2 for the typo"),
        ("@here look", "'@here look"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("for the fix = done", "for the fix = done"),
        ("", ""),
    ],
)
def test_cells_that_spreadsheets_would_run_as_formulas_are_made_text(text: str, safe: str) -> None:
    assert safe_cell(text) == safe


def test_owners_may_export_too(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        session.execute(
            update(Member).where(Member.user_id == ERIN).values(is_owner=True, is_admin=False)
        )
    _, last = export(sandbox, ERIN)
    assert last == ":white_check_mark: Done: the export (0 entries) is in your DM with me."
    [file] = sandbox.emulator.uploaded_files
    assert rows_of(file) == [list(COLUMNS)]
    assert file.channels == (f"D{ERIN}",)


def test_members_who_are_not_admins_are_refused_politely(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    thanks(sandbox, ALICE, f"<@{BOB}> for the review")
    before = len(sandbox.emulator.calls)

    answer = command(sandbox, BOB, "export")

    assert answer.ephemeral_for == BOB
    assert answer.text == (
        "Only workspace admins and owners can export the ledger, since it holds everyone's "
        "reasons. If you need a copy, ask one of them to type `/favor export`."
    )
    time.sleep(0.1)  # nothing runs afterwards either
    assert sandbox.emulator.calls[before:] == []
    assert sandbox.emulator.uploaded_files == []
    assert count_credits(sessions) == 1


def test_text_after_export_is_not_an_export(sandbox: Sandbox) -> None:
    before = len(sandbox.emulator.calls)
    answer = command(sandbox, ALICE, "export everything")
    assert answer.text.startswith("`/favor export` takes nothing after it.")
    assert sandbox.emulator.calls[before:] == []


def test_a_dm_that_cannot_be_opened_is_told_privately(sandbox: Sandbox) -> None:
    # Alice was deactivated in Slack a moment ago; the members cache has not heard yet.
    sandbox.emulator.users[ALICE].deleted = True
    before = len(sandbox.emulator.calls)

    _, last = export(sandbox)

    assert last == (
        ":warning: I couldn't open a direct message with you, so the export wasn't sent. "
        "Please try again in a minute."
    )
    assert [(c.method, c.error) for c in sandbox.emulator.calls[before:]] == [
        ("conversations.open", "user_disabled"),
        ("response_url", None),
    ]
    assert sandbox.emulator.uploaded_files == []


def test_an_upload_slack_refuses_is_told_privately(sandbox: Sandbox) -> None:
    # A DM the app has been removed from: Slack refuses to share a file there.
    sandbox.emulator.add_channel(
        SlackChannel(id=f"D{ALICE}", name=f"D{ALICE}", is_im=True, members={ALICE})
    )

    _, last = export(sandbox)

    assert last == (
        ":warning: I couldn't send the export to our direct message. Please try again in a minute."
    )
    [complete] = sandbox.emulator.calls_to("files.completeUploadExternal")
    assert complete.error == "not_in_channel"
    assert sandbox.emulator.uploaded_files == []


def test_a_large_ledger_is_streamed_out_whole_and_in_order(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    people = [ALICE, BOB, CAROL, DAVE, ERIN]
    rows = [
        {
            "team_id": TEAM,
            "helper_id": people[n % 5],
            "helped_id": people[(n + 1) % 5],
            "kind": "thanks",
            "weight": 1 + n % 3,
            "reason": f"reason number {n}",
            "values": [],
            "source_key": f"bulk:{n}",
            "quotable": True,  # said in a public channel: exported with its words
            "created_at": start + timedelta(minutes=n),
        }
        for n in range(5_000)
    ]
    with sessions.begin() as session:
        for chunk in range(0, len(rows), 1_000):
            insert_new(session, Credit, rows[chunk : chunk + 1_000], ["source_key"])

    _, last = export(sandbox)

    assert last == ":white_check_mark: Done: the export (5,000 entries) is in your DM with me."
    [file] = sandbox.emulator.uploaded_files
    _, *written = rows_of(file)
    assert [row[7] for row in written] == [f"reason number {n}" for n in range(5_000)]
    assert written[4_999][10] == "2026-01-04T11:19:00Z"


def test_a_failure_on_goodwills_side_is_told_privately_and_logged(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Standing in for the database going away mid-export, which nothing real can do on cue.
    def broken(*_: object) -> int:
        raise RuntimeError("connection lost")

    monkeypatch.setattr("bot.listeners.commands.export.write_ledger_csv", broken)

    _, last = export(sandbox)

    assert last == (
        ":warning: Something went wrong while preparing the export. Please try again in a minute."
    )
    assert sandbox.emulator.uploaded_files == []
    assert sandbox.emulator.calls_to("files.getUploadURLExternal") == []
    assert any(r.exc_info and "connection lost" in str(r.exc_info[1]) for r in caplog.records)


def test_what_was_said_privately_is_exported_without_its_words(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    """A favour logged privately ("Only you can see this"), thanks in a private channel and
    thanks Slack would not describe: who, when and how much, never the reason or the tags."""
    command(sandbox, DAVE, f"<@{ERIN}> covered my on-call shift")
    private = "C0PRIVATE"
    sandbox.emulator.add_channel(
        SlackChannel(private, "secret-plans", is_private=True, members={CAROL, BOB})
    )
    clock.advance(minutes=1)
    delivery, _ = sandbox.driver.slash_command(
        CAROL, "/thanks", f"<@{BOB}> for the surprise party plan #kindness", private
    )
    assert delivery.status == 200
    clock.advance(minutes=1)
    thanks(sandbox, ALICE, f"<@{BOB}> for the public review #quality")
    with sessions() as session:
        said = {c.reason: c.quotable for c in session.scalars(select(Credit))}
    assert said == {
        "covered my on-call shift": False,
        "for the surprise party plan": False,
        "for the public review": True,
    }

    _, last = export(sandbox)

    assert last.startswith(":white_check_mark: Done")
    [file] = sandbox.emulator.uploaded_files
    _, *rows = rows_of(file)
    assert [(row[7], row[8]) for row in rows] == [
        ("(private)", ""),
        ("(private)", ""),
        ("for the public review", "#quality"),
    ]
    content = file.content.decode("utf-8-sig")
    assert "on-call" not in content and "surprise" not in content and "kindness" not in content
