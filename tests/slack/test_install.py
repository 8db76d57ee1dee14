"""Multi-workspace installs: Bolt's OAuth flow against the emulator, uninstall, rotation,
and two workspaces in one database that never see each other's data."""

from __future__ import annotations

import html
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine
from bot.deps import Deps
from bot.errors import DatabaseUnavailableError
from bot.models import Celebration, Credit, Member, Workspace
from bot.sandbox.driver import SlackDriver
from bot.sandbox.harness import FollowUps, Sandbox
from bot.sandbox.transport import HttpTransport
from bot.slack.api import sync_workspace
from bot.slack.app import build_oauth_app, make_client
from bot.slack.ids import BOT_SCOPES
from bot.slack.installations import InstalledClients, installation_store, state_store
from bot.slack.web import wsgi_app
from tests.support import Clock, LoopbackServer, run_at_once, unused_port

CLIENT_ID, CLIENT_SECRET, SIGNING_SECRET = "111.222", "client-secret", "oauth-signing-secret"
ALICE, BOB = "U0ALICE01", "U0BOB0002"


@dataclass
class Installable:
    sandbox: Sandbox
    store: SQLAlchemyInstallationStore
    url: str
    driver: SlackDriver
    follow_ups: FollowUps  # of the installable app, not the sandbox's


@pytest.fixture
def installable(
    sessions: sessionmaker[Session], engine: Engine, clock: Clock
) -> Iterator[Installable]:
    sandbox = Sandbox(sessions, clock, sync_members=False)
    with sandbox:
        sandbox.emulator.enable_oauth(CLIENT_ID, CLIENT_SECRET, tuple(sorted(BOT_SCOPES)))
        store = installation_store(CLIENT_ID, engine)
        deps = Deps(sessions, clock, installations=store)
        api_url = sandbox.emulator.api_url
        app = build_oauth_app(
            deps,
            api_url=api_url,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            signing_secret=SIGNING_SECRET,
            installations=store,
            states=state_store(engine),
            on_installed=lambda i: sync_workspace(
                make_client(i.bot_token, api_url), sessions, clock
            ),
        )
        follow_ups = FollowUps(app)
        with LoopbackServer(wsgi_app(app)) as server:
            driver = SlackDriver(
                sandbox.emulator, SIGNING_SECRET, HttpTransport(f"{server.url}/slack/events")
            )
            yield Installable(sandbox, store, server.url, driver, follow_ups)
            follow_ups.settle()
    with engine.begin() as conn:  # the stores' tables are not Goodwill's models
        for table in ("slack_installations", "slack_bots", "slack_oauth_states"):
            conn.exec_driver_sql(f"DELETE FROM {table}")


def get(url: str, cookie: str | None = None) -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            headers = {k.lower(): v for k, v in response.headers.items()}
            return response.status, response.read().decode(), headers
    except urllib.error.HTTPError as error:
        with error:
            headers = {k.lower(): v for k, v in error.headers.items()}
            return error.code, error.read().decode(), headers


def start_install(url: str) -> tuple[str, str]:
    """Open /slack/install as a browser would: the state in Slack's link, and the cookie."""
    status, page, headers = get(f"{url}/slack/install")
    assert status == 200
    link = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page)
    assert link is not None, page
    query = parse_qs(urlsplit(html.unescape(link.group(1))).query)
    assert query["client_id"] == [CLIENT_ID]
    assert set(query["scope"][0].split(",")) == BOT_SCOPES
    cookie = headers["set-cookie"].split(";")[0]
    assert cookie.startswith("slack-app-oauth-state=")
    return query["state"][0], cookie


def finish_install(installable: Installable, state: str, cookie: str) -> tuple[int, str]:
    code = installable.sandbox.emulator.authorize_install(ALICE)
    query = urlencode({"code": code, "state": state})
    status, page, _ = get(f"{installable.url}/slack/oauth_redirect?{query}", cookie)
    return status, page


def test_install_round_trip_creates_the_workspace_and_serves_it(
    installable: Installable, sessions: sessionmaker[Session]
) -> None:
    state, cookie = start_install(installable.url)
    status, _ = finish_install(installable, state, cookie)
    assert status == 200

    bot = installable.store.find_bot(enterprise_id=None, team_id="T0SANDBOX")
    assert bot is not None and bot.bot_token.startswith("xoxb-")
    with sessions() as session:
        workspace = session.get(Workspace, "T0SANDBOX")
        assert workspace is not None and workspace.name == "Sandbox Co"
        assert session.scalar(select(func.count()).select_from(Member)) == 8

    # Requests from the new workspace are answered with its own token.
    delivery, _ = installable.driver.slash_command(
        ALICE, "/thanks", f"<@{BOB}> for the install", "C0GENERAL"
    )
    assert (delivery.status, delivery.body) == (200, "")
    installable.follow_ups.settle()
    [posted] = installable.sandbox.emulator.calls_to("chat.postMessage")
    assert posted.ok and posted.args["channel"] == "C0GENERAL"
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Credit)) == 1
        assert session.scalar(select(func.count()).select_from(Celebration)) == 1


