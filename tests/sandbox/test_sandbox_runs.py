"""The sandbox across runs: form ids that never repeat an earlier run's, `sandbox --reset`,
and the operators' `digest --dry-run` and `tick --at`, which read the sandbox's workspace when
no Slack credentials are set. On both databases."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine
from bot.models import Credit
from bot.sandbox.harness import Sandbox
from bot.sandbox.lifecycle import start_over
from bot.sandbox.repl import run_shell
from slack_emulator import SlackEmulator
from tests.conftest import BACKENDS
from tests.support import Clock, scratch_postgresql

ROOT = Path(__file__).resolve().parents[2]


def play(sandbox: Sandbox, *lines: str) -> str:
    out = io.StringIO()
    run_shell(sandbox, io.StringIO("\n".join(lines)), out, echo=True)
    return out.getvalue()


def test_a_second_run_on_the_same_database_opens_forms_of_its_own(
    sessions: sessionmaker[Session], clock: Clock
) -> None:
    with Sandbox(sessions, clock) as first:
        play(first, "dave: say The runbook is in the wiki", "alice: thank for this")
        [first_form] = first.emulator.open_views
        play(first, "alice: submit for the runbook")
    clock.advance(days=2)  # another day, the same people
    with Sandbox(sessions, clock) as second:
        text = play(
            second,
            "dave: say The release notes are out",
            "alice: thank for this",
            "alice: submit for the release notes",
        )
    # Before, the second run's form had the first one's id, and the app (rightly) took its
    # submission for the first form's again: the form closed and nothing was recorded.
    assert "@dave — thank you from @alice!" in text
    with sessions() as session:
        reasons = [c.reason for c in session.scalars(select(Credit).order_by(Credit.id))]
    assert reasons == ["for the runbook", "for the release notes"]
    assert first_form.startswith("V")


def test_emulator_ids_count_on_from_the_microsecond_it_starts() -> None:
    earlier, later = SlackEmulator(clock=lambda: 1_000.0), SlackEmulator(clock=lambda: 1_000.5)
    ids = [e._ws.next_id("V") for e in (earlier, earlier, later)]
    assert len(set(ids)) == 3 and ids == sorted(ids, key=lambda i: (len(i), i))
    assert all(i.startswith("V0SBX") and i[5:].isalnum() and i[5:].isupper() for i in ids)
    at_35_microseconds = SlackEmulator(clock=lambda: 35e-6)._ws
    assert [at_35_microseconds.next_id("F") for _ in range(2)] == ["F0SBX00000Z", "F0SBX000010"]


# Runs of the command line, on a database of their own (SQLite file, or PostgreSQL database).


@pytest.fixture(params=BACKENDS)
def sandbox_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'sandbox.db'}"
        return
    with scratch_postgresql("goodwill_sandbox") as url:
        yield url


def goodwill(
    tmp_path: Path, sandbox_url: str, *args: str, script: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env["SANDBOX_DATABASE_URL"] = sandbox_url
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'real.db'}"  # never read here
    # This checkout's code, whatever the virtualenv has installed.
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    if script is not None:
        (tmp_path / "script.txt").write_text(script, encoding="utf-8")
        args = (*args, "--script", str(tmp_path / "script.txt"))
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
    )


def credits_in(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return len(conn.execute(select(Credit.id)).all())
    finally:
        engine.dispose()


def test_reset_starts_over_with_a_seeded_workspace(tmp_path: Path, sandbox_url: str) -> None:
    made = goodwill(tmp_path, sandbox_url, "sandbox", script="alice: /thanks @bob for the notes\n")
    assert made.returncode == 0, made.stderr
    assert credits_in(sandbox_url) == 1

    again = goodwill(tmp_path, sandbox_url, "sandbox", "--reset", script="bob: /favor balance\n")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("Started over: ")
    assert "the sandbox's workspace is seeded afresh." in again.stdout.splitlines()[0]
    assert "No exchanges yet" in again.stdout  # the thanks are gone; the people are back
    assert credits_in(sandbox_url) == 0
    assert not (tmp_path / "real.db").exists()


def test_start_over_on_a_database_that_was_never_used(sandbox_url: str) -> None:
    assert start_over(sandbox_url).startswith("Started over: ")
    engine = make_engine(sandbox_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_digest_and_tick_read_the_sandboxs_workspace(tmp_path: Path, sandbox_url: str) -> None:
    script = "alice: /thanks @bob for the release notes\nalice: /favor digest here\n"
    assert goodwill(tmp_path, sandbox_url, "sandbox", script=script).returncode == 0
    # A week on, at the digest's hour (Mondays 09:00 UTC): this week's thanks are in it.
    week_on = datetime.now(UTC) + timedelta(days=7)
    monday = (week_on - timedelta(days=week_on.weekday())).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    if monday > week_on:
        monday -= timedelta(days=7)
    at = monday.isoformat().replace("+00:00", "Z")

    digest = goodwill(tmp_path, sandbox_url, "digest", "--dry-run", "--at", at)
    assert digest.returncode == 0, digest.stderr
    assert "Digest for T0SANDBOX" in digest.stdout
    assert "thanked by @alice: _for the release notes_" in digest.stdout

    tick = goodwill(tmp_path, sandbox_url, "tick", "--at", at)
    assert tick.returncode == 0, tick.stderr
    assert "#general  Goodwill:\n  This week in goodwill" in tick.stdout
    assert "for the release notes" in tick.stdout
    assert "sent 1 to the sandbox's workspace, failed 0" in tick.stdout

    again = goodwill(tmp_path, sandbox_url, "tick", "--at", at)  # sent once, never twice
    assert "planned 0" in again.stdout and "This week in goodwill" not in again.stdout
    assert not (tmp_path / "real.db").exists()


def test_digest_names_what_it_cannot_find(tmp_path: Path, sandbox_url: str) -> None:
    nobody = goodwill(tmp_path, sandbox_url, "digest", "--dry-run", "--team", "T0NOBODY")
    assert nobody.returncode == 2
    assert "No workspace T0NOBODY in" in nobody.stderr
    assert "Traceback" not in nobody.stderr
