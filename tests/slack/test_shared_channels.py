"""Channels shared with another organisation (Slack Connect), over signed HTTP.

In a shared channel Slack files an event under the channel's host (the envelope's `team_id`,
`context_team_id`), while the installation it is delivered for is `authorizations[0]`. Our
own fixtures, shaped after Slack's (the Events API envelope with `is_ext_shared_channel`,
`context_team_id` and `context_enterprise_id`; events with `user_team` and `item_user`):
the installing workspace is Sandbox Co (T0SANDBOX), the channel's host is a partner
(T0PARTNER) that never installed Goodwill, and one of the partner's people is in the channel.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.models import (
    ChannelArchival,
    Credit,
    FavorResponse,
    Member,
    MemberChannelList,
    ProcessedEvent,
    Workspace,
)
from bot.sandbox.driver import SlackDriver
from bot.sandbox.harness import SIGNING_SECRET, Sandbox
from bot.sandbox.transport import Delivery, HttpTransport
from bot.slack.api import sync_workspace
from bot.slack.app import make_client
from bot.slack.ids import ASK_VOLUNTEER, THANK_FOR_THIS_SHORTCUT
from bot.slack.web import wsgi_app
from bot.thanks.modal import HELPER, PRIVATE, REASON, VALUES, VISIBILITY
from slack_emulator import Message, SlackChannel, SlackUser
from tests.support import LoopbackServer

HOME, PARTNER = "T0SANDBOX", "T0PARTNER"
ALICE, BOB = "U0ALICE01", "U0BOB0002"
PAT = "U0PAT0001"  # the partner's person in the shared channel
SHARED = "C0SHARED1"


@pytest.fixture
def driver(sandbox: Sandbox) -> Iterator[SlackDriver]:
    """The sandbox app behind real HTTP, with a channel hosted by the partner in which Alice,
    Bob, the bot and Pat (of the partner) are."""
    sandbox.emulator.add_user(
        SlackUser(id=PAT, team_id=PARTNER, name="pat", real_name="Pat Partner")
    )
    members = {ALICE, BOB, PAT, sandbox.emulator.bot_user_id}
    sandbox.emulator.add_channel(SlackChannel(id=SHARED, name="ext-launch", members=members))
    with LoopbackServer(wsgi_app(sandbox.app)) as server:
        yield SlackDriver(
            sandbox.emulator, SIGNING_SECRET, HttpTransport(f"{server.url}/slack/events")
        )


def shared(driver: SlackDriver, event: dict[str, Any], enterprise: str | None = None) -> Delivery:
    """`event` in the shared channel, in the envelope Slack sends the installing workspace:
    filed under the host, delivered for the installation in `authorizations`."""
    envelope = driver.event_envelope(event)
    envelope |= {
        "team_id": PARTNER,
        "enterprise_id": enterprise,
        "context_team_id": PARTNER,
        "context_enterprise_id": enterprise,
        "is_ext_shared_channel": True,
        "event_context": f"4-eyJldCI6InJlYWN0aW9uX2FkZGVkIiwidGlkIjoi{PARTNER}",
    }
    assert envelope["authorizations"][0]["team_id"] == HOME
    delivery = driver.send_event(envelope)
    assert delivery.status == 200, delivery.body
    return delivery


def reaction(reactor: str, reactor_team: str, message: Message, *, added: bool = True) -> dict:
    return {
        "type": "reaction_added" if added else "reaction_removed",
        "user": reactor,
        "user_team": reactor_team,
        "reaction": "pray",
        "item_user": message.user,
        "item": {"type": "message", "channel": message.channel, "ts": message.ts},
        "event_ts": f"{time.time():.6f}",
    }


def count(sessions: sessionmaker[Session], model: type, **where: str) -> int:
    query = select(func.count()).select_from(model).filter_by(**where)
    with sessions() as session:
        return session.scalar(query) or 0


def assert_nothing_for_the_partner(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        assert session.get(Workspace, PARTNER) is None
        assert session.scalar(select(func.count()).where(Member.user_id == PAT)) == 0
    for model in (Credit, ProcessedEvent, ChannelArchival, MemberChannelList):
        assert count(sessions, model, team_id=PARTNER) == 0


def test_a_members_reaction_in_a_shared_channel_credits_the_installing_workspace(
    driver: SlackDriver, sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    message = sandbox.emulator.post_user_message(SHARED, BOB, "the launch checklist is done")
    shared(driver, reaction(ALICE, HOME, message))
    with sessions() as session:
        [credit] = session.scalars(select(Credit))
    assert (credit.team_id, credit.helper_id, credit.helped_id) == (HOME, BOB, ALICE)
    assert credit.channel_id == SHARED and credit.retracted_at is None
    # Alice hears of it privately, in the channel where she reacted.
    [note] = sandbox.emulator.messages(SHARED, ephemeral=True)
    assert note.ephemeral_for == ALICE

    shared(driver, reaction(ALICE, HOME, message, added=False))
    with sessions() as session:
        assert session.scalars(select(Credit)).one().retracted_at is not None
    assert_nothing_for_the_partner(sessions)


def test_the_same_reaction_filed_under_a_grid_host_credits_the_same_way(
    driver: SlackDriver, sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    """A host in an Enterprise Grid org: `enterprise_id` and `context_enterprise_id` name its
    org, `authorizations[0]` still names the installation (no org of its own here)."""
    message = sandbox.emulator.post_user_message(SHARED, BOB, "reviewed the contract")
    shared(driver, reaction(ALICE, HOME, message), enterprise="E0PARTNER")
    assert count(sessions, Credit, team_id=HOME) == 1
    assert_nothing_for_the_partner(sessions)


def test_a_guest_from_the_partner_is_not_credited_nor_kept(
    driver: SlackDriver, sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    """As for anyone the members cache does not know, Slack is asked (users.info): the
    partner's person is not a member here, so neither their reaction nor one on their
    message credits anyone, and nothing of theirs is kept."""
    bobs = sandbox.emulator.post_user_message(SHARED, BOB, "here are the slides")
    pats = sandbox.emulator.post_user_message(SHARED, PAT, "and here are ours")
    shared(driver, reaction(PAT, PARTNER, bobs))
    shared(driver, reaction(ALICE, HOME, pats))
    asked = [call.args.get("user") for call in sandbox.emulator.calls_to("users.info")]
    assert PAT in asked
    assert count(sessions, Credit) == 0
    assert sandbox.emulator.messages(SHARED, ephemeral=True) == []  # nothing to say
    assert_nothing_for_the_partner(sessions)


def test_a_shared_channel_archived_is_recorded_for_the_installing_workspace(
    driver: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    shared(
        driver,
        {
            "type": "channel_archive",
            "channel": SHARED,
            "user": PAT,
            "event_ts": f"{time.time():.6f}",
        },
    )
    with sessions() as session:
        [archival] = session.scalars(select(ChannelArchival))
    assert (archival.team_id, archival.channel_id, archival.archived) == (HOME, SHARED, True)
    shared(driver, {"type": "channel_unarchive", "channel": SHARED, "user": PAT})
    with sessions() as session:
        assert session.scalars(select(ChannelArchival)).one().archived is False
    assert_nothing_for_the_partner(sessions)


@pytest.mark.parametrize("kind", ["member_joined_channel", "member_left_channel"])
def test_channel_membership_is_kept_for_members_and_not_for_guests(
    driver: SlackDriver, sessions: sessionmaker[Session], kind: str
) -> None:
    for user_id, team in ((ALICE, HOME), (PAT, PARTNER)):
        event = {"type": kind, "user": user_id, "channel": SHARED, "channel_type": "C"}
        shared(driver, event | {"team": team, "event_ts": f"{time.time():.6f}"})
    with sessions() as session:
        kept = session.scalars(select(MemberChannelList)).all()
    assert [(row.team_id, row.user_id) for row in kept] == [(HOME, ALICE)]
    assert_nothing_for_the_partner(sessions)


def test_a_guests_profile_change_is_not_cached(
    driver: SlackDriver, sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    pat = sandbox.emulator.users[PAT].to_slack()
    shared(driver, {"type": "user_change", "user": pat, "event_ts": f"{time.time():.6f}"})
    assert_nothing_for_the_partner(sessions)


def test_the_home_opened_by_a_member_or_a_guest(
    driver: SlackDriver, sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    for user_id in (ALICE, PAT):
        event = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": f"D{user_id}",
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
        shared(driver, event)
    # Alice sees her Home; the partner's person has none here, and is not cached.
    assert set(sandbox.emulator.published_views) == {ALICE}
    assert_nothing_for_the_partner(sessions)


def test_a_command_from_a_shared_channel_thanks_members_and_not_guests(
    driver: SlackDriver, sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    """A slash command comes from the workspace it is installed in (the command's
    `team_id`), whoever hosts the channel."""
    delivery, shown = driver.slash_command(ALICE, "/thanks", f"<@{BOB}> for the demo", SHARED)
    assert (delivery.status, delivery.body, shown) == (200, "", None)  # thanked
    sandbox.settle()
    [posted] = sandbox.emulator.messages(SHARED)
    assert posted.source == "api" and f"<@{BOB}>" in posted.text
    delivery, shown = driver.slash_command(ALICE, "/thanks", f"<@{PAT}> for the demo", SHARED)
    assert delivery.status == 200 and shown is not None and shown.ephemeral_for == ALICE
    assert "couldn't find" in shown.text
    with sessions() as session:
        assert [c.helper_id for c in session.scalars(select(Credit))] == [BOB]
    assert_nothing_for_the_partner(sessions)


def test_a_click_in_a_shared_channel_by_a_member_or_a_guest(
    driver: SlackDriver, sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    """A button on the bot's message: the payload's `team` is the installation that posted
    it, `user.team_id` the clicker's own workspace."""
    delivery, _ = driver.slash_command(ALICE, "/favor", "ask a second pair of eyes", SHARED)
    assert delivery.status == 200
    [ask] = [m for m in sandbox.emulator.messages(SHARED) if m.user != ALICE and m.blocks]
    for clicker in (BOB, PAT):
        payload = driver.block_action_payload(clicker, ask, ASK_VOLUNTEER)
        assert payload["team"]["id"] == HOME
        assert driver.send_interaction(payload).status == 200
    with sessions() as session:
        assert [r.user_id for r in session.scalars(select(FavorResponse))] == [BOB]
    assert_nothing_for_the_partner(sessions)


