"""The App Home's asks and offers in the member's channels: other people's open ones where the
member is (users.conversations), answered from the Home as from the channel."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.member_channels import (
    StoredChannels,
    joined_channel,
    keep_reading,
    left_channel,
    stored_channels,
)
from bot.deps import Deps
from bot.models import FavorRequest, FavorResponse, Member, MemberChannelList, Workspace
from bot.sandbox.driver import SlackDriver
from bot.sandbox.harness import SIGNING_SECRET as SECRET
from bot.sandbox.harness import Sandbox
from bot.sandbox.transport import DispatchTransport
from bot.slack.api import CHANNELS_FRESH_FOR
from bot.slack.app import build_app, make_client
from bot.slack.ids import (
    ASK_VOLUNTEER,
    ASK_WITHDRAW,
    FAVOR_COMMAND,
    MEMBER_JOINED_CHANNEL,
    MEMBER_LEFT_CHANNEL,
    OFFER_TAKE,
)
from slack_emulator import SlackChannel
from tests.home_tab import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    TEAM,
    elements,
    home_click,
    shown_home,
    text_of,
)

GENERAL, RANDOM, ENGINEERING = "C0GENERAL", "C0RANDOM1", "C0ENGINE2"
PRIVATE = "G0PRIVATE"
SECTION = "*Asks and offers in your channels*"


def post(sandbox: Sandbox, user_id: str, text: str, channel: str = GENERAL) -> str:
    """`/favor ask …` or `/favor offer …` in `channel`; the new request's public id."""
    delivery, _ = sandbox.driver.slash_command(user_id, FAVOR_COMMAND, text, channel)
    assert delivery.status == 200, delivery.body
    return newest_request(sandbox)


def newest_request(sandbox: Sandbox) -> str:
    with sandbox.sessions() as session:
        found = session.scalar(select(FavorRequest.public_id).order_by(FavorRequest.id.desc()))
    assert found is not None
    return found


def dms_to(sandbox: Sandbox, user_id: str) -> list[str]:
    return [m.text for m in sandbox.emulator.messages(f"D{user_id}")]


def test_others_open_asks_and_offers_in_the_members_channels_are_listed_newest_first(
    sandbox: Sandbox,
) -> None:
    post(sandbox, BOB, "ask a review of the billing migration")
    post(sandbox, CAROL, "offer pairing on SQL tuning", ENGINEERING)
    post(sandbox, ALICE, "ask someone to water my plants", RANDOM)  # her own
    withdrawn = post(sandbox, DAVE, "ask a lift to the offsite")
    with sandbox.sessions.begin() as session:
        row = session.scalar(select(FavorRequest).where(FavorRequest.public_id == withdrawn))
        assert row is not None
        row.status = "withdrawn"

    view = shown_home(sandbox, ALICE)
    text = text_of(view)
    assert SECTION in text
    nearby = text.split(SECTION)[1]
    carol = nearby.index("<@U0CAROL03> offers in <#C0ENGINE2>: pairing on SQL tuning")
    bob = nearby.index("<@U0BOB0002> asks in <#C0GENERAL>: a review of the billing migration")
    assert carol < bob  # newest first
    assert "water my plants" not in nearby and "lift to the offsite" not in nearby
    [(_, take)] = elements(view, OFFER_TAKE)
    [(_, volunteer)] = elements(view, ASK_VOLUNTEER)
    assert take["text"]["text"] == "I'd like this" and volunteer["text"]["text"] == "I can help"


def test_a_private_channel_counts_only_while_the_member_and_the_app_are_both_in_it(
    sandbox: Sandbox,
) -> None:
    bot = sandbox.emulator.bot_user_id
    channel = SlackChannel(id=PRIVATE, name="launch", is_private=True, members={BOB, CAROL, bot})
    sandbox.emulator.add_channel(channel)
    post(sandbox, BOB, "ask a hand with the launch checklist", PRIVATE)

    assert "launch checklist" in text_of(shown_home(sandbox, CAROL))
    assert "launch checklist" not in text_of(shown_home(sandbox, ALICE))  # not in it
    channel.members.discard(bot)  # the app was removed from the channel
    assert "launch checklist" in text_of(shown_home(sandbox, CAROL))  # Slack said so just now
    sandbox.clock.advance(seconds=CHANNELS_FRESH_FOR.total_seconds())
    assert SECTION not in text_of(shown_home(sandbox, CAROL))


