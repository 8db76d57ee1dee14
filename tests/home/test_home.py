"""The App Home end to end: app_home_opened publishes the member's Home; its buttons change
settings, withdraw asks and offers, and open the admins' settings; refusals show on the Home
and leave everything as it was; views stay within Slack's limits whatever the history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from bot.balance.blocks import balance_bar
from bot.home.blocks import parse_toggle
from bot.home.contents import home_for
from bot.models import FavorRequest, Member, OutboxMessage
from bot.sandbox.harness import Sandbox
from bot.slack.ids import (
    ASK_VOLUNTEER,
    ASK_WITHDRAW,
    FAVOR_COMMAND,
    HOME_SETTING_TOGGLE,
    HOME_WORKSPACE_SETTINGS,
    OFFER_TAKE,
    OFFER_WITHDRAW,
    SETTINGS_MODAL,
)
from tests.home_tab import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    ERIN,
    TEAM,
    bulk_history,
    credit,
    elements,
    home,
    home_click,
    open_home,
    shown_home,
    text_of,
)
from tests.support import Clock, out_of_reach

GENERAL = "C0GENERAL"


def member(sessions: sessionmaker[Session], user_id: str) -> Member:
    with sessions() as session:
        found = session.get(Member, (TEAM, user_id))
        assert found is not None
        return found


def opt_outs(sessions: sessionmaker[Session], user_id: str) -> tuple[bool, bool, bool, bool]:
    m = member(sessions, user_id)
    return (
        m.nudges_opt_out,
        m.prompts_opt_out,
        m.digest_mentions_opt_out,
        m.reaction_confirmations_off,
    )


def requests(sessions: sessionmaker[Session]) -> list[tuple[str, str, str]]:
    with sessions() as session:
        rows = session.scalars(select(FavorRequest).order_by(FavorRequest.id))
        return [(r.kind, r.author_id, r.status) for r in rows]


def post_request(sandbox: Sandbox, user: str, text: str) -> None:
    delivery, _ = sandbox.driver.slash_command(user, FAVOR_COMMAND, text, GENERAL)
    assert delivery.status == 200, delivery.body


# Pure pieces


@pytest.mark.parametrize(
    ("given", "received", "bar"),
    [
        (4.0, 1.0, "▰▰▰▰▰▰▰▰▱▱"),
        (1.0, 4.0, "▰▰▱▱▱▱▱▱▱▱"),
        (2.0, 2.0, "▰▰▰▰▰▱▱▱▱▱"),
        (3.0, 0.0, "▰▰▰▰▰▰▰▰▰▰"),
        (0.0, 3.0, "▱▱▱▱▱▱▱▱▱▱"),
        # A side that is not zero always shows, however small.
        (100.0, 0.1, "▰▰▰▰▰▰▰▰▰▱"),
        (0.1, 100.0, "▰▱▱▱▱▱▱▱▱▱"),
    ],
)
def test_the_bar_shows_the_share_of_help_given(given: float, received: float, bar: str) -> None:
    assert balance_bar(given, received) == bar


def test_only_known_settings_and_states_are_read_from_a_button() -> None:
    assert parse_toggle("nudges:off") == ("nudges", False)
    assert parse_toggle("reaction_confirmations:on") == ("reaction_confirmations", True)
    assert parse_toggle("nudges:maybe") is None
    assert parse_toggle("is_admin:on") is None
    assert parse_toggle("") is None


# Opening the Home


def test_a_new_member_sees_a_friendly_first_run_home(sandbox: Sandbox) -> None:
    view = shown_home(sandbox, ERIN)

    assert view["type"] == "home"
    text = text_of(view)
    assert "Welcome to Goodwill" in text
    assert "`/thanks @someone for what they did`" in text
    assert "`/favor ask what you need`" in text
    assert "Your give and take" not in text
    # Settings are there from the start, all on; no workspace settings for a non-admin.
    assert [e["value"] for _, e in elements(view, HOME_SETTING_TOGGLE)] == [
        "nudges:off",
        "prompts:off",
        "digest_mentions:off",
        "reaction_confirmations:off",
        "suggestions:off",
    ]
    assert elements(view, HOME_WORKSPACE_SETTINGS) == []
    [call] = sandbox.emulator.calls_to("views.publish")
    assert call.args["user_id"] == ERIN


def test_an_open_request_in_a_channel_archived_since_says_so_on_the_home(
    sandbox: Sandbox,
) -> None:
    text = "ask a second pair of eyes on the release notes"
    delivery, _ = sandbox.driver.slash_command(BOB, FAVOR_COMMAND, text, "C0RANDOM1")
    assert delivery.status == 200, delivery.body
    archived = sandbox.driver.archival_envelope("C0RANDOM1", "archive", ALICE)
    assert sandbox.driver.send_event(archived).status == 200
    text = text_of(shown_home(sandbox, BOB))
    assert (
        "*Ask* in <#C0RANDOM1>: a second pair of eyes on the release notes _(its channel is "
        "archived: nobody can answer it there; withdraw it or ask again)_"
    ) in text


def test_the_home_shows_the_reciprocity_map_entries_and_open_requests(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    now = clock.now
    credit(sessions, BOB, CAROL, now - timedelta(days=2), weight=3, reason="moved my desk")
    credit(sessions, BOB, CAROL, now - timedelta(days=1), weight=1, reason="code review")
    credit(sessions, CAROL, BOB, now - timedelta(hours=5), weight=1, reason="lunch tip")
    credit(sessions, DAVE, BOB, now - timedelta(days=3), weight=2, reason="pairing on the bug")
    # Outside the 90 days: not on the map, still among the last entries.
    credit(sessions, BOB, ERIN, now - timedelta(days=120), weight=3, reason="old favour")
    post_request(sandbox, BOB, "ask a second pair of eyes on the release notes")
    post_request(sandbox, BOB, "offer spare concert tickets")

    view = shown_home(sandbox, BOB)
    text = text_of(view)

    assert "Welcome to Goodwill" not in text
    assert "In the last 90 days you helped 1 person, and 2 people have helped you." in text
    map_lines = [line for line in text.splitlines() if "▰" in line or "▱" in line]
    # Carol: Bob gave 4 and got 1, decayed a little over the days since: 8 of 10 his.
    # The words count the exchanges; the bar weighs them (a big favour is three small ones).
    carol = "▰▰▰▰▰▰▰▰▱▱  <@U0CAROL03>: 3 exchanges — you helped them twice, they helped you once"
    assert carol in map_lines, map_lines
    assert "▱▱▱▱▱▱▱▱▱▱  <@U0DAVE004>: 1 exchange — they helped you once" in map_lines, map_lines
    assert "*" not in "".join(map_lines) and ".0" not in text  # no score anywhere
    assert not any("U0ERIN005" in line for line in map_lines)
    # Carol's exchange is the larger one, so it comes first.
    assert map_lines[0].startswith("▰▰▰▰▰▰▰▰▱▱  <@U0CAROL03>")
    assert "you did <@U0ERIN005> a big favour: old favour" in text
    assert "<@U0CAROL03> did you a small favour: lunch tip" in text
    # The open requests, each with its Withdraw button.
    assert "*Ask* in <#C0GENERAL>: a second pair of eyes on the release notes" in text
    assert "*Offer* in <#C0GENERAL>: spare concert tickets" in text
    public_ids = {r.public_id: r.kind for r in _requests(sessions)}
    withdraws = {e["value"]: "ask" for _, e in elements(view, ASK_WITHDRAW)}
    withdraws |= {e["value"]: "offer" for _, e in elements(view, OFFER_WITHDRAW)}
    assert withdraws == public_ids


def _requests(sessions: sessionmaker[Session]) -> list[FavorRequest]:
    with sessions() as session:
        return list(session.scalars(select(FavorRequest)))


def test_balances_are_private_to_each_member(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    credit(sessions, BOB, CAROL, clock.now - timedelta(days=1), reason="secret favour")
    shown_home(sandbox, DAVE)

    assert "secret favour" not in text_of(home(sandbox, DAVE))
    assert "U0CAROL03" not in text_of(home(sandbox, DAVE))


def test_the_messages_tab_publishes_nothing(sandbox: Sandbox) -> None:
    assert open_home(sandbox, BOB, tab="messages").status == 200
    assert sandbox.emulator.calls_to("views.publish") == []


def test_someone_the_workspace_does_not_know_gets_no_home(sandbox: Sandbox) -> None:
    event = {"type": "app_home_opened", "user": "U0STRANGER", "tab": "home", "event_ts": "1.0"}
    assert sandbox.driver.send_event(sandbox.driver.event_envelope(event)).status == 200
    assert sandbox.emulator.calls_to("views.publish") == []


# Personal settings on the Home


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("nudges", (True, False, False, False)),
        ("prompts", (False, True, False, False)),
        ("digest_mentions", (False, False, True, False)),
        ("reaction_confirmations", (False, False, False, True)),
    ],
)
def test_a_setting_turned_off_on_the_home_takes_effect_at_once(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    setting: str,
    expected: tuple[bool, bool, bool, bool],
) -> None:
    shown_home(sandbox, BOB)

    assert home_click(sandbox, BOB, HOME_SETTING_TOGGLE, value=f"{setting}:off").status == 200

    assert opt_outs(sessions, BOB) == expected
    # The Home shows it at once, with the button to turn it back on.
    buttons = {
        e["value"]: e["text"]["text"] for _, e in elements(home(sandbox, BOB), HOME_SETTING_TOGGLE)
    }
    assert buttons[f"{setting}:on"] == "Turn on"
    assert len(sandbox.emulator.calls_to("views.publish")) == 2

    assert home_click(sandbox, BOB, HOME_SETTING_TOGGLE, value=f"{setting}:on").status == 200
    assert opt_outs(sessions, BOB) == (False, False, False, False)
    assert f"{setting}:off" in {
        e["value"] for _, e in elements(home(sandbox, BOB), HOME_SETTING_TOGGLE)
    }


def test_a_double_click_sets_a_setting_once_rather_than_flipping_it_back(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    shown_home(sandbox, BOB)

    home_click(sandbox, BOB, HOME_SETTING_TOGGLE, value="nudges:off")
    # The second click comes from the Home as it was before the first one re-rendered it.
    home_click(sandbox, BOB, HOME_SETTING_TOGGLE, value="nudges:off")

    assert opt_outs(sessions, BOB) == (True, False, False, False)


@pytest.mark.parametrize("value", ["nudges:maybe", "is_admin:on", "", "prompts"])
def test_a_forged_setting_button_changes_nothing_and_says_so_on_the_home(
    sandbox: Sandbox, sessions: sessionmaker[Session], value: str
) -> None:
    shown_home(sandbox, BOB)

    assert home_click(sandbox, BOB, HOME_SETTING_TOGGLE, value=value).status == 200

    assert opt_outs(sessions, BOB) == (False, False, False, False)
    assert not member(sessions, BOB).is_admin
    assert ":warning: That button no longer works. Nothing was changed." in text_of(
        home(sandbox, BOB)
    )


# Asks and offers on the Home


def test_withdraw_on_the_home_closes_the_request_everywhere(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    credit(sessions, CAROL, BOB, clock.now - timedelta(days=1))
    post_request(sandbox, BOB, "ask a hand moving boxes")
    channel_message = sandbox.emulator.messages(GENERAL, ephemeral=False)[-1]
    shown_home(sandbox, BOB)

    assert home_click(sandbox, BOB, ASK_WITHDRAW).status == 200

    assert requests(sessions) == [("ask", BOB, "withdrawn")]
    [updated] = [m for m in sandbox.emulator.messages(GENERAL) if m.ts == channel_message.ts]
    assert "has closed this ask" in updated.text
    assert ASK_WITHDRAW not in str(updated.blocks)
    view = home(sandbox, BOB)
    assert elements(view, ASK_WITHDRAW) == []
    assert "Nothing open." in text_of(view)


def test_withdrawing_twice_from_a_stale_home_says_it_is_already_withdrawn(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    post_request(sandbox, BOB, "offer a spare monitor")
    view = shown_home(sandbox, BOB)
    [(_, button)] = elements(view, OFFER_WITHDRAW)
    home_click(sandbox, BOB, OFFER_WITHDRAW)
    updates = len(sandbox.emulator.calls_to("chat.update"))

    assert home_click(sandbox, BOB, OFFER_WITHDRAW, value=button["value"]).status == 200

    assert requests(sessions) == [("offer", BOB, "withdrawn")]
    assert len(sandbox.emulator.calls_to("chat.update")) == updates
    assert "This offer was withdrawn, so it needs nothing more." in text_of(home(sandbox, BOB))


def test_nobody_else_can_withdraw_a_request_from_their_home(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    post_request(sandbox, BOB, "ask someone to water my plants")
    [(_, bobs_button)] = elements(shown_home(sandbox, BOB), ASK_WITHDRAW)
    shown_home(sandbox, CAROL)

    # Carol's Home has no such button; a forged click with Bob's request id is refused.
    assert home_click(sandbox, CAROL, ASK_WITHDRAW, value=bobs_button["value"]).status == 200

    assert requests(sessions) == [("ask", BOB, "open")]
    assert "Only <@U0BOB0002> can withdraw this ask." in text_of(home(sandbox, CAROL))
    assert sandbox.emulator.calls_to("chat.update") == []


def test_withdraw_in_the_channel_still_answers_in_the_channel(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    post_request(sandbox, BOB, "ask for a ride to the station")
    message = sandbox.emulator.messages(GENERAL, ephemeral=False)[-1]

    assert sandbox.driver.click(CAROL, message, ASK_WITHDRAW).status == 200

    assert requests(sessions) == [("ask", BOB, "open")]
    [note] = sandbox.emulator.messages(GENERAL, ephemeral=True)
    assert note.ephemeral_for == CAROL
    assert sandbox.emulator.calls_to("views.publish") == []


# Admins


def test_admins_see_the_workspace_settings_and_can_open_them(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    view = shown_home(sandbox, ALICE)
    text = text_of(view)
    assert "Workspace settings" in text
    assert "*Weekly digest*: off" in text
    assert "*Credit emoji*: :pray: :raised_hands: :thankyou:" in text
    assert "at most 5 credits a day" in text

    assert home_click(sandbox, ALICE, HOME_WORKSPACE_SETTINGS).status == 200

    [modal] = sandbox.emulator.open_views.values()
    assert modal["callback_id"] == SETTINGS_MODAL
    block_ids = [block.get("block_id") for block in modal["blocks"]]
    assert "digest_channel" in block_ids and "timezone" in block_ids
    assert "personal" not in block_ids


def test_members_who_are_not_admins_cannot_open_the_workspace_settings(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    view = shown_home(sandbox, BOB)
    assert "Workspace settings" not in text_of(view)

    assert home_click(sandbox, BOB, HOME_WORKSPACE_SETTINGS, value="edit").status == 200

    assert sandbox.emulator.open_views == {}
    assert "Only workspace admins and owners" in text_of(home(sandbox, BOB))


def test_owners_are_admins_too(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        found = session.get(Member, (TEAM, DAVE))
        assert found is not None
        found.is_owner = True

    assert "Workspace settings" in text_of(shown_home(sandbox, DAVE))


def _outbox(
    sessions: sessionmaker[Session], key: str, kind: str, status: str, due: Any, **more: Any
) -> None:
    with sessions.begin() as session:
        session.add(
            OutboxMessage(
                team_id=TEAM,
                dedupe_key=key,
                kind=kind,
                channel_id=more.pop("channel_id", GENERAL),
                payload={"text": "hi"},
                status=status,
                due_at=due,
                expires_at=due + timedelta(hours=6),
                **more,
            )
        )


def test_admins_see_recent_delivery_failures_with_what_to_do(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    now = clock.now
    _outbox(
        sessions,
        "d1",
        "digest",
        "failed",
        now - timedelta(days=1),
        error="Goodwill is not in the channel: invite it with /invite @Goodwill. (not_in_channel)",
    )
    _outbox(
        sessions,
        "n1",
        "nudge",
        "failed",
        now - timedelta(days=2),
        channel_id=BOB,
        recipient_id=BOB,
        error="The person's account is deactivated. (account_inactive)",
    )
    _outbox(
        sessions, "d0", "digest", "uncertain", now - timedelta(days=3), error="Slack did not answer"
    )
    # Too old, delivered, or still to come: not shown.
    _outbox(sessions, "old", "digest", "failed", now - timedelta(days=20), error="ancient")
    _outbox(sessions, "ok", "digest", "sent", now - timedelta(days=1))
    _outbox(sessions, "later", "digest", "pending", now + timedelta(days=1))

    text = text_of(shown_home(sandbox, ALICE))

    assert "Messages that didn't go out in the last 14 days" in text
    assert (
        "The weekly digest in <#C0GENERAL>: Goodwill is not in the channel: invite it with "
        "/invite @Goodwill. (not_in_channel) Fix that, or pick another channel" in text
    )
    assert "A private nudge to <@U0BOB0002>: The person's account is deactivated." in text
    assert "may or may not have arrived, and won't be sent twice" in text
    assert "ancient" not in text
    # Members who are not admins never see them.
    assert "didn't go out" not in text_of(shown_home(sandbox, BOB))


# Size and cost


@pytest.fixture
def big_history(sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock) -> None:
    """Alice (an admin, so every part of the Home shows) with 10,000 credits with 1,500
    people, reasons at their longest, 300 open requests of hers and 300 of Bob's in her
    channel, and 40 failed deliveries."""
    bulk_history(sessions, ALICE, clock.now, 10_000, 1_500, "long reason " * 80)
    with sessions.begin() as session:
        for number in range(600):
            session.add(
                FavorRequest(
                    public_id=f"00000000-0000-0000-0000-{number:012d}",
                    team_id=TEAM,
                    kind="ask" if number % 2 else "offer",
                    author_id=ALICE if number < 300 else BOB,
                    text="<!channel> a very long ask " * 40,
                    channel_id=GENERAL,
                    message_ts=f"1700000000.{number:06d}",
                    created_at=clock.now - timedelta(minutes=number),
                )
            )
    for number in range(40):
        _outbox(
            sessions,
            f"f{number}",
            "digest",
            "failed",
            clock.now - timedelta(hours=number + 1),
            error="Slack refused it. " * 100,
        )


@pytest.mark.usefixtures("big_history")
def test_a_huge_history_still_fits_in_one_home(sandbox: Sandbox) -> None:
    # The emulator rejects views Slack would reject (100 blocks, text lengths, 250 kB).
    view = shown_home(sandbox, ALICE)

    assert len(view["blocks"]) <= 100
    text = text_of(view)
    assert "In the last 90 days you helped 1,500 people, and 1,500 people have helped you." in text
    assert "…and 1,488 more people: `/favor balance @someone` shows any one." in text
    assert len(elements(view, ASK_WITHDRAW) + elements(view, OFFER_WITHDRAW)) == 5
    assert len(elements(view, ASK_VOLUNTEER) + elements(view, OFFER_TAKE)) == 5
    assert text.count("…and 295 more, older, still open.") == 2  # hers, and those around her
    assert "…and 35 more, older." in text
    assert "<!channel>" not in text  # someone's words never page a channel from a Home
    assert max(len(t) for t in text.splitlines()) < 3_000


@pytest.mark.usefixtures("big_history")
def test_the_home_is_a_handful_of_queries_whatever_the_history(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    with sessions.begin() as session:
        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            built = home_for(
                session, clock.now, TEAM, ALICE, lambda _user: None, channel_ids={GENERAL}
            )
        finally:
            event.remove(engine, "before_cursor_execute", count)

    # Member, workspace, balances, open requests (hers, others'), failures, two reads of the
    # last entries, her private notes, whether she is at capacity, her skills (one
    # primary-key read).
    assert len(statements) <= 12, statements
    assert len(built.pairs) == 12 and len(built.entries) == 8 and len(built.requests) == 5
    assert len(built.nearby) == 5 and built.nearby_total == 300


def test_a_home_slack_cannot_be_reached_for_leaves_the_event_answered(sandbox: Sandbox) -> None:
    out_of_reach(sandbox.app)
    delivery = open_home(sandbox, BOB)
    assert delivery.status == 200, delivery.body  # not a 500 for Slack to retry
    assert BOB not in sandbox.emulator.published_views
