"""One-off commands for operators: `tick --at` and `digest --dry-run` (bot/__main__.py).

With no Slack credentials set, both read the sandbox's database, as the sandbox writes it."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TextIO

from sqlalchemy import Engine, select

from bot.config import RunMode, Settings
from bot.db import make_engine, make_session_factory, migrate
from bot.digest.blocks import digest_message
from bot.digest.week import weekly_digest
from bot.models import Member, Workspace
from bot.runtime import deps_for, sender_for
from bot.sandbox.lifecycle import tick_in_sandbox
from bot.sandbox.render import render_message
from bot.sandbox.seed import TEAM_ID as SANDBOX_TEAM_ID
from bot.scheduler.calendar import latest_weekly
from bot.scheduler.outbox import next_due
from bot.scheduler.sender import SendReport
from bot.scheduler.tick import run_tick
from slack_emulator import Message, SlackUser

# `tick --at` waits for messages Slack asked to be retried within this long.
RETRY_WINDOW = timedelta(minutes=2)


def tick_once(settings: Settings, at: datetime, out: TextIO = sys.stdout) -> None:
    """One tick as if at `at`, then send what is due: for operators and tests.

    Time runs on from `at` as it does on the wall clock, so a message Slack asked to be sent
    again in a moment (rate limited) is sent before the command ends.
    """
    if settings.mode is RunMode.SANDBOX:  # no Slack to send to: the sandbox's workspace
        tick_in_sandbox(settings.sandbox_database_url, at, out)
        return
    migrate(settings.database_url)
    started = time.monotonic()

    def clock() -> datetime:
        return at + timedelta(seconds=time.monotonic() - started)

    engine = make_engine(settings.database_url)
    try:
        _tick_and_send(settings, at, clock, engine, out)
    finally:
        engine.dispose()


def _tick_and_send(
    settings: Settings, at: datetime, clock: Callable[[], datetime], engine: Engine, out: TextIO
) -> None:
    deps = deps_for(settings, engine, clock=clock)
    report = run_tick(deps.sessions, at)
    print(f"planned {report.planned}, expired {report.expired}", file=out)
    # As the worker sends: in OAuth mode with each workspace's token, at the shared pace.
    sender = sender_for(settings, deps, engine=engine)
    total = SendReport()
    while True:
        sent = sender.send_due()
        total.add(sent)
        with deps.sessions() as session:
            upcoming = next_due(session, clock())
        progress = sent.sent + sent.failed + sent.released + sent.uncertain
        if upcoming is None or upcoming - clock() > RETRY_WINDOW:
            break
        if upcoming <= clock() and not progress:
            break  # due but taken by another sender: it is theirs to finish
        time.sleep(max(0.0, (upcoming - clock()).total_seconds()))
    print(
        f"sent {total.sent}, failed {total.failed}, retried {total.released}, "
        f"uncertain {total.uncertain}",
        file=out,
    )


def print_digest(
    settings: Settings, team_id: str | None, at: datetime, out: TextIO = sys.stdout
) -> int:
    """The digest the workspace would get for the week ending at its last digest hour; with
    no Slack credentials set, the sandbox's (its workspace unless `team_id` says another)."""
    sandbox = settings.mode is RunMode.SANDBOX
    database_url = settings.sandbox_database_url if sandbox else settings.database_url
    team_id = team_id or (SANDBOX_TEAM_ID if sandbox else None)
    if team_id is None:
        print("Say which workspace: --team T…", file=sys.stderr)
        return 2
    migrate(database_url)
    sessions = make_session_factory(make_engine(database_url))
    with sessions() as session:
        workspace = session.get(Workspace, team_id)
        if workspace is None:
            print(f"No workspace {team_id} in {database_url}.", file=sys.stderr)
            return 2
        end = latest_weekly(at, workspace.digest_weekday, workspace.digest_hour, workspace.timezone)
        data = weekly_digest(session, workspace, end)
        message = digest_message(data, quiet=workspace.quiet_mentions)
        people = {
            m.user_id: SlackUser(m.user_id, team_id, m.label)
            for m in session.scalars(select(Member).where(Member.team_id == team_id))
        }
        channel = workspace.digest_channel_id or "(no digest channel set)"
    print(f"Digest for {team_id}, week ending {end.isoformat()}, not posted:", file=out)
    draft = Message(channel, "0", "", message["text"], message.get("blocks", []))
    print(render_message(draft, people, {}), file=out)
    return 0