def test_i_can_help_on_the_home_tells_the_author_once_and_the_home_says_so(
    sandbox: Sandbox,
) -> None:
    public_id = post(sandbox, BOB, "ask a review of the billing migration")
    shown_home(sandbox, ALICE)

    delivery = home_click(sandbox, ALICE, ASK_VOLUNTEER, value=public_id)
    assert delivery.status == 200, delivery.body
    [dm] = dms_to(sandbox, BOB)
    assert "<@U0ALICE01> can help with your ask" in dm
    text = text_of(shown_after := sandbox.emulator.published_views[ALICE])
    assert ":white_check_mark: Thank you! I've let <@U0BOB0002> know you can help" in text
    assert "You've offered to help. <@U0BOB0002> knows." in text
    assert elements(shown_after, ASK_VOLUNTEER) == []  # answered: no button any more

    home_click(sandbox, ALICE, ASK_VOLUNTEER, value=public_id)  # a stale or double click
    assert len(dms_to(sandbox, BOB)) == 1
    again = text_of(sandbox.emulator.published_views[ALICE])
    assert ":warning: You've already offered to help." in again
    with sandbox.sessions() as session:
        assert len(list(session.scalars(select(FavorResponse)))) == 1


def test_id_like_this_on_the_home_tells_the_offerer(sandbox: Sandbox) -> None:
    public_id = post(sandbox, CAROL, "offer pairing on SQL tuning", ENGINEERING)
    shown_home(sandbox, DAVE)
    home_click(sandbox, DAVE, OFFER_TAKE, value=public_id)
    [dm] = dms_to(sandbox, CAROL)
    assert "<@U0DAVE004> would like your offer" in dm
    text = text_of(sandbox.emulator.published_views[DAVE])
    assert "I've let <@U0CAROL03> know you'd like this" in text
    assert "You've said you'd like this." in text


def test_a_request_closed_since_the_home_was_shown_changes_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    public_id = post(sandbox, BOB, "ask a review of the billing migration")
    shown_home(sandbox, ALICE)
    with sessions.begin() as session:
        row = session.scalar(select(FavorRequest).where(FavorRequest.public_id == public_id))
        assert row is not None
        row.status = "withdrawn"

    home_click(sandbox, ALICE, ASK_VOLUNTEER, value=public_id)
    assert dms_to(sandbox, BOB) == []
    text = text_of(sandbox.emulator.published_views[ALICE])
    assert text.startswith(":warning:") and SECTION not in text
    with sessions() as session:
        assert list(session.scalars(select(FavorResponse))) == []


def test_own_request_forged_onto_the_home_is_refused(sandbox: Sandbox) -> None:
    public_id = post(sandbox, ALICE, "ask someone to water my plants")
    shown_home(sandbox, ALICE)
    home_click(sandbox, ALICE, ASK_VOLUNTEER, value=public_id)
    assert dms_to(sandbox, ALICE) == []
    assert "This is your own ask." in text_of(sandbox.emulator.published_views[ALICE])


def test_the_home_lists_five_and_counts_the_rest(sandbox: Sandbox) -> None:
    for number in range(7):
        post(sandbox, BOB, f"ask help number {number}")
    text = text_of(shown_home(sandbox, ALICE))
    assert "help number 6" in text and "help number 2" in text
    assert "help number 1" not in text
    assert "…and 2 more, older, still open." in text.split(SECTION)[1]


def test_without_the_channel_scopes_the_home_leaves_the_section_out(sandbox: Sandbox) -> None:
    post(sandbox, BOB, "ask a review of the billing migration")
    sandbox.emulator.refuse("users.conversations", "missing_scope")
    text = text_of(shown_home(sandbox, ALICE))
    assert SECTION not in text
    assert "Your settings" in text  # the rest of the Home is as always