def test_each_tokens_auth_test_is_asked_once_not_on_every_request(
    installable: Installable,
) -> None:
    state, cookie = start_install(installable.url)
    assert finish_install(installable, state, cookie)[0] == 200
    before = len(installable.sandbox.emulator.calls_to("auth.test"))

    for helper in (BOB, BOB, ALICE):
        giver = ALICE if helper == BOB else BOB
        delivery, _ = installable.driver.slash_command(
            giver, "/thanks", f"<@{helper}> x", "C0GENERAL"
        )
        assert delivery.status == 200

    assert len(installable.sandbox.emulator.calls_to("auth.test")) == before + 1


def test_an_installation_store_out_of_reach_is_not_taken_for_no_installation(
    installable: Installable, sessions: sessionmaker[Session]
) -> None:
    state, cookie = start_install(installable.url)
    assert finish_install(installable, state, cookie)[0] == 200
    # The store's database refuses connections from now on.
    installable.store.engine = make_engine(
        f"postgresql+psycopg://goodwill@127.0.0.1:{unused_port()}/x"
    )

    delivery, shown = installable.driver.slash_command(
        ALICE, "/thanks", f"<@{BOB}> for the install", "C0GENERAL"
    )

    assert delivery.status == 200
    assert shown is not None and shown.ephemeral_for == ALICE
    assert shown.text == DatabaseUnavailableError.user_message
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Credit)) == 0


@pytest.mark.parametrize("tamper", ["forged", "no cookie", "reused"])
def test_a_bad_or_reused_state_is_refused(
    installable: Installable, sessions: sessionmaker[Session], tamper: str
) -> None:
    state, cookie = start_install(installable.url)
    if tamper == "forged":
        state = "not-a-state-we-issued"
    elif tamper == "no cookie":
        cookie = ""
    else:
        assert finish_install(installable, state, cookie)[0] == 200
        installable.store.delete_all(enterprise_id=None, team_id="T0SANDBOX")
    status, page = finish_install(installable, state, cookie)
    assert status >= 400, page
    assert installable.store.find_bot(enterprise_id=None, team_id="T0SANDBOX") is None


def test_uninstall_deletes_the_installation_and_the_data(
    installable: Installable, sessions: sessionmaker[Session]
) -> None:
    state, cookie = start_install(installable.url)
    finish_install(installable, state, cookie)
    installable.driver.slash_command(ALICE, "/thanks", f"<@{BOB}> for it", "C0GENERAL")
    installable.follow_ups.settle()  # celebrated, and where kept

    envelope = installable.driver.event_envelope({"type": "app_uninstalled"})
    assert installable.driver.send_event(envelope).status == 200

    assert installable.store.find_bot(enterprise_id=None, team_id="T0SANDBOX") is None
    with sessions() as session:
        for model in (Workspace, Member, Credit, Celebration):
            assert session.scalar(select(func.count()).select_from(model)) == 0


def test_rotating_tokens_are_refreshed_for_requests_and_for_scheduled_jobs(
    installable: Installable, sessions: sessionmaker[Session]
) -> None:
    oauth = installable.sandbox.emulator.enable_oauth(
        CLIENT_ID, CLIENT_SECRET, tuple(sorted(BOT_SCOPES)), rotation=True, token_ttl_seconds=3600
    )
    state, cookie = start_install(installable.url)
    assert finish_install(installable, state, cookie)[0] == 200
    first = installable.store.find_bot(enterprise_id=None, team_id="T0SANDBOX")
    assert first is not None and first.bot_refresh_token
    assert first.bot_token.startswith("xoxe.xoxb-")

    # An hour's token is within the two hours before expiry that trigger a refresh.
    delivery, _ = installable.driver.slash_command(ALICE, "/thanks", f"<@{BOB}> x", "C0GENERAL")
    assert delivery.status == 200
    installable.follow_ups.settle()
    [posted] = installable.sandbox.emulator.calls_to("chat.postMessage")
    assert posted.ok  # celebrated with the refreshed token
    second = installable.store.find_bot(enterprise_id=None, team_id="T0SANDBOX")
    assert second is not None and second.bot_token != first.bot_token

    api_url = installable.sandbox.emulator.api_url
    clients = InstalledClients(
        installable.store, CLIENT_ID, CLIENT_SECRET, lambda t: make_client(t, api_url)
    )
    client = clients("T0SANDBOX")
    assert client.token not in (first.bot_token, second.bot_token)
    assert client.auth_test()["team_id"] == "T0SANDBOX"
    assert oauth.check_token(first.bot_token, 0) is None  # not expired, merely replaced

    with pytest.raises(LookupError):
        clients("T0NOTHERE")


