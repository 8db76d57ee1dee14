"""Nudges: who is nudged, when, how rarely, and what the DM says.

The rules are tested at their thresholds through `nudge_candidates` (the computation the
scheduler and the benchmark share), and end to end through a tick and the sender, with DMs
landing in the emulator. Credits at exactly `NOW` count their full weight (no decay yet), so
the thresholds are exact numbers.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.harness import Sandbox
from bot.scheduler.tick import run_tick
from bot.slack.ids import NUDGE_NOT_NOW, NUDGE_OFFER_HELP, NUDGE_SAY_THANKS, NUDGE_STOP
from bot.thanks.parsing import WORD_JOINER
from tests.nudging import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    DEPLOYBOT,
    ERIN,
    FRANK,
    action_ids,
    add_nudge,
    ask,
    give,
    nudges,
    sent_dm,
    set_member,
    who,
)
from tests.rhythm import TEAM, configure

# Monday 30 November 2026, 14:00 UTC: working hours in Oslo (Alice, 15:00), New York (Bob,
# 09:00) and Johannesburg (Dave, 16:00); not in Singapore (Carol, 22:00) or Los Angeles (Erin,
# 06:00).
NOW = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
DAY = timedelta(days=1)


# Imbalanced pair


@pytest.mark.parametrize(("minimum", "nudged"), [(3, True), (4, False)])
def test_a_pair_is_nudged_from_the_workspace_threshold(
    sandbox: Sandbox, sessions: sessionmaker[Session], minimum: int, nudged: bool
) -> None:
    configure(sessions, nudge_pair_min_weight=minimum)
    give(sessions, ALICE, BOB, NOW, weight=3)
    assert who(sessions, NOW) == ({BOB: ("pair", ALICE)} if nudged else {})


def test_older_help_counts_for_less(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    give(sessions, ALICE, BOB, NOW - DAY, weight=3)  # 3 * 0.5^(1/60) is just under 3
    assert who(sessions, NOW) == {}
    give(sessions, ALICE, BOB, NOW - 89 * DAY, weight=1)  # inside 90 days: adds a little
    assert who(sessions, NOW) == {BOB: ("pair", ALICE)}


def test_help_older_than_90_days_does_not_count(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    configure(sessions, half_life_days=1000)  # nearly no decay: only the window matters
    give(sessions, ALICE, BOB, NOW - 91 * DAY, weight=3)
    give(sessions, ALICE, BOB, NOW - 10 * DAY, weight=2)
    assert who(sessions, NOW) == {}
    give(sessions, ALICE, BOB, NOW - 89 * DAY, weight=3)
    assert who(sessions, NOW) == {BOB: ("pair", ALICE)}


@pytest.mark.parametrize(
    ("given_back", "nudged"),
    [([], True), ([2], True), ([2, 1], False)],  # at most a third of 6 comes back: 2 is fine
)
def test_a_pair_with_enough_coming_back_is_not_nudged(
    sandbox: Sandbox, sessions: sessionmaker[Session], given_back: list[int], nudged: bool
) -> None:
    give(sessions, ALICE, BOB, NOW, weight=3)
    give(sessions, ALICE, BOB, NOW, weight=3, kind="reaction")
    for weight in given_back:
        give(sessions, BOB, ALICE, NOW, weight=weight)
    assert who(sessions, NOW) == ({BOB: ("pair", ALICE)} if nudged else {})


@pytest.mark.parametrize(("thanked_days_ago", "nudged"), [(29, False), (31, True)])
def test_thanks_within_30_days_mean_no_pair_nudge(
    sandbox: Sandbox, sessions: sessionmaker[Session], thanked_days_ago: int, nudged: bool
) -> None:
    give(sessions, ALICE, BOB, NOW, weight=3)
    give(sessions, ALICE, BOB, NOW - thanked_days_ago * DAY, kind="thanks", reason="the demo")
    assert who(sessions, NOW) == ({BOB: ("pair", ALICE)} if nudged else {})


def test_a_retracted_thanks_does_not_count_as_thanks(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    give(sessions, ALICE, BOB, NOW, weight=3)
    give(sessions, ALICE, BOB, NOW - DAY, kind="thanks", retracted=True)
    assert who(sessions, NOW) == {BOB: ("pair", ALICE)}


def test_retracted_help_never_counts(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    give(sessions, ALICE, BOB, NOW, weight=3, retracted=True)
    give(sessions, ALICE, BOB, NOW, weight=2)
    assert who(sessions, NOW) == {}


def test_among_several_pairs_the_most_one_sided_is_named(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    give(sessions, ALICE, BOB, NOW, weight=3)
    give(sessions, DAVE, BOB, NOW, weight=3)
    give(sessions, DAVE, BOB, NOW, weight=2)
    give(sessions, BOB, DAVE, NOW, weight=1)  # Dave 5, back 1: 4 one way; Alice 3 one way
    assert who(sessions, NOW) == {BOB: ("pair", DAVE)}


def test_no_pair_nudge_about_bots_or_former_members(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    give(sessions, DEPLOYBOT, BOB, NOW, weight=3)
    give(sessions, FRANK, DAVE, NOW, weight=3)
    assert who(sessions, NOW) == {}


def test_never_the_same_pair_twice_within_28_days_either_way_round(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    give(sessions, ALICE, BOB, NOW, weight=3)
    give(sessions, ALICE, BOB, NOW, weight=3)
    add_nudge(sessions, ALICE, NOW - 27 * DAY, about=BOB)  # the other way round, 27 days ago
    assert who(sessions, NOW) == {}
    assert who(sessions, NOW + DAY) == {BOB: ("pair", ALICE)}  # 28 days on


def test_a_nudge_that_never_arrived_does_not_count(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    give(sessions, ALICE, BOB, NOW, weight=3)
    add_nudge(sessions, BOB, NOW - DAY, about=ALICE, status="expired")
    add_nudge(sessions, BOB, NOW - DAY, about=ALICE, status="failed")
    assert who(sessions, NOW) == {BOB: ("pair", ALICE)}
    add_nudge(sessions, BOB, NOW - DAY, about=ALICE, status="uncertain")  # it may have
    assert who(sessions, NOW) == {}


# Ask too


def helps_four(sessions: sessionmaker[Session], at: datetime) -> None:
    """Alice helps four people (a little each, so no pair nudge)."""
    for helped in (BOB, CAROL, DAVE, ERIN):
        give(sessions, ALICE, helped, at)


@pytest.mark.parametrize(("minimum", "nudged"), [(4, True), (5, False)])
def test_someone_who_helps_many_and_never_asks_is_encouraged_to_ask(
    sandbox: Sandbox, sessions: sessionmaker[Session], minimum: int, nudged: bool
) -> None:
    configure(sessions, nudge_ask_too_min_people=minimum)
    helps_four(sessions, NOW - 29 * DAY)
    give(sessions, ALICE, BOB, NOW - 2 * DAY)  # the same person again is not one more
    assert who(sessions, NOW) == ({ALICE: ("ask_too", None)} if nudged else {})


def test_only_people_helped_in_30_days_count_for_ask_too(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    for helped in (BOB, CAROL, DAVE):
        give(sessions, ALICE, helped, NOW - DAY)
    give(sessions, ALICE, ERIN, NOW - 31 * DAY)
    assert who(sessions, NOW) == {}


@pytest.mark.parametrize(("days_ago", "nudged"), [(59, False), (61, True)])
def test_receiving_anything_in_60_days_means_no_ask_too(
    sandbox: Sandbox, sessions: sessionmaker[Session], days_ago: int, nudged: bool
) -> None:
    helps_four(sessions, NOW - DAY)
    give(sessions, CAROL, ALICE, NOW - days_ago * DAY, kind="reaction")
    assert who(sessions, NOW) == ({ALICE: ("ask_too", None)} if nudged else {})


@pytest.mark.parametrize(
    ("days_ago", "status", "nudged"),
    [(59, "open", False), (30, "withdrawn", False), (61, "fulfilled", True)],
)
def test_asking_in_60_days_means_no_ask_too(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    days_ago: int,
    status: str,
    nudged: bool,
) -> None:
    helps_four(sessions, NOW - DAY)
    ask(sessions, ALICE, NOW - days_ago * DAY, status)
    assert who(sessions, NOW) == ({ALICE: ("ask_too", None)} if nudged else {})


def test_retracted_help_does_not_count_for_ask_too(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    for helped in (BOB, CAROL, DAVE):
        give(sessions, ALICE, helped, NOW - DAY)
    give(sessions, ALICE, ERIN, NOW - DAY, retracted=True)
    assert who(sessions, NOW) == {}


# Give back


def four_help_bob(sessions: sessionmaker[Session], at: datetime) -> None:
    for helper in (ALICE, CAROL, DAVE, ERIN):
        give(sessions, helper, BOB, at)


@pytest.mark.parametrize(("minimum", "nudged"), [(4, True), (5, False)])
def test_someone_helped_by_many_who_helped_no_one_is_invited_to_offer(
    sandbox: Sandbox, sessions: sessionmaker[Session], minimum: int, nudged: bool
) -> None:
    configure(sessions, nudge_give_back_min_people=minimum)
    four_help_bob(sessions, NOW - 59 * DAY)
    assert who(sessions, NOW) == ({BOB: ("give_back", None)} if nudged else {})


@pytest.mark.parametrize(("days_ago", "nudged"), [(59, False), (61, True)])
def test_helping_anyone_in_60_days_means_no_give_back(
    sandbox: Sandbox, sessions: sessionmaker[Session], days_ago: int, nudged: bool
) -> None:
    four_help_bob(sessions, NOW - DAY)
    give(sessions, BOB, DAVE, NOW - days_ago * DAY)
    assert who(sessions, NOW) == ({BOB: ("give_back", None)} if nudged else {})


def test_help_received_more_than_60_days_ago_does_not_count_for_give_back(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    for helper in (ALICE, CAROL, DAVE):
        give(sessions, helper, BOB, NOW - DAY)
    give(sessions, ERIN, BOB, NOW - 61 * DAY)
    assert who(sessions, NOW) == {}
    give(sessions, ERIN, BOB, NOW - 60 * DAY + timedelta(minutes=1))
    assert who(sessions, NOW) == {BOB: ("give_back", None)}


def test_retracted_help_does_not_count_for_give_back(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    for helper in (ALICE, CAROL, DAVE):
        give(sessions, helper, BOB, NOW - DAY)
    give(sessions, ERIN, BOB, NOW - DAY, retracted=True)
    assert who(sessions, NOW) == {}


# Who is never nudged


def test_opted_out_deactivated_and_bot_members_are_never_nudged(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    # Credits for a bot or a former member cannot be given through Goodwill; written directly
    # here, they still never lead to a nudge.
    for recipient in (BOB, DEPLOYBOT, FRANK):
        give(sessions, ALICE, recipient, NOW, weight=3)
    for helper in (ALICE, CAROL, DAVE, ERIN):
        give(sessions, helper, FRANK, NOW)
        give(sessions, helper, DEPLOYBOT, NOW)
    for not_a_person in (DEPLOYBOT, FRANK):
        set_member(sessions, not_a_person, tz="America/New_York")  # in working hours, like Bob
    assert who(sessions, NOW) == {BOB: ("pair", ALICE)}

    set_member(sessions, BOB, nudges_opt_out=True)
    assert who(sessions, NOW) == {}


# When


def test_only_in_working_hours_monday_to_friday_in_each_persons_time_zone(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    # Each of the five helped the next one a lot: each has one pair nudge waiting.
    friday = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    ring = [ALICE, BOB, CAROL, DAVE, ERIN]
    for helper, helped in zip(ring, ring[1:] + ring[:1], strict=True):
        give(sessions, helper, helped, friday, weight=2, reason=f"{helper} covered for {helped}")
        give(sessions, helper, helped, friday, weight=2, reason="the release notes")

    def sent_at(at: datetime) -> set[str]:
        before = {row.id for row in nudges(sessions)}
        _, delivery = sandbox.tick(at)
        assert delivery.failed == 0
        fresh = [row for row in nudges(sessions) if row.id not in before]
        assert all(row.status == "sent" for row in fresh)
        return {row.recipient_id for row in fresh if row.recipient_id}

    # From Friday 17:00 in Los Angeles to Monday 09:00 in Singapore, it is nobody's workday.
    weekend = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
    for hours in range(0, 48, 2):
        assert sent_at(weekend + timedelta(hours=hours)) == set()
    monday = datetime(2026, 11, 30, tzinfo=UTC)
    hour = timedelta(hours=1)
    minute = timedelta(minutes=1)
    assert sent_at(monday) == set()  # 08:00 in Singapore
    assert sent_at(monday + hour) == {CAROL}  # 09:00 in Singapore
    assert sent_at(monday + 7 * hour - minute) == set()  # 08:59 in Johannesburg
    assert sent_at(monday + 7 * hour) == {DAVE}
    assert sent_at(monday + 8 * hour - minute) == set()  # 08:59 in Oslo
    assert sent_at(monday + 8 * hour) == {ALICE}
    assert sent_at(monday + 14 * hour - minute) == set()  # 08:59 in New York
    assert sent_at(monday + 14 * hour) == {BOB}
    assert sent_at(monday + 17 * hour - minute) == set()  # 08:59 in Los Angeles
    assert sent_at(monday + 17 * hour) == {ERIN}
    for minutes in range(0, 4 * 24 * 60, 97):  # the rest of the week: nothing more
        assert sent_at(monday + timedelta(days=1, minutes=minutes)) == set()

    rows = {row.recipient_id: row for row in nudges(sessions)}
    assert len(nudges(sessions)) == 5
    carol = rows[CAROL]
    assert carol.dedupe_key == f"nudge:{TEAM}:{CAROL}:pair:2026-W49"
    assert carol.about_user_id == BOB and carol.channel_id == CAROL
    assert carol.due_at == monday + timedelta(hours=1)
    assert carol.expires_at == monday + timedelta(hours=9)  # 17:00 in Singapore
    assert sent_dm(sandbox, carol).channel == f"D{CAROL}"


@pytest.mark.parametrize(
    ("at", "nudged"),
    [
        (datetime(2026, 12, 4, 15, 59, tzinfo=UTC), True),  # Friday 16:59 in Oslo
        (datetime(2026, 12, 4, 16, 0, tzinfo=UTC), False),  # Friday 17:00
        (datetime(2026, 12, 5, 10, 0, tzinfo=UTC), False),  # Saturday 11:00
        (datetime(2026, 12, 7, 7, 59, tzinfo=UTC), False),  # Monday 08:59
        (datetime(2026, 12, 7, 8, 0, tzinfo=UTC), True),  # Monday 09:00
    ],
)
def test_working_hours_are_nine_to_five_on_weekdays(
    sandbox: Sandbox, sessions: sessionmaker[Session], at: datetime, nudged: bool
) -> None:
    configure(sessions, half_life_days=1000)
    give(sessions, BOB, ALICE, NOW, weight=3)
    give(sessions, BOB, ALICE, NOW, weight=3)
    assert who(sessions, at) == ({ALICE: ("pair", BOB)} if nudged else {})


def test_a_nudge_not_sent_by_the_end_of_the_working_day_expires(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    give(sessions, ALICE, BOB, NOW, weight=3)
    run_tick(sessions, NOW)  # planned, but no sender ran
    run_tick(sessions, datetime(2026, 11, 30, 22, 0, tzinfo=UTC))  # 17:00 in New York
    [row] = nudges(sessions, BOB)
    assert row.status == "expired"


# How rarely


def test_at_most_one_nudge_a_week_and_the_same_one_not_within_28_days(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    # Bob qualifies for a pair nudge (about Alice) and for give back: the pair comes first.
    give(sessions, ALICE, BOB, NOW, weight=3)
    for helper in (CAROL, DAVE, ERIN):
        give(sessions, helper, BOB, NOW)
    assert who(sessions, NOW) == {BOB: ("pair", ALICE)}

    def sent_kinds(at: datetime) -> list[str]:
        before = len(nudges(sessions, BOB))
        sandbox.tick(at)
        return [row.dedupe_key.split(":")[3] for row in nudges(sessions, BOB)[before:]]

    assert sent_kinds(NOW) == ["pair"]
    for later in (timedelta(minutes=1), timedelta(hours=2), DAY, 4 * DAY):  # within 7 days
        assert sent_kinds(NOW + later) == []
    assert sent_kinds(NOW + 7 * DAY) == ["give_back"]  # a week on: not the same pair again
    assert sent_kinds(NOW + 14 * DAY) == []  # neither the pair nor give back yet
    give(sessions, ALICE, BOB, NOW + 27 * DAY, weight=3)
    assert sent_kinds(NOW + 21 * DAY) == []
    assert sent_kinds(NOW + 28 * DAY) == ["pair"]  # four weeks on, the pair again
    assert sent_kinds(NOW + 35 * DAY) == ["give_back"]


@pytest.mark.parametrize(
    ("ago", "nudged"), [(timedelta(days=7, minutes=-1), False), (7 * DAY, True)]
)
def test_once_a_week_means_seven_days_since_the_last_nudge(
    sandbox: Sandbox, sessions: sessionmaker[Session], ago: timedelta, nudged: bool
) -> None:
    give(sessions, BOB, ALICE, NOW, weight=3)
    add_nudge(sessions, ALICE, NOW - ago, kind="ask_too")
    assert who(sessions, NOW) == ({ALICE: ("pair", BOB)} if nudged else {})


# What the DM says


def test_the_pair_nudge_names_the_helper_and_what_they_did_in_the_helped_persons_words(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    give(sessions, ALICE, BOB, NOW - 80 * DAY, kind="thanks", reason="the oldest one")
    give(sessions, ALICE, BOB, NOW - 3 * DAY, weight=2, reason="pairing on the flaky test")
    give(sessions, ALICE, BOB, NOW - 2 * DAY, kind="reaction")
    give(sessions, ALICE, BOB, NOW - 2 * DAY, reason="covering my on-call <!channel>")
    give(sessions, ALICE, BOB, NOW - DAY, reason="the *migration* review", retracted=True)
    give(sessions, ALICE, BOB, NOW - DAY, weight=2, reason="reviewing the migration")
    sandbox.tick(NOW)

    [row] = nudges(sessions, BOB)
    dm = sent_dm(sandbox, row)
    assert dm.channel == f"D{BOB}" and dm.user == sandbox.emulator.bot_user_id
    assert dm.text.startswith(f":wave: <@{ALICE}> has given you a hand a few times lately.")
    shown = str(dm.blocks)
    reasons = ["reviewing the migration", "covering my on-call", "pairing on the flaky test"]
    assert [shown.index(reason) for reason in reasons] == sorted(
        shown.index(reason) for reason in reasons
    )  # newest first
    assert "the oldest one" not in shown  # three at most
    assert "*migration*" not in shown  # retracted
    assert "<!channel>" not in shown and f"on-call @{WORD_JOINER}channel" in json.dumps(
        dm.blocks, ensure_ascii=False
    )
    assert action_ids(dm) == [NUDGE_SAY_THANKS, NUDGE_OFFER_HELP, NUDGE_NOT_NOW, NUDGE_STOP]
    buttons = [e for b in dm.blocks if b["type"] == "actions" for e in b["elements"]]
    assert {button["value"] for button in buttons} == {row.dedupe_key}
    for private in ("balance", "owe", "debt", "6", "7"):
        assert private not in dm.text  # no scores, no debts


def test_ask_too_and_give_back_say_what_to_type(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    # Dave helps four people; Bob is helped by four and helps no one.
    for helped in (ALICE, CAROL, ERIN, BOB):
        give(sessions, DAVE, helped, NOW - DAY)
    for helper in (ALICE, CAROL, ERIN):
        give(sessions, helper, BOB, NOW - DAY)
    sandbox.tick(NOW)

    [dave] = nudges(sessions, DAVE)
    text = sent_dm(sandbox, dave).text
    # All of it yesterday: said as the week it was, not as the month the rule reads.
    assert "You've helped 4 people this past week" in text and "`/favor ask" in text
    assert action_ids(sent_dm(sandbox, dave)) == [NUDGE_NOT_NOW, NUDGE_STOP]
    [bob] = nudges(sessions, BOB)
    text = sent_dm(sandbox, bob).text
    assert "4 people gave you a hand this past week" in text and "`/favor offer" in text
    assert action_ids(sent_dm(sandbox, bob)) == [NUDGE_NOT_NOW, NUDGE_STOP]
    assert (dave.about_user_id, bob.about_user_id) == (None, None)