def test_an_author_slack_cannot_reach_leaves_the_ask_to_answer_again(sandbox: Sandbox) -> None:
    public_id = post(sandbox, BOB, "ask a review of the billing migration")
    shown_home(sandbox, ALICE)
    sandbox.emulator.refuse("chat.postMessage", "fatal_error")
    home_click(sandbox, ALICE, ASK_VOLUNTEER, value=public_id)
    view = sandbox.emulator.published_views[ALICE]
    assert ":warning: I couldn't reach <@U0BOB0002> just now" in text_of(view)
    assert len(elements(view, ASK_VOLUNTEER)) == 1  # still hers to click
    with sandbox.sessions() as session:
        assert list(session.scalars(select(FavorResponse))) == []

    sandbox.emulator.clear_refusal("chat.postMessage")
    home_click(sandbox, ALICE, ASK_VOLUNTEER, value=public_id)
    assert "<@U0ALICE01> can help with your ask" in dms_to(sandbox, BOB)[0]


def test_an_ask_by_someone_who_has_left_is_not_listed(sandbox: Sandbox) -> None:
    post(sandbox, BOB, "ask a review of the billing migration")
    with sandbox.sessions.begin() as session:
        bob = session.get(Member, ("T0SANDBOX", BOB))
        assert bob is not None
        bob.is_deactivated = True
    assert SECTION not in text_of(shown_home(sandbox, ALICE))


def test_a_refused_home_click_reads_the_members_channels_once(sandbox: Sandbox) -> None:
    public_id = post(sandbox, ALICE, "ask someone to water my plants")
    shown_home(sandbox, ALICE)
    home_click(sandbox, ALICE, ASK_WITHDRAW, value=public_id)
    sandbox.clock.advance(seconds=CHANNELS_FRESH_FOR.total_seconds())  # read them again
    before = len(sandbox.emulator.calls_to("users.conversations"))
    home_click(sandbox, ALICE, ASK_WITHDRAW, value=public_id)  # withdrawn already: refused
    assert ":warning:" in text_of(sandbox.emulator.published_views[ALICE])
    assert len(sandbox.emulator.calls_to("users.conversations")) == before + 1


# -- the member's channels, remembered ------------------------------------------------------


def _channel_reads(sandbox: Sandbox) -> list[str]:
    return [call.args["user"] for call in sandbox.emulator.calls_to("users.conversations")]


def test_the_members_channels_are_read_once_in_five_minutes_whatever_the_clicks(
    sandbox: Sandbox,
) -> None:
    public_id = post(sandbox, BOB, "ask a review of the billing migration")
    shown_home(sandbox, ALICE)
    shown_home(sandbox, ALICE)
    home_click(sandbox, ALICE, ASK_VOLUNTEER, value=public_id)
    shown_home(sandbox, CAROL)
    assert _channel_reads(sandbox) == [ALICE, CAROL]  # users.conversations is Tier 3
    sandbox.clock.advance(seconds=CHANNELS_FRESH_FOR.total_seconds() - 1)
    shown_home(sandbox, ALICE)
    assert _channel_reads(sandbox) == [ALICE, CAROL]
    sandbox.clock.advance(seconds=1)
    shown_home(sandbox, ALICE)
    assert _channel_reads(sandbox) == [ALICE, CAROL, ALICE]


def test_a_channel_joined_shows_its_asks_within_five_minutes(sandbox: Sandbox) -> None:
    bot = sandbox.emulator.bot_user_id
    channel = SlackChannel(id=PRIVATE, name="launch", is_private=True, members={BOB, bot})
    sandbox.emulator.add_channel(channel)
    post(sandbox, BOB, "ask a hand with the launch checklist", PRIVATE)
    assert "launch checklist" not in text_of(shown_home(sandbox, CAROL))
    channel.members.add(CAROL)
    sandbox.clock.advance(seconds=CHANNELS_FRESH_FOR.total_seconds())
    assert "launch checklist" in text_of(shown_home(sandbox, CAROL))


def test_when_slack_will_not_say_the_channels_it_said_last_are_used(sandbox: Sandbox) -> None:
    post(sandbox, BOB, "ask a review of the billing migration")
    assert SECTION in text_of(shown_home(sandbox, ALICE))
    sandbox.clock.advance(hours=1)
    sandbox.emulator.set_rate_limit("users.conversations", calls=0, per_seconds=60)
    assert "billing migration" in text_of(shown_home(sandbox, ALICE))  # an hour old, not none
    assert SECTION not in text_of(shown_home(sandbox, CAROL))  # never read: none
    assert [call.status for call in sandbox.emulator.calls_to("users.conversations")][-2:] == [
        429,
        429,
    ]


