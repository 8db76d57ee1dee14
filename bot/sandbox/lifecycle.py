"""The sandbox's data from the command line: start over (`sandbox --reset`), and the operators'
commands (`tick --at`, `digest --dry-run`) run against the sandbox's own database when no
Slack credentials are set, as everything else then is."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TextIO

from alembic import command
from sqlalchemy import make_url

from bot.db import alembic_config, make_engine, make_session_factory, migrate
from bot.sandbox.harness import Sandbox
from bot.sandbox.render import render_message
from slack_emulator import Message


def start_over(database_url: str) -> str:
    """Remove everything the sandbox kept (its SQLite file, or every table of another
    database, through the migrations' downgrades); the next start seeds it afresh. Returns
    the line that confirms it."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = url.database
        if path and path != ":memory:":
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)
            return f"Started over: removed {path}; the sandbox's workspace is seeded afresh."
        return "Started over: the sandbox keeps nothing between runs in memory."
    command.downgrade(alembic_config(database_url), "base")
    shown = url.render_as_string(hide_password=True)
    return f"Started over: emptied {shown}; the sandbox's workspace is seeded afresh."


def tick_in_sandbox(database_url: str, at: datetime, out: TextIO = sys.stdout) -> None:
    """One scheduler tick as if at `at` in the sandbox's workspace, sent to an emulator
    seeded as the sandbox is, showing what each person would get."""
    migrate(database_url)
    engine = make_engine(database_url)
    try:
        with Sandbox(make_session_factory(engine), lambda: at) as sandbox:
            emulator = sandbox.emulator

            def show(message: Message) -> None:
                print(render_message(message, emulator.users, emulator.channels), file=out)

            emulator.subscribe(show)
            planned, sent = sandbox.tick(at)
            print(
                f"planned {planned.planned}, expired {planned.expired}; sent {sent.sent} to the "
                f"sandbox's workspace, failed {sent.failed}",
                file=out,
            )
    finally:
        engine.dispose()
