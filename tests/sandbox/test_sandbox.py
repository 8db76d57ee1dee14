"""The sandbox people try Goodwill in: the shipped script, and the shell's own answers."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.models import Credit
from bot.sandbox.harness import Sandbox
from bot.sandbox.repl import HELP, run_shell

SCRIPT = Path(__file__).resolve().parents[2] / "bot" / "sandbox" / "example_script.txt"


def test_the_example_script_plays_through_the_cli(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env["SANDBOX_DATABASE_URL"] = f"sqlite:///{tmp_path / 'sandbox.db'}"
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'real.db'}"  # left alone
    result = subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", "--script", str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "> alice: /thanks @bob for the thorough code review #quality" in out
    assert "@bob — thank you from @alice!" in out
    assert "for the thorough code review" in out
    assert "@dave and @erin — thank you from @carol!" in out
    assert "Who would you like to thank?" in out
    assert "can't thank yourself" in out
    assert "is a bot" in out
    assert "@channel" in out and "<!channel>" not in out
    assert "(@erin reacts with :raised_hands::skin-tone-4: on @dave's message" in out
    assert "You thanked @dave for their message." in out
    assert "@dave — thank you from @alice!\n  > for writing the runbook" in out
    assert "@bob asked for a hand and @carol helped." in out
    assert "(@bob's Home tab)" in out
    assert (tmp_path / "sandbox.db").exists() and not (tmp_path / "real.db").exists()


def test_the_shell_explains_what_it_did_not_follow(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    out = io.StringIO()
    lines = "\n".join(
        [
            "help",
            "people",
            "zoe: /thanks @bob",
            "alice in #nowhere: /thanks @bob",
            "alice: /unknown thing",
            "alice says hello",
            "alice: /thanks @bob for the coffee",
            "quit",
            "alice: /thanks @bob for never being read",
        ]
    )
    run_shell(sandbox, io.StringIO(lines), out, echo=True)
    text = out.getvalue()
    assert "No one called 'zoe' here" in text
    assert "There is no #nowhere" in text
    assert "/unknown is not a command here" in text
    assert "I didn't follow that" in text
    assert "@deploybot  Deploy Bot (bot)" in text
    with sessions() as session:
        reasons = [credit.reason for credit in session.scalars(select(Credit))]
    assert reasons == ["for the coffee"]


def test_end_of_input_exits_cleanly(sandbox: Sandbox) -> None:
    out = io.StringIO()
    shell = threading.Thread(
        target=run_shell, args=(sandbox, io.StringIO(""), out), kwargs={"echo": False}
    )
    shell.start()
    shell.join(timeout=30)
    assert not shell.is_alive(), "the shell kept waiting after the end of its input"
    assert out.getvalue() == HELP + "\n"  # the greeting, then nothing: no error, no prompt


def test_the_shell_runs_the_scheduler_on_request(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    from tests.rhythm import configure

    configure(sessions, digest_channel_id="C0GENERAL")
    out = io.StringIO()
    lines = "\n".join(
        [
            "alice: /thanks @bob for the release notes",
            "tick 2026-11-30T09:30Z",
            "tick soon",
        ]
    )
    run_shell(sandbox, io.StringIO(lines), out, echo=True)
    text = out.getvalue()
    assert "This week in goodwill" in text
    assert "for the release notes" in text.split("This week in goodwill")[1]
    assert "1 planned, 1 sent" in text
    assert "Give the instant as ISO 8601" in text


def test_a_command_that_opens_a_form_shows_the_form(sandbox: Sandbox) -> None:
    out = io.StringIO()
    run_shell(sandbox, io.StringIO("alice: /favor settings\n"), out, echo=True)
    text = out.getvalue()
    assert "(a form opens for @alice)" in text
    assert "(`alice: submit WORDS` sends it, `alice: cancel` closes it)" in text
    assert "[ Goodwill settings ]" in text
    assert "[x] Private nudges" in text  # on until turned off
    assert "[Cancel] [Save]" in text
