"""Enterprise Grid shapes, and requests for a workspace Goodwill was not authorized for.

A workspace of a Grid org installs Goodwill as any workspace does, and Slack then names the
org beside it (`enterprise_id`, in `authorizations[0]` too). An org-wide install (one
installation for every workspace of the org, `is_enterprise_install`) is not offered: the
manifest says `org_deploy_enabled: false`. Should such a request come anyway, it is answered
with nothing written.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.deps import Deps
from bot.listeners.workspace import NOT_INSTALLED_HERE
from bot.models import Credit, ProcessedEvent, Workspace
from bot.sandbox.driver import SlackDriver
from bot.sandbox.harness import SIGNING_SECRET, Sandbox
from bot.sandbox.transport import HttpTransport
from bot.slack.app import build_oauth_app
from bot.slack.ids import BOT_SCOPES
from bot.slack.installations import installation_store, state_store
from bot.slack.web import wsgi_app
from tests.support import Clock, LoopbackServer

HOME, ORG = "T0SANDBOX", "E0GRIDORG"
ALICE, BOB = "U0ALICE01", "U0BOB0002"
CLIENT_ID, CLIENT_SECRET = "111.222", "client-secret"


def count(sessions: sessionmaker[Session], model: type) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def in_org(envelope: dict, *, team_id: str | None = HOME, org_wide: bool = False) -> dict:
    """An Events API envelope from a workspace of the Grid org ORG."""
    envelope["enterprise_id"] = ORG
    envelope["authorizations"][0] |= {
        "enterprise_id": ORG,
        "team_id": team_id,
        "is_enterprise_install": org_wide,
    }
    if org_wide:
        envelope["is_enterprise_install"] = True
    return envelope


@pytest.fixture
def http(sandbox: Sandbox) -> Iterator[SlackDriver]:
    with LoopbackServer(wsgi_app(sandbox.app)) as server:
        yield SlackDriver(
            sandbox.emulator, SIGNING_SECRET, HttpTransport(f"{server.url}/slack/events")
        )


def test_an_org_wide_install_s_event_is_answered_and_writes_nothing(
    http: SlackDriver, sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    message = sandbox.emulator.post_user_message("C0GENERAL", BOB, "merged the fix")
    event = {
        "type": "reaction_added",
        "user": ALICE,
        "reaction": "pray",
        "item_user": BOB,
        "item": {"type": "message", "channel": "C0GENERAL", "ts": message.ts},
        "event_ts": message.ts,
    }
    delivery = http.send_event(in_org(http.event_envelope(event), team_id=None, org_wide=True))
    assert delivery.status == 200
    assert count(sessions, Credit) == 0 and count(sessions, ProcessedEvent) == 0


def test_a_command_for_another_workspace_than_the_tokens_is_refused_privately(
    http: SlackDriver, sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    payload = http.command_payload(ALICE, "/thanks", f"<@{BOB}> for the fix", "C0GENERAL")
    payload["team_id"] = "T0ELSEWHERE"
    delivery = http.send_form(payload)
    assert delivery.status == 200 and delivery.body == NOT_INSTALLED_HERE
    with sessions() as session:
        assert session.get(Workspace, "T0ELSEWHERE") is None
    assert count(sessions, Credit) == 0


@pytest.fixture
def grid_install(
    request: pytest.FixtureRequest, sessions: sessionmaker[Session], engine: Engine, clock: Clock
) -> Iterator[tuple[SlackDriver, SQLAlchemyInstallationStore]]:
    """The OAuth app, with Sandbox Co installed as a workspace of the Grid org ORG (or, with
    the parameter None, of no org)."""
    org = getattr(request, "param", ORG)
    with Sandbox(sessions, clock) as sandbox:
        emulator = sandbox.emulator
        store = installation_store(CLIENT_ID, engine)
        store.save(
            Installation(
                app_id="A0GOODWILL",
                enterprise_id=org,
                team_id=HOME,
                team_name="Sandbox Co",
                bot_token=emulator.bot_token,
                bot_id=emulator.bot_id,
                bot_user_id=emulator.bot_user_id,
                bot_scopes=sorted(BOT_SCOPES),
                user_id=ALICE,
                installed_at=datetime.now(UTC).timestamp(),
            )
        )
        app = build_oauth_app(
            Deps(sessions, clock, installations=store),
            api_url=emulator.api_url,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            signing_secret=SIGNING_SECRET,
            installations=store,
            states=state_store(engine),
        )
        with LoopbackServer(wsgi_app(app)) as server:
            url = f"{server.url}/slack/events"
            yield SlackDriver(emulator, SIGNING_SECRET, HttpTransport(url)), store
    with engine.begin() as conn:  # the stores' tables are not Goodwill's models
        for table in ("slack_installations", "slack_bots", "slack_oauth_states"):
            conn.exec_driver_sql(f"DELETE FROM {table}")


def test_a_grid_workspace_install_is_served_and_uninstalled_under_its_org(
    grid_install: tuple[SlackDriver, SQLAlchemyInstallationStore],
    sessions: sessionmaker[Session],
) -> None:
    driver, store = grid_install
    message = driver.emulator.post_user_message("C0GENERAL", BOB, "merged the fix")
    # Without its org, the envelope names no installation Goodwill has.
    assert driver.react(ALICE, message, "pray").status == 200
    assert count(sessions, Credit) == 0
    event = {
        "type": "reaction_added",
        "user": ALICE,
        "reaction": "pray",
        "item_user": BOB,
        "item": {"type": "message", "channel": "C0GENERAL", "ts": message.ts},
        "event_ts": message.ts,
    }
    delivery = driver.send_event(in_org(driver.event_envelope(event)))
    assert delivery.status == 200, delivery.body
    assert count(sessions, Credit) == 1

    uninstalled = in_org(driver.event_envelope({"type": "app_uninstalled"}))
    assert driver.send_event(uninstalled).status == 200
    assert store.find_bot(enterprise_id=ORG, team_id=HOME) is None
    with sessions() as session:
        assert session.get(Workspace, HOME) is None
    assert count(sessions, Credit) == 0


@pytest.mark.parametrize("grid_install", [None], indirect=True)
def test_with_many_workspaces_a_shared_channels_event_finds_the_installation(
    grid_install: tuple[SlackDriver, SQLAlchemyInstallationStore],
    sessions: sessionmaker[Session],
) -> None:
    """In OAuth mode Bolt finds the bot token by `authorizations[0]`; the listener files the
    credit under the same workspace, never under the channel's host."""
    driver, _ = grid_install
    message = driver.emulator.post_user_message("C0GENERAL", BOB, "merged the fix")
    event = {
        "type": "reaction_added",
        "user": ALICE,
        "user_team": HOME,
        "reaction": "pray",
        "item_user": BOB,
        "item": {"type": "message", "channel": "C0GENERAL", "ts": message.ts},
        "event_ts": message.ts,
    }
    envelope = driver.event_envelope(event) | {
        "team_id": "T0PARTNER",
        "context_team_id": "T0PARTNER",
        "context_enterprise_id": None,
        "is_ext_shared_channel": True,
    }
    assert driver.send_event(envelope).status == 200
    with sessions() as session:
        assert [credit.team_id for credit in session.scalars(select(Credit))] == [HOME]
        assert session.get(Workspace, "T0PARTNER") is None