def test_a_modal_submitted_from_a_shared_channel_belongs_to_the_installation(
    driver: SlackDriver, sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    """A modal opened from a shared channel is submitted with the `team` it was submitted
    in; `view.app_installed_team_id` names the installation."""
    message = sandbox.emulator.post_user_message(SHARED, BOB, "fixed the flaky deploy")
    assert driver.message_shortcut(ALICE, THANK_FOR_THIS_SHORTCUT, message).status == 200
    [view] = sandbox.emulator.open_views.values()
    private = {"text": {"type": "plain_text", "text": PRIVATE}, "value": PRIVATE}
    values = {
        HELPER: {HELPER: {"type": "users_select", "selected_user": BOB}},
        REASON: {REASON: {"type": "plain_text_input", "value": "for the deploy fix"}},
        VALUES: {VALUES: {"type": "plain_text_input", "value": None}},
        VISIBILITY: {VISIBILITY: {"type": "radio_buttons", "selected_option": private}},
    }
    payload = driver.view_submission_payload(ALICE, view | {"app_installed_team_id": HOME}, values)
    payload["team"] = {"id": PARTNER, "domain": "partner"}
    delivery = driver.send_interaction(payload)
    assert delivery.status == 200, delivery.body
    with sessions() as session:
        [credit] = session.scalars(select(Credit))
    assert (credit.team_id, credit.helper_id, credit.helped_id) == (HOME, BOB, ALICE)
    assert_nothing_for_the_partner(sessions)


def test_a_guest_listed_by_users_list_is_not_cached(
    driver: SlackDriver, sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    client = make_client(sandbox.emulator.bot_token, sandbox.emulator.api_url)
    assert PAT in [user["id"] for user in client.users_list()["members"]]
    sync_workspace(client, sessions, sandbox.clock)
    assert count(sessions, Member, team_id=HOME) == len(sandbox.emulator.users) - 1
    assert_nothing_for_the_partner(sessions)
