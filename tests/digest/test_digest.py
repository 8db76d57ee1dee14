"""The weekly digest: planned once at the workspace's hour, sent once, and kind in content."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.kinds import settle_channels
from bot.digest.week import weekly_digest
from bot.models import ChannelArchival, Credit, FavorRequest, Member, Workspace
from bot.sandbox.harness import Sandbox
from bot.scheduler.jobs import SETTLE_EVERY_MINUTES
from bot.scheduler.sender import Pacer, Sender
from bot.scheduler.tick import run_tick
from bot.slack.api import ChannelKinds
from bot.slack.app import make_client
from bot.slack.ids import FAVOR_COMMAND, HOME_SETTING_TOGGLE, THANKS_COMMAND
from slack_emulator import SlackChannel
from tests.home_tab import home_click, shown_home
from tests.rhythm import TEAM, configure, credit, outbox
from tests.support import Clock

ALICE, BOB, CAROL, DAVE, ERIN = "U0ALICE01", "U0BOB0002", "U0CAROL03", "U0DAVE004", "U0ERIN005"
GENERAL = "C0GENERAL"
RANDOM = "C0RANDOM1"
ENGINEERING = "C0ENGINE2"
LAUNCH = "C0LAUNCH01"  # a private channel: since 2021 their IDs start with C too
# Monday 30 November 2026, 09:00 in Oslo is 08:00 UTC.
MONDAY_9_OSLO = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.fixture
def send(sandbox: Sandbox, sessions: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    client = make_client(sandbox.emulator.bot_token, sandbox.emulator.api_url)

    def tick_and_send(at: datetime) -> int:
        run_tick(sessions, at)
        sender = Sender(sessions, lambda _team: client, lambda: at, Pacer(1000, 0.0))
        return sender.send_due().sent

    return tick_and_send


def posted(sandbox: Sandbox) -> list[str]:
    return [m.text + str(m.blocks) for m in sandbox.emulator.messages(GENERAL)]


def test_no_channel_no_digest(sandbox: Sandbox, sessions: sessionmaker[Session], send) -> None:  # type: ignore[no-untyped-def]
    assert send(MONDAY_9_OSLO + timedelta(minutes=5)) == 0
    assert outbox(sessions) == []


def test_digest_is_posted_once_at_the_workspace_hour(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    send,  # type: ignore[no-untyped-def]
) -> None:
    configure(sessions, digest_channel_id=GENERAL, timezone="Europe/Oslo")
    credit(sessions, BOB, ALICE, MONDAY_9_OSLO - timedelta(days=2), "for the review")

    assert send(MONDAY_9_OSLO - timedelta(minutes=1)) == 0  # last week's is long past
    assert send(MONDAY_9_OSLO) == 1
    for minutes in (1, 2, 30, 600):
        assert send(MONDAY_9_OSLO + timedelta(minutes=minutes)) == 0
    [digest] = outbox(sessions, "digest")
    assert digest.status == "sent" and digest.slack_ts
    assert digest.dedupe_key == "digest:T0SANDBOX:C0GENERAL:2026-W49"
    assert len(sandbox.emulator.messages(GENERAL)) == 1


def test_a_digest_missed_by_downtime_catches_up_within_its_grace(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    send,  # type: ignore[no-untyped-def]
) -> None:
    configure(sessions, digest_channel_id=GENERAL, timezone="Europe/Oslo")
    credit(sessions, BOB, ALICE, MONDAY_9_OSLO - timedelta(days=2), "for the review")
    assert send(MONDAY_9_OSLO + timedelta(hours=11)) == 1
    assert send(MONDAY_9_OSLO + timedelta(days=7, hours=13)) == 0  # too late for that week
    assert len(outbox(sessions, "digest")) == 1


def test_digest_content_celebrates_and_ranks_by_people_helped(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    send,  # type: ignore[no-untyped-def]
) -> None:
    configure(sessions, digest_channel_id=GENERAL, timezone="Europe/Oslo")
    week = MONDAY_9_OSLO - timedelta(days=3)
    credit(sessions, CAROL, DAVE, MONDAY_9_OSLO - timedelta(days=40), "long ago")
    # Bob helped Alice four times; Carol helped three different people.
    for n in range(4):
        credit(sessions, BOB, ALICE, week + timedelta(hours=n), f"pairing session {n}")
    for helped in (ALICE, DAVE, ERIN):
        credit(sessions, CAROL, helped, week, f"unblocking {helped}")
    credit(sessions, ERIN, BOB, week, None, kind="reaction")

    send(MONDAY_9_OSLO)
    [text] = posted(sandbox)
    assert "4 thank-yous" not in text  # Bob's count is not a ranking
    assert "7 thank-yous and 1 reaction between 5 people" in text
    carol_line = text.index(f"<@{CAROL}> helped 3 people")
    bob_line = text.index(f"<@{BOB}> helped 1 person")
    assert carol_line < bob_line
    assert "pairing session" in text and "unblocking" in text
    assert "New connections" in text
    assert f"<@{CAROL}> and <@{DAVE}>" not in text  # they exchanged 40 days ago
    assert "balance" not in text.lower().replace("/favor balance", "")


def test_quiet_mentions_and_opt_outs(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    send,  # type: ignore[no-untyped-def]
) -> None:
    from bot.models import Member

    configure(sessions, digest_channel_id=GENERAL, quiet_mentions=True)
    with sessions.begin() as session:
        carol = session.get(Member, ("T0SANDBOX", CAROL))
        assert carol is not None
        carol.digest_mentions_opt_out = True
    credit(sessions, BOB, ALICE, MONDAY_9_OSLO - timedelta(days=1), "for the docs")
    credit(sessions, CAROL, DAVE, MONDAY_9_OSLO - timedelta(days=1), "for the deploy")

    send(MONDAY_9_OSLO + timedelta(hours=1))
    [text] = posted(sandbox)
    assert "<@" not in text
    assert "*bob*" in text
    assert "carol" not in text.lower()
    assert "1 more who prefer not to be named" in text


def plan_a_digest_naming_carol(sessions: sessionmaker[Session]) -> datetime:
    """A digest planned and not yet sent, which names Carol; returns when it was planned."""
    configure(sessions, digest_channel_id=GENERAL)
    credit(sessions, CAROL, DAVE, MONDAY_9_OSLO - timedelta(days=1), "for the deploy")
    nine_utc = MONDAY_9_OSLO + timedelta(hours=1)  # the workspace keeps UTC
    run_tick(sessions, nine_utc)
    [planned] = outbox(sessions, "digest")
    assert planned.status == "pending" and f"<@{CAROL}>" in str(planned.payload)
    return nine_utc


def test_turning_mentions_off_reaches_a_digest_already_planned(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    send,  # type: ignore[no-untyped-def]
) -> None:
    nine_utc = plan_a_digest_naming_carol(sessions)

    shown_home(sandbox, CAROL)
    turned_off = home_click(sandbox, CAROL, HOME_SETTING_TOGGLE, value="digest_mentions:off")
    assert turned_off.status == 200
    assert send(nine_utc + timedelta(minutes=1)) == 1

    [text] = posted(sandbox)
    assert CAROL not in text and "carol" not in text.lower()
    assert "1 more who prefer not to be named" in text


def test_quiet_mentions_turned_on_reach_a_digest_already_planned(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    send,  # type: ignore[no-untyped-def]
) -> None:
    from tests.settings.test_settings_modal import open_settings, submit

    nine_utc = plan_a_digest_naming_carol(sessions)
    shown_home(sandbox, ALICE)  # an admin

    assert submit(sandbox, ALICE, open_settings(sandbox, ALICE), quiet_mentions=["quiet"]) == {}
    assert send(nine_utc + timedelta(minutes=1)) == 1

    [text] = posted(sandbox)
    assert "<@" not in text and "*carol*" in text


def test_a_week_without_activity_gets_an_encouragement(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    send,  # type: ignore[no-untyped-def]
) -> None:
    configure(sessions, digest_channel_id=GENERAL)
    send(MONDAY_9_OSLO + timedelta(hours=1))
    [text] = posted(sandbox)
    assert "quiet week" in text and "/thanks" in text


def test_highlights_rotate_towards_people_not_highlighted_lately(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    send,  # type: ignore[no-untyped-def]
) -> None:
    from bot.members.cache import save_members

    configure(sessions, digest_channel_id=GENERAL)
    newcomers = ["U0GINA007", "U0HANK008"]
    with sessions.begin() as session:
        save_members(
            session, "T0SANDBOX", [{"id": u, "name": u.lower()} for u in newcomers], MONDAY_9_OSLO
        )
    first = MONDAY_9_OSLO + timedelta(hours=1)  # 09:00 UTC
    regulars = [BOB, CAROL, DAVE, ERIN, ALICE]
    for n, helper in enumerate(regulars):
        credit(
            sessions,
            helper,
            ALICE if helper != ALICE else BOB,
            first - timedelta(hours=n + 1),
            f"a {n}",
        )
    send(first)
    second = first + timedelta(weeks=1)
    # The newcomers' thanks are the oldest of the week: by recency alone they would be left out.
    for n, helper in enumerate(newcomers):
        credit(sessions, helper, ALICE, second - timedelta(days=6, hours=n), f"first time {n}")
    for n, helper in enumerate(regulars):
        credit(
            sessions,
            helper,
            ALICE if helper != ALICE else BOB,
            second - timedelta(hours=n + 1),
            f"b {n}",
        )
    send(second)

    first_digest, second_digest = outbox(sessions, "digest")
    assert sorted(first_digest.payload["meta"]["highlighted"]) == sorted(regulars)
    highlighted = set(second_digest.payload["meta"]["highlighted"])
    assert set(newcomers) <= highlighted
    assert len(highlighted) == 5


def test_open_asks_by_people_still_here_are_listed_for_a_hand(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    send,  # type: ignore[no-untyped-def]
) -> None:
    configure(sessions, digest_channel_id=GENERAL, timezone="Europe/Oslo")
    week = MONDAY_9_OSLO - timedelta(days=3)
    credit(sessions, BOB, ALICE, week, "pairing")
    asks = [
        (ALICE, "open", "a review of the billing migration"),
        (CAROL, "fulfilled", "a lift to the offsite"),
        (DAVE, "open", "someone to cover my on-call"),  # Dave has left since
        *((ERIN, "open", f"help number {n}") for n in range(6)),
    ]
    with sessions.begin() as session:
        for number, (author, status, text) in enumerate(asks):
            session.add(
                FavorRequest(
                    public_id=f"digest-ask-{number}",
                    team_id="T0SANDBOX",
                    kind="ask",
                    author_id=author,
                    text=text,
                    channel_id=GENERAL,
                    in_public_channel=True,
                    message_ts=f"1700000000.{number:06d}",
                    status=status,
                    created_at=week - timedelta(minutes=number),
                )
            )
        dave = session.get(Member, ("T0SANDBOX", DAVE))
        assert dave is not None
        dave.is_deactivated = True

    send(MONDAY_9_OSLO)
    [text] = posted(sandbox)
    listed = text.split("Asks that could use a hand")[1]
    assert f"<@{ALICE}>: a review of the billing migration in <#{GENERAL}>" in listed
    assert "lift to the offsite" not in listed  # fulfilled
    assert "cover my on-call" not in listed  # by someone who left
    assert "help number 3" in listed and "help number 4" not in listed  # five listed
    assert "• and 2 more" in listed  # Erin's last two, not Dave's


def add_private_channel(sandbox: Sandbox) -> None:
    """#launch: private, with Alice, Bob and the app in it."""
    bot = sandbox.emulator.bot_user_id
    launch = SlackChannel(id=LAUNCH, name="launch", is_private=True, members={ALICE, BOB, bot})
    sandbox.emulator.add_channel(launch)


