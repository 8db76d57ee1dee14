"""Every input element the sandbox shows can be used: `pick` in a message (the weekly prompt's
people picker), `fill` in a form (people, options, checkboxes, text, numbers), and forms show
the values that are set. Each use reaches the app as Slack sends it, and the ledger follows."""

from __future__ import annotations

import io
import time

from sqlalchemy.orm import Session, sessionmaker

from bot.models import Workspace
from bot.sandbox.harness import Sandbox
from bot.sandbox.repl import run_shell
from tests.rhythm import configure
from tests.sandbox.test_sandbox_gestures import credits, play

TEAM = "T0SANDBOX"
ALICE, BOB, CAROL = "U0ALICE01", "U0BOB0002", "U0CAROL03"
# A Friday, 15:05 in Oslo: Alice's "Who helped you this week?" is due.
PROMPT_TIME = "tick 2026-12-11T14:05Z"


def test_the_weekly_prompts_people_picker_can_be_used_to_the_end(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    text = play(
        sandbox,
        PROMPT_TIME,
        "alice: pick @bob @carol",
        "alice: fill What did bob: reviewed my pull request",
        "alice: fill Thank bob: log a big",
        "alice: fill Who helped: @bob",  # the form follows the picker at once
        "alice: submit",
    )
    assert "(@alice picks @bob @carol in [Pick people])" in text
    assert "Who helped you this week?: [@bob, @carol v]" in text
    assert "(@alice's form changes)" in text
    after = text.split("(@alice's form changes)")[1]
    assert (
        "Who helped you this week?: [@bob v]" in after and "carol" not in after.split("[Save]")[0]
    )
    assert "a big favour from @bob, kept private" in text
    [credit] = credits(sessions)
    assert (credit.helper_id, credit.helped_id, credit.kind) == (BOB, ALICE, "favor")
    assert (credit.weight, credit.reason) == (3, "reviewed my pull request")


def test_the_settings_form_shows_what_is_set_and_every_kind_of_input_can_be_changed(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    configure(sessions, digest_hour=11, pair_daily_cap=4, quiet_mentions=True)
    text = play(sandbox, "alice: /favor settings")
    # Values that are set, never their placeholders.
    for shown in (
        "Digest day: [Monday v]",
        "Digest hour: [11:00 v]",
        "Mentions: [x] Quiet mentions",
        "Most credits a day from one person to another: [4]",
        "Days after which help counts half: [60]",
        "“Who helped you?” day: [Friday v]",
        "Digest time zone: [UTC]",
    ):
        assert shown in text, shown
    assert "[number_input]" not in text and "[Choose v]" not in text

    text = play(
        sandbox,
        "alice: fill Weekly digest channel: #random",
        "alice: fill Digest day: wed",
        "alice: fill Mentions: none",
        "alice: fill Days after which: 30",
        "alice: fill Your settings: private nudges, reaction confirmations",
        "alice: submit",
    )
    assert "(@alice fills in “Digest day”: wed)" in text
    assert "(the form closes)" in text
    with sessions() as session:
        workspace = session.get(Workspace, TEAM)
        assert workspace is not None
        assert workspace.digest_channel_id == "C0RANDOM1"
        assert (workspace.digest_weekday, workspace.digest_hour) == (2, 11)
        assert (workspace.quiet_mentions, workspace.half_life_days) == (False, 30)
    text = play(sandbox, "alice: /favor settings")
    assert "Weekly digest channel: [#random v]" in text
    assert "[ ] “Who helped you this week?”" in text and "[x] Private nudges" in text


def test_what_cannot_be_picked_or_filled_in_is_said_and_changes_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    text = play(
        sandbox,
        "alice: pick @bob",
        "alice: fill Digest day: wed",
        PROMPT_TIME,
        "alice: pick @zoe",
        "alice: pick",
        "bob: pick @alice",  # Bob's prompt is not due at this hour in New York
        "alice: /favor settings",
        "alice: fill Digest day: someday",
        "alice: fill Nothing like it: 3",
        "alice: fill Digest day",
        "alice: fill Weekly digest channel: #nowhere",
        "alice: cancel",
    )
    assert "@alice sees nothing to pick from." in text
    assert "@alice has no form open." in text
    assert "(@alice can't pick that: no one called '@zoe' here" in text
    assert "Pick what? For example `alice: pick @bob @carol`." in text
    assert "@bob sees nothing to pick from." in text
    assert "(@alice can't fill that in: no option 'someday'; the options are: Monday" in text
    assert text.count("Fill in which? For example `alice: fill Your settings: words`.") == 2
    assert "(@alice can't fill that in: there is no '#nowhere'" in text
    assert credits(sessions) == []
    with sessions() as session:
        workspace = session.get(Workspace, TEAM)
        assert workspace is not None and workspace.digest_weekday == 0


def test_the_thank_for_this_form_can_name_someone_else_and_keep_it_private(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    text = play(
        sandbox,
        "dave: say The rollback runbook is in the wiki now",
        "alice: thank for this",
        "alice: fill Who are you: @erin",
        "alice: fill Who sees it: just tell them",
        "alice: submit for pairing on the runbook",
    )
    assert "Who are you thanking?: [@dave v]" in text  # the message's author, to start with
    assert "(@alice fills in “Who are you thanking?”: @erin)" in text
    assert "(@alice fills in “Who sees it?”: just tell them)" in text
    [credit] = credits(sessions)
    assert (credit.helper_id, credit.helped_id) == ("U0ERIN005", ALICE)
    posted = sandbox.emulator.messages("C0GENERAL", ephemeral=False)
    assert [m.user for m in posted] == ["U0DAVE004"]  # kept private: nothing in the channel


def test_an_export_shows_its_file_in_the_dm(sandbox: Sandbox) -> None:
    out = io.StringIO()
    lines = "alice: /thanks @bob for the release notes\nalice: /favor export\nbob: /favor export"
    run_shell(sandbox, io.StringIO(lines), out, echo=True)
    deadline = time.monotonic() + 10
    while "[file goodwill-ledger-" not in out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.02)  # the export is uploaded beside the command's answer
    text = out.getvalue()
    dm = text.split("DM with @alice  Goodwill:")[1]
    assert "[file goodwill-ledger-T0SANDBOX-" in dm and ".csv: 2 lines, " in dm
    assert "  | id,helper_id,helper_name" in dm  # no byte-order mark shown
    assert ",U0BOB0002,bob,U0ALICE01,alice,thanks,1,for the release notes," in dm
    assert text.count("[file ") == 1  # Bob is no admin: no file for him
