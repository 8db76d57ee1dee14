"""Each workspace's pace, shared by processes through the database, and Slack's Retry-After
waited out by every process; `tick --at` in OAuth mode with each workspace's own token."""

from __future__ import annotations

import io
import itertools
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryState
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import RunMode, Settings
from bot.models import Member, Workspace
from bot.operations import tick_once
from bot.scheduler.outbox import hold, start_sending
from bot.scheduler.pace import SharedPace
from bot.scheduler.pacer import JITTER_MARGIN, Pacer
from bot.scheduler.planned import Planned, plan
from bot.slack.ids import BOT_SCOPES
from bot.slack.installations import installation_store
from slack_emulator import SlackEmulator, SlackUser, Switchboard
from tests.scheduler.test_outbox import NOW

FIRST, SECOND = "T0FIRST01", "T0SECOND2"


def dm(team_id: str, n: int = 0, due: datetime = NOW) -> Planned:
    return Planned(
        f"prompt:{team_id}:U0ALICE01:{n}",
        "prompt",
        "U0ALICE01",
        {"text": f"Who helped you this week? ({n})"},
        due,
        due + timedelta(hours=4),
        recipient_id="U0ALICE01",
    )


@pytest.fixture
def workspaces(sessions: sessionmaker[Session]) -> list[str]:
    with sessions.begin() as session:
        for team_id in (FIRST, SECOND):
            session.add(Workspace(team_id=team_id, name=team_id))
    return [FIRST, SECOND]


def test_runs_of_turns_follow_each_other_in_a_workspace_and_not_across(
    sessions: sessionmaker[Session], workspaces: list[str]
) -> None:
    shared = SharedPace(sessions)
    assert shared.reserve(FIRST, 1.0) == pytest.approx(0.0, abs=0.05)
    # Another process's run starts where the first ends...
    assert shared.reserve(FIRST, 1.0) == pytest.approx(1.0, abs=0.05)
    # ...but another workspace has a pace of its own.
    assert shared.reserve(SECOND, 1.0) == pytest.approx(0.0, abs=0.05)


def test_two_processes_sending_to_one_workspace_keep_to_one_pace(
    sessions: sessionmaker[Session], workspaces: list[str]
) -> None:
    # Two pacers, as two processes would have, booking their turns as fast as they can.
    pacers = [Pacer(20, 0.0, sleep=lambda _s: None, shared=SharedPace(sessions)) for _ in "ab"]
    starts = []
    for n in range(40):
        for pacer in pacers:
            wait = pacer.book(f"C{n}", FIRST)  # counted from when book() returns
            starts.append(time.monotonic() + wait)
    starts.sort()
    # 80 turns at 20 a second: four seconds, as one process alone would take...
    assert starts[-1] - starts[0] >= 79 / 20
    # ...and never the 21st call within a second of the first, as Slack counts them.
    assert min(b - a for a, b in zip(starts, starts[20:], strict=False)) >= 1.0
    # The other workspace is not held up by the first's turns.
    assert pacers[0].book("C0", SECOND) < 0.05


def test_a_pacer_alone_keeps_its_guarantees_with_a_shared_pace(
    sessions: sessionmaker[Session], workspaces: list[str]
) -> None:
    pacer = Pacer(50, 0.0, sleep=lambda _s: None, shared=SharedPace(sessions))
    starts = []
    for number in range(150):
        # The wait counts from when book() returns: reading the clock before the call would
        # count the shared pace's round trip to the database as part of the gap.
        wait = pacer.book(f"C{number}", FIRST)
        starts.append(time.monotonic() + wait)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    # A turn taken late (a slow round trip to the database) is caught up on by the next,
    # never closer than half the interval, as the Pacer promises; and no more than 50 in
    # any second as Slack counts them.
    assert min(gaps) >= 1 / 50 / 2 - 0.001
    assert (
        min(b - a for a, b in zip(starts, starts[50:], strict=False)) >= 1 + JITTER_MARGIN - 0.005
    )
    assert starts[-1] - starts[0] <= 3 * (1 + JITTER_MARGIN) + 0.1


def limited(retry_after: int) -> HttpResponse:
    return HttpResponse(status_code=429, headers={"Retry-After": str(retry_after)})