def _second_process(sandbox: Sandbox) -> SlackDriver:
    """Another process serving the same workspace from the same database (a second gunicorn
    worker): its own app, with nothing remembered."""
    client = make_client(sandbox.emulator.bot_token, sandbox.emulator.api_url)
    app = build_app(Deps(sandbox.sessions, sandbox.clock), client=client, signing_secret=SECRET)
    return SlackDriver(sandbox.emulator, SECRET, DispatchTransport(app))


def _private_ask(sandbox: Sandbox, members: set[str]) -> SlackChannel:
    channel = SlackChannel(id=PRIVATE, name="launch", is_private=True, members=members)
    channel.members.add(sandbox.emulator.bot_user_id)
    sandbox.emulator.add_channel(channel)
    post(sandbox, BOB, "ask a hand with the launch checklist", PRIVATE)
    return channel


def test_a_member_removed_from_a_private_channel_stops_seeing_its_asks_at_once(
    sandbox: Sandbox,
) -> None:
    channel = _private_ask(sandbox, {BOB, CAROL})
    assert "launch checklist" in text_of(shown_home(sandbox, CAROL))
    channel.members.discard(CAROL)
    left = sandbox.driver.membership_envelope(CAROL, PRIVATE, joined=False)
    delivery = sandbox.driver.send_event(left)
    assert delivery.status == 200
    assert "launch checklist" not in text_of(shown_home(sandbox, CAROL))
    assert _channel_reads(sandbox) == [CAROL]  # the list was changed, not read again
    assert "billing" not in text_of(shown_home(sandbox, CAROL))  # and stays so
    post(sandbox, BOB, "ask a review of the billing migration")
    assert "billing migration" in text_of(shown_home(sandbox, CAROL))  # her other channels


def test_an_archived_channels_asks_leave_the_home_at_once(sandbox: Sandbox) -> None:
    post(sandbox, BOB, "ask a lift to the offsite", RANDOM)
    post(sandbox, BOB, "ask a review of the billing migration")
    assert "offsite" in text_of(shown_home(sandbox, CAROL))
    archived = sandbox.driver.archival_envelope(RANDOM, "archive", DAVE)
    assert sandbox.driver.send_event(archived).status == 200
    home = text_of(shown_home(sandbox, CAROL))  # her channels as read a moment ago
    assert "offsite" not in home and "billing migration" in home
    assert _channel_reads(sandbox) == [CAROL]
    unarchived = sandbox.driver.archival_envelope(RANDOM, "unarchive", DAVE)
    assert sandbox.driver.send_event(unarchived).status == 200
    assert "offsite" in text_of(shown_home(sandbox, CAROL))