def test_scheduled_jobs_find_the_token_of_a_workspace_in_an_enterprise_grid_org(
    installable: Installable,
) -> None:
    # A Grid workspace installs like any other (org-wide installs are off), and Slack's
    # oauth.v2.access names its organisation: the store keeps the bot under both IDs.
    for enterprise_id, team_id, token in (
        ("E0GRIDORG", "T0GRIDWS1", "xoxb-grid-workspace"),
        (None, "T0PLAINWS", "xoxb-plain-workspace"),
    ):
        installable.store.save_bot(
            Bot(
                app_id="A0GOODWILL",
                enterprise_id=enterprise_id,
                team_id=team_id,
                bot_token=token,
                bot_id="B0GOODWILL",
                bot_user_id="U0GOODWILL",
                installed_at=datetime.now(UTC).timestamp(),
            )
        )
    api_url = installable.sandbox.emulator.api_url
    clients = InstalledClients(
        installable.store, CLIENT_ID, CLIENT_SECRET, lambda t: make_client(t, api_url)
    )

    assert clients("T0GRIDWS1").token == "xoxb-grid-workspace"
    assert clients("T0PLAINWS").token == "xoxb-plain-workspace"
    with pytest.raises(LookupError):
        clients("E0GRIDORG")


def test_sending_threads_refresh_a_rotating_token_one_at_a_time(
    installable: Installable, sessions: sessionmaker[Session]
) -> None:
    installable.sandbox.emulator.enable_oauth(
        CLIENT_ID, CLIENT_SECRET, tuple(sorted(BOT_SCOPES)), rotation=True, token_ttl_seconds=3600
    )
    state, cookie = start_install(installable.url)
    assert finish_install(installable, state, cookie)[0] == 200
    api_url = installable.sandbox.emulator.api_url
    clients = InstalledClients(
        installable.store, CLIENT_ID, CLIENT_SECRET, lambda t: make_client(t, api_url)
    )
    # A refresh token is good once: threads that all spent the same one would all but one
    # be refused (invalid_refresh_token).
    teams: list[str] = []
    failures: list[Exception] = []

    def send_as_a_thread_would() -> None:
        try:
            teams.append(clients("T0SANDBOX").auth_test()["team_id"])
        except Exception as error:
            failures.append(error)

    run_at_once(send_as_a_thread_would, 4)
    assert failures == [] and teams == ["T0SANDBOX"] * 4


def test_two_workspaces_in_one_database_never_see_each_other(
    sessions: sessionmaker[Session], clock: Clock
) -> None:
    # The same people's IDs in both workspaces: only the team_id tells their data apart.
    with (
        Sandbox(sessions, clock) as first,
        Sandbox(sessions, clock, team_id="T0SECOND1", team_name="Second Co") as second,
    ):
        first.driver.slash_command(ALICE, "/thanks", f"<@{BOB}> for the review", "C0GENERAL")
        first.driver.slash_command(ALICE, "/favor", f"<@{BOB}> fixed my laptop big", "C0GENERAL")

        delivery, _ = second.driver.slash_command(BOB, "/favor", "balance", "C0GENERAL")
        assert "U0ALICE01" not in delivery.body
        delivery, _ = second.driver.slash_command(BOB, "/favor", "history", "C0GENERAL")
        assert "review" not in delivery.body and "laptop" not in delivery.body
        # Bob has no credit from Alice in the second workspace, so a repeat is no repeat there.
        delivery, _ = second.driver.slash_command(
            ALICE, "/thanks", f"<@{BOB}> for the review", "C0GENERAL"
        )
        assert (delivery.status, delivery.body) == (200, "")  # thanked
        first.settle()
        second.settle()

        with sessions() as session:
            per_team = dict(
                session.execute(select(Credit.team_id, func.count()).group_by(Credit.team_id)).all()
            )
        assert per_team == {"T0SANDBOX": 2, "T0SECOND1": 1}

        # Only the second workspace has a digest channel: its digest counts its own week.
        with sessions.begin() as session:
            workspace = session.get(Workspace, "T0SECOND1")
            assert workspace is not None
            workspace.digest_channel_id = "C0GENERAL"
        second.tick(datetime(2026, 11, 30, 9, 1, tzinfo=UTC))
        [digest] = [m for m in second.emulator.messages("C0GENERAL") if "goodwill" in m.text]
        assert "1 thank-you between 2 people" in digest.text
        assert "laptop" not in str(digest.blocks)