def test_a_429_in_one_process_holds_the_workspace_in_every_process(
    sessions: sessionmaker[Session], workspaces: list[str]
) -> None:
    here = Pacer(100, 0.0, sleep=lambda _s: None, shared=SharedPace(sessions))
    there = Pacer(100, 0.0, sleep=lambda _s: None, shared=SharedPace(sessions))
    watch = here.watching(WebClient(token="xoxb-test"), FIRST).retry_handlers[0]
    request = HttpRequest(method="POST", url="https://slack.com/api/chat.postMessage", headers={})
    assert not watch.can_retry(state=RetryState(), request=request, response=limited(2))
    # Retry-After plus the second slack_sdk may add to it, in the other process too...
    assert there.book("C1", FIRST) == pytest.approx(3.0, abs=0.1)
    # ...for that workspace only.
    assert there.book("C2", SECOND) == pytest.approx(0.0, abs=0.05)


def test_a_message_started_during_slacks_hold_knows_how_long_to_wait(
    sessions: sessionmaker[Session], workspaces: list[str]
) -> None:
    with sessions.begin() as session:
        session.add(Member(team_id=FIRST, user_id="U0ALICE01"))
        plan(session, FIRST, [dm(FIRST)])
    SharedPace(sessions).hold_off(FIRST, 5.0)
    with sessions.begin() as session:
        [held] = hold(session, NOW, "me", 10)
        started = start_sending(session, held, NOW, "me")
    assert started is not None and started.team_id == FIRST
    assert started.slack_wait == pytest.approx(5.0, abs=0.2)


@pytest.fixture
def two_installed(
    sessions: sessionmaker[Session], engine: Engine, workspaces: list[str]
) -> Iterator[tuple[Switchboard, list[SlackEmulator]]]:
    emulators = [SlackEmulator(team_id=t, bot_token=f"xoxb-{t}-installed") for t in workspaces]
    store = installation_store("111.222", engine)
    for emulator in emulators:
        emulator.add_user(SlackUser("U0ALICE01", emulator.team_id, "alice"))
        store.save(
            Installation(
                app_id="A0GOODWILL",
                team_id=emulator.team_id,
                bot_token=emulator.bot_token,
                bot_id="B0GOODWILL",
                bot_user_id="U0GOODWILL",
                bot_scopes=sorted(BOT_SCOPES),
                user_id="U0ALICE01",
            )
        )
        emulator.start()
    try:
        with Switchboard(emulators) as switchboard:
            yield switchboard, emulators
    finally:
        for emulator in emulators:
            emulator.stop()
        with engine.begin() as conn:  # the stores' tables are not Goodwill's models
            for table in ("slack_installations", "slack_bots"):
                conn.exec_driver_sql(f"DELETE FROM {table}")


def test_tick_at_in_oauth_mode_sends_with_each_workspaces_token(
    sessions: sessionmaker[Session],
    database_url: str,
    two_installed: tuple[Switchboard, list[SlackEmulator]],
) -> None:
    switchboard, emulators = two_installed
    at = datetime.now(UTC)
    with sessions.begin() as session:
        for team_id in (FIRST, SECOND):
            session.add(Member(team_id=team_id, user_id="U0ALICE01"))
            plan(session, team_id, [dm(team_id, n, at) for n in range(2)])
    settings = Settings.from_env(
        {
            "DATABASE_URL": database_url,
            "SLACK_CLIENT_ID": "111.222",
            "SLACK_CLIENT_SECRET": "client-secret",
            "SLACK_SIGNING_SECRET": "oauth-signing-secret",
            "SLACK_API_URL": switchboard.api_url,
        }
    )
    assert settings.mode is RunMode.OAUTH
    out = io.StringIO()
    tick_once(settings, at, out)
    assert "sent 4, failed 0" in out.getvalue()
    for emulator in emulators:
        [call, _] = emulator.calls_to("chat.postMessage")
        assert call.ok and call.args["channel"] == "U0ALICE01"
        # Each workspace checked the token it was called with: it was its own.
        assert [m.text for m in emulator.messages() if m.source == "api"] == [
            "Who helped you this week? (0)",
            "Who helped you this week? (1)",
        ]