def test_a_leave_before_the_workspace_was_first_synced_is_kept(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        session.execute(delete(Workspace))  # as on a new install, before users.list
    left = sandbox.driver.membership_envelope(CAROL, RANDOM, joined=False)
    assert sandbox.driver.send_event(left).status == 200
    [(user_id, channel_ids, read_at, left_at, _)] = _stored(sandbox)
    assert (user_id, channel_ids, read_at) == (CAROL, [], None) and left_at is not None


def test_every_process_shares_the_members_channels_and_what_they_left(
    sandbox: Sandbox,
) -> None:
    channel = _private_ask(sandbox, {BOB, CAROL})
    other = _second_process(sandbox)
    assert "launch checklist" in text_of(shown_home(sandbox, CAROL))
    assert other.open_home(CAROL, "home").status == 200
    assert "launch checklist" in text_of(sandbox.emulator.published_views[CAROL])
    assert _channel_reads(sandbox) == [CAROL]  # read once, by the first process

    channel.members.discard(CAROL)
    left = sandbox.driver.membership_envelope(CAROL, PRIVATE, joined=False)
    other.send_event(left)  # heard there
    assert "launch checklist" not in text_of(shown_home(sandbox, CAROL))  # shown here


def test_a_channel_joined_is_read_again_at_the_next_home(sandbox: Sandbox) -> None:
    channel = _private_ask(sandbox, {BOB})
    assert "launch checklist" not in text_of(shown_home(sandbox, CAROL))
    channel.members.add(CAROL)
    sandbox.driver.send_event(sandbox.driver.membership_envelope(CAROL, PRIVATE, joined=True))
    sandbox.clock.advance(seconds=1)
    assert "launch checklist" in text_of(shown_home(sandbox, CAROL))
    assert _channel_reads(sandbox) == [CAROL, CAROL]


def test_a_retried_or_out_of_order_membership_event_leaves_no_channel_it_should_not(
    sandbox: Sandbox,
) -> None:
    channel = _private_ask(sandbox, {BOB, CAROL})
    assert "launch checklist" in text_of(shown_home(sandbox, CAROL))
    joined = sandbox.driver.membership_envelope(CAROL, PRIVATE, joined=True)
    left = sandbox.driver.membership_envelope(CAROL, PRIVATE, joined=False)
    channel.members.discard(CAROL)  # she joined again, then left: Slack delivers the leave first
    for envelope, retry in ((left, None), (left, 1), (joined, None)):
        assert sandbox.driver.send_event(envelope, retry_num=retry).status == 200
    sandbox.clock.advance(seconds=1)
    assert "launch checklist" not in text_of(shown_home(sandbox, CAROL))  # Slack asked again


@pytest.mark.parametrize(
    "event",
    [
        {"type": MEMBER_LEFT_CHANNEL, "channel": PRIVATE},
        {"type": MEMBER_LEFT_CHANNEL, "user": CAROL, "channel": ["C0GENERAL"]},
        {"type": MEMBER_JOINED_CHANNEL, "user": None, "channel": PRIVATE},
    ],
)
def test_a_membership_event_without_a_user_and_a_channel_changes_nothing(
    sandbox: Sandbox, event: dict[str, Any]
) -> None:
    _private_ask(sandbox, {BOB, CAROL})
    assert "launch checklist" in text_of(shown_home(sandbox, CAROL))
    before = _stored(sandbox)
    assert sandbox.driver.send_event(sandbox.driver.event_envelope(event)).status == 200
    assert _stored(sandbox) == before
    assert "launch checklist" in text_of(shown_home(sandbox, CAROL))
    assert _channel_reads(sandbox) == [CAROL]


def _stored(sandbox: Sandbox) -> list[tuple[Any, ...]]:
    with sandbox.sessions() as session:
        rows = session.scalars(select(MemberChannelList).order_by(MemberChannelList.user_id))
        return [(r.user_id, r.channel_ids, r.read_at, r.left_at, r.joined_at) for r in rows]


def test_a_reading_begun_before_a_member_left_is_not_kept(sandbox: Sandbox) -> None:
    # Slack listed the channel, then the member left and the event was applied, then the
    # reading came back: it may predate the leave, and the list keeps the change.
    began = sandbox.clock()
    with sandbox.sessions.begin() as session:
        left_channel(session, TEAM, CAROL, PRIVATE, began)
    with sandbox.sessions.begin() as session:
        kept = keep_reading(session, TEAM, CAROL, frozenset({GENERAL, PRIVATE}), read_at=began)
    assert kept == frozenset()
    with sandbox.sessions() as session:
        stored = stored_channels(session, TEAM, CAROL)
    assert stored is not None and stored.read_at is None  # read again at her next Home
    sandbox.clock.advance(seconds=1)
    with sandbox.sessions.begin() as session:
        later = sandbox.clock()
        kept = keep_reading(session, TEAM, CAROL, frozenset({GENERAL}), read_at=later)
    assert kept == frozenset({GENERAL})


def test_a_reading_begun_before_a_member_joined_is_kept_and_read_again(sandbox: Sandbox) -> None:
    began = sandbox.clock()
    sandbox.clock.advance(seconds=1)
    with sandbox.sessions.begin() as session:
        joined_channel(session, TEAM, CAROL, sandbox.clock())
    with sandbox.sessions.begin() as session:
        kept = keep_reading(session, TEAM, CAROL, frozenset({GENERAL}), read_at=began)
    assert kept == frozenset({GENERAL})
    with sandbox.sessions() as session:
        stored = stored_channels(session, TEAM, CAROL)
    assert stored == StoredChannels(frozenset({GENERAL}), None)  # read again at the next Home