def command(sandbox: Sandbox, user_id: str, name: str, text: str, channel: str) -> None:
    delivery, _ = sandbox.driver.slash_command(user_id, name, text, channel)
    assert delivery.status == 200, delivery.body
    sandbox.settle()  # a /thanks's celebration posted


def a_week_with_a_private_channel(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    """A digest channel, a credit for the digest to celebrate, and #launch."""
    configure(sessions, digest_channel_id=GENERAL, timezone="Europe/Oslo")
    credit(sessions, BOB, ALICE, MONDAY_9_OSLO - timedelta(days=3), "pairing")
    add_private_channel(sandbox)


def _asks_public(sessions: sessionmaker[Session]) -> dict[str, bool | None]:
    with sessions() as session:
        rows = session.execute(select(FavorRequest.text, FavorRequest.in_public_channel))
        return {text: flag for text, flag in rows}


def test_only_asks_posted_in_public_channels_are_quoted_in_the_digest(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    send,  # type: ignore[no-untyped-def]
) -> None:
    a_week_with_a_private_channel(sandbox, sessions)
    command(sandbox, ALICE, FAVOR_COMMAND, "ask a review of the billing migration", GENERAL)
    command(sandbox, BOB, FAVOR_COMMAND, "ask a hand with the layoff letters", LAUNCH)
    sandbox.emulator.refuse("conversations.info", "ratelimited")
    # Slack did not say: not quoted (until Slack is asked again: the next test).
    command(sandbox, CAROL, FAVOR_COMMAND, "ask notes from the board meeting", RANDOM)
    sandbox.emulator.clear_refusal("conversations.info")
    assert _asks_public(sessions) == {
        "a review of the billing migration": True,
        "a hand with the layoff letters": False,
        "notes from the board meeting": None,
    }

    send(MONDAY_9_OSLO)
    [digest] = [text for text in posted(sandbox) if "Asks that could use a hand" in text]
    listed = digest.split("Asks that could use a hand")[1]
    assert "billing migration" in listed
    assert "layoff letters" not in digest and "board meeting" not in digest
    assert "more" not in listed  # nor counted


def test_asks_slack_did_not_describe_are_asked_about_again_and_listed_if_public(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    send,  # type: ignore[no-untyped-def]
) -> None:
    a_week_with_a_private_channel(sandbox, sessions)
    sandbox.emulator.refuse("conversations.info", "ratelimited")
    command(sandbox, CAROL, FAVOR_COMMAND, "ask notes from the board meeting", RANDOM)
    command(sandbox, BOB, FAVOR_COMMAND, "ask a hand with the layoff letters", LAUNCH)
    command(sandbox, ALICE, FAVOR_COMMAND, "ask a lift to the offsite", GENERAL)
    with sessions.begin() as session:
        lift = session.scalars(select(FavorRequest).where(FavorRequest.channel_id == GENERAL))
        lift.one().status = "withdrawn"  # closed: not worth asking Slack about
    assert set(_asks_public(sessions).values()) == {None}

    client = make_client(sandbox.emulator.bot_token, sandbox.emulator.api_url)
    kinds = ChannelKinds()
    at = MONDAY_9_OSLO - timedelta(days=1)
    assert settle_channels(sessions, lambda _team: client, kinds, at) == 0  # refused
    sandbox.emulator.clear_refusal("conversations.info")
    at += timedelta(minutes=SETTLE_EVERY_MINUTES)
    assert settle_channels(sessions, lambda _team: client, kinds, at, limit=1) == 1
    assert settle_channels(sessions, lambda _team: client, kinds, at) == 1
    assert settle_channels(sessions, lambda _team: client, kinds, at) == 0  # all known
    assert _asks_public(sessions) == {
        "notes from the board meeting": True,
        "a hand with the layoff letters": False,
        "a lift to the offsite": None,
    }
    asked = [call.args["channel"] for call in sandbox.emulator.calls_to("conversations.info")]
    assert GENERAL not in asked

    send(MONDAY_9_OSLO)
    [digest] = [text for text in posted(sandbox) if "Asks that could use a hand" in text]
    assert "board meeting" in digest
    assert "layoff letters" not in digest and "offsite" not in digest


class _StuckOn(ChannelKinds):
    """Slack's answers, but for one channel it never gives one."""

    def __init__(self, stuck: str) -> None:
        super().__init__()
        self.stuck = stuck

    def whether_public(
        self, client: WebClient, team_id: str, channel_id: str, now: datetime
    ) -> bool | None:
        if channel_id == self.stuck:
            return None
        return super().whether_public(client, team_id, channel_id, now)


def test_a_channel_slack_never_answers_for_does_not_hold_up_the_others(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    a_week_with_a_private_channel(sandbox, sessions)
    sandbox.emulator.refuse("conversations.info", "ratelimited")
    command(sandbox, ALICE, FAVOR_COMMAND, "ask a review of the billing migration", GENERAL)
    command(sandbox, CAROL, FAVOR_COMMAND, "ask notes from the board meeting", RANDOM)
    sandbox.emulator.clear_refusal("conversations.info")
    client = make_client(sandbox.emulator.bot_token, sandbox.emulator.api_url)
    kinds = _StuckOn(GENERAL)  # the first channel in any fixed order
    at = MONDAY_9_OSLO - timedelta(days=1)
    for _ in range(40):  # one channel a run, picked at random: 40 misses in a row is 1e-12
        if settle_channels(sessions, lambda _team: client, kinds, at, limit=1):
            break
    assert _asks_public(sessions) == {
        "a review of the billing migration": None,
        "notes from the board meeting": True,
    }


def test_the_highlights_quote_only_what_the_workspace_could_read(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    send,  # type: ignore[no-untyped-def]
) -> None:
    configure(sessions, digest_channel_id=GENERAL, timezone="Europe/Oslo")
    add_private_channel(sandbox)
    command(sandbox, ALICE, THANKS_COMMAND, f"<@{BOB}> for the release notes", RANDOM)
    command(sandbox, ALICE, THANKS_COMMAND, f"<@{CAROL}> for the layoff letters", LAUNCH)
    command(sandbox, BOB, FAVOR_COMMAND, f"<@{CAROL}> covered my hospital appointment", GENERAL)
    with sessions() as session:
        rows = session.execute(select(Credit.reason, Credit.quotable))
        quotable = {reason: flag for reason, flag in rows}
    assert quotable == {
        "for the release notes": True,  # in a public channel
        "for the layoff letters": False,  # in a private one
        "covered my hospital appointment": False,  # logged privately: never shown
    }

    send(MONDAY_9_OSLO)
    [digest] = [text for text in posted(sandbox) if "release notes" in text]
    assert "layoff letters" not in digest and "hospital appointment" not in digest


def _quotable(sessions: sessionmaker[Session]) -> dict[str | None, bool | None]:
    with sessions() as session:
        return {
            reason: flag for reason, flag in session.execute(select(Credit.reason, Credit.quotable))
        }


def test_thanks_slack_did_not_describe_are_asked_about_again_and_quoted_if_public(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    clock: Clock,
    send,  # type: ignore[no-untyped-def]
) -> None:
    configure(sessions, digest_channel_id=GENERAL, timezone="Europe/Oslo")
    add_private_channel(sandbox)
    sandbox.emulator.refuse("conversations.info", "ratelimited")
    this_week = clock.now
    clock.now = MONDAY_9_OSLO - timedelta(days=9)  # too long ago for any digest to quote
    command(sandbox, CAROL, THANKS_COMMAND, f"<@{DAVE}> for the old map", ENGINEERING)
    clock.now = this_week
    command(sandbox, ALICE, THANKS_COMMAND, f"<@{BOB}> for the release notes", RANDOM)
    command(sandbox, BOB, THANKS_COMMAND, f"<@{ALICE}> for the layoff letters", LAUNCH)
    command(sandbox, DAVE, THANKS_COMMAND, f"<@{ERIN}> for the typo fix", GENERAL)
    command(sandbox, DAVE, FAVOR_COMMAND, "undo", GENERAL)  # taken back: never quoted
    sandbox.emulator.clear_refusal("conversations.info")
    assert set(_quotable(sessions).values()) == {None}  # not known: not quoted yet

    client = make_client(sandbox.emulator.bot_token, sandbox.emulator.api_url)
    kinds = ChannelKinds()
    at = MONDAY_9_OSLO - timedelta(days=1)
    before = len(sandbox.emulator.calls_to("conversations.info"))
    assert settle_channels(sessions, lambda _team: client, kinds, at) == 2
    assert settle_channels(sessions, lambda _team: client, kinds, at) == 0  # all known
    assert _quotable(sessions) == {
        "for the old map": None,
        "for the release notes": True,  # in a public channel
        "for the layoff letters": False,  # in a private one
        "for the typo fix": None,
    }
    asked = sandbox.emulator.calls_to("conversations.info")[before:]
    assert {call.args["channel"] for call in asked} == {RANDOM, LAUNCH}

    send(MONDAY_9_OSLO)
    [digest] = [text for text in posted(sandbox) if "release notes" in text]
    assert "layoff letters" not in digest and "typo fix" not in digest


def _archival(sandbox: Sandbox, channel: str, change: str, at: int | None = None) -> None:
    envelope = sandbox.driver.archival_envelope(channel, change, ALICE)
    if at is not None:
        envelope["event_time"] = at
    delivery = sandbox.driver.send_event(envelope)
    assert delivery.status == 200, delivery.body


def _listed_asks(sessions: sessionmaker[Session]) -> set[str]:
    with sessions() as session:
        workspace = session.get(Workspace, TEAM)
        assert workspace is not None
        return {ask.text for ask in weekly_digest(session, workspace, MONDAY_9_OSLO).open_asks}


def test_an_archived_channels_asks_leave_the_digest_until_it_comes_back(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    send,  # type: ignore[no-untyped-def]
) -> None:
    a_week_with_a_private_channel(sandbox, sessions)
    command(sandbox, ALICE, FAVOR_COMMAND, "ask a review of the billing migration", GENERAL)
    command(sandbox, CAROL, FAVOR_COMMAND, "ask a lift to the offsite", RANDOM)
    _archival(sandbox, RANDOM, "archive")
    assert _listed_asks(sessions) == {"a review of the billing migration"}

    send(MONDAY_9_OSLO)
    [digest] = [text for text in posted(sandbox) if "Asks that could use a hand" in text]
    assert "billing migration" in digest and "offsite" not in digest

    _archival(sandbox, RANDOM, "unarchive")
    assert _listed_asks(sessions) == {"a review of the billing migration", "a lift to the offsite"}


def test_archival_events_late_retried_or_malformed_change_nothing_they_should_not(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    a_week_with_a_private_channel(sandbox, sessions)
    command(sandbox, CAROL, FAVOR_COMMAND, "ask a lift to the offsite", RANDOM)
    command(sandbox, ALICE, FAVOR_COMMAND, "ask notes from the board meeting", ENGINEERING)
    both = {"a lift to the offsite", "notes from the board meeting"}
    # Unarchived at 200, archived at 100, delivered in the other order: still unarchived.
    _archival(sandbox, RANDOM, "unarchive", at=1_800_000_200)
    _archival(sandbox, RANDOM, "archive", at=1_800_000_100)
    assert _listed_asks(sessions) == both
    _archival(sandbox, RANDOM, "archive", at=1_800_000_300)
    _archival(sandbox, RANDOM, "archive", at=1_800_000_300)  # delivered twice
    assert _listed_asks(sessions) == {"notes from the board meeting"}

    # Deleted is for good: no later unarchive brings it back.
    _archival(sandbox, ENGINEERING, "deleted", at=1_800_000_100)
    _archival(sandbox, ENGINEERING, "unarchive", at=1_800_000_900)
    assert _listed_asks(sessions) == set()

    before = _archival_rows(sessions)
    for event in (
        {"type": "channel_archive"},
        {"type": "group_archive", "channel": {"id": LAUNCH}},
    ):
        delivery = sandbox.driver.send_event(sandbox.driver.event_envelope(event))
        assert delivery.status == 200, delivery.body
    assert _archival_rows(sessions) == before


def test_an_archival_before_the_workspace_was_first_synced_is_kept(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        session.execute(delete(Workspace))  # as on a new install, before users.list
    _archival(sandbox, RANDOM, "archive")
    assert _archival_rows(sessions) == {(RANDOM, True, False)}


def test_a_private_channels_archival_comes_as_group_events(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    add_private_channel(sandbox)
    assert sandbox.driver.archival_envelope(LAUNCH, "archive")["event"]["type"] == "group_archive"
    assert sandbox.driver.archival_envelope(RANDOM, "deleted")["event"]["type"] == "channel_deleted"
    _archival(sandbox, LAUNCH, "archive")
    _archival(sandbox, LAUNCH, "unarchive")
    _archival(sandbox, RANDOM, "deleted")
    assert _archival_rows(sessions) == {(LAUNCH, False, False), (RANDOM, True, True)}


def _archival_rows(sessions: sessionmaker[Session]) -> set[tuple[str, bool, bool]]:
    with sessions() as session:
        rows = session.execute(
            select(ChannelArchival.channel_id, ChannelArchival.archived, ChannelArchival.deleted)
        )
        return {(channel, archived, deleted) for channel, archived, deleted in rows}
