"""`/favor balance`, `/favor history` and `/favor undo`: private, decayed, and within Block Kit's
limits whatever the data; undo retracts without deleting."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.balance.blocks import times
from bot.balance.exchanges import PairBalance, pair_balances
from bot.ledger.credits import NewCredit
from bot.models import Credit, FavorRequest, Workspace
from bot.sandbox.harness import Sandbox
from bot.slack.ids import FAVOR_COMMAND
from slack_emulator import Message
from tests.support import Clock, insert_credits

TEAM = "T0SANDBOX"
ALICE, BOB, CAROL, DAVE = "U0ALICE01", "U0BOB0002", "U0CAROL03", "U0DAVE004"
BOT = "U0DEPLOY9"
GENERAL = "C0GENERAL"
_keys = itertools.count()


def favor(sandbox: Sandbox, user: str, text: str, channel: str = GENERAL) -> Message:
    delivery, shown = sandbox.driver.slash_command(user, FAVOR_COMMAND, text, channel)
    assert delivery.status == 200, delivery.body
    assert shown is not None
    assert shown.ephemeral_for == user
    return shown


def add_credit(
    sessions: sessionmaker[Session],
    helper: str,
    helped: str,
    at: datetime,
    *,
    weight: int = 1,
    kind: str = "favor",
    reason: str | None = None,
    retracted: bool = False,
) -> None:
    """A ledger row written directly, for histories longer than the daily cap allows."""
    with sessions.begin() as session:
        credit = NewCredit(
            helper, helped, kind, f"test:{next(_keys)}", weight=weight, reason=reason
        )
        insert_credits(session, TEAM, [credit], at)
        if retracted:
            row = session.scalar(select(Credit).where(Credit.source_key == credit.source_key))
            assert row is not None
            row.retracted_at = at


def credits(sessions: sessionmaker[Session]) -> list[Credit]:
    with sessions() as session:
        return list(session.scalars(select(Credit).order_by(Credit.id)))


def shown_text(message: Message) -> str:
    return message.text + "\n" + "\n".join(str(block) for block in message.blocks)


# Balance


def test_balance_is_weighted_and_decays_with_the_half_life(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    favor(sandbox, ALICE, f"<@{BOB}> moved my desk big")  # Bob helped Alice: 3
    clock.advance(days=30)
    favor(sandbox, CAROL, f"<@{ALICE}> fixed my laptop")  # Alice helped Carol: 1
    clock.advance(days=30)

    with sessions() as session:
        pairs = pair_balances(session, TEAM, ALICE, clock.now, 60)
    assert pairs == [
        PairBalance(BOB, 0.0, pytest.approx(1.5), 0, 1),  # type: ignore[arg-type]
        PairBalance(CAROL, pytest.approx(0.5**0.5), 0.0, 1, 0),  # type: ignore[arg-type]
    ]

    shown = favor(sandbox, ALICE, "balance")
    text = shown_text(shown)
    # Exchanges in words, counted: no weighted score, no "0" beside "1.5".
    assert "▱▱▱▱▱▱▱▱▱▱  <@U0BOB0002>: 1 exchange — they helped you once" in text
    assert "▰▰▰▰▰▰▰▰▰▰  <@U0CAROL03>: 1 exchange — you helped them once" in text
    assert "*0" not in text and ".0" not in text
    assert text.index(BOB) < text.index(CAROL)  # largest exchange first
    assert "halves every 60 days" in text
    assert sandbox.emulator.messages(GENERAL, ephemeral=False) == []


def test_the_workspace_half_life_is_used(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    favor(sandbox, ALICE, f"<@{BOB}> moved my desk big")
    with sessions.begin() as session:
        workspace = session.get(Workspace, TEAM)
        assert workspace is not None
        workspace.half_life_days = 10
    clock.advance(days=20)
    with sessions() as session:
        [pair] = pair_balances(session, TEAM, ALICE, clock.now, 10)
    assert pair.received == pytest.approx(0.75)  # 3 * 0.5 ** 2
    clock.advance(days=10)
    text = shown_text(favor(sandbox, ALICE, "balance"))
    assert "1 exchange — they helped you once" in text
    assert "halves every 10 days" in text


def test_a_short_half_life_and_years_of_history_do_not_break_the_sums(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    # 0.5 ** 1825 is below the smallest double: PostgreSQL's power() would raise on it.
    with sessions.begin() as session:
        workspace = session.get(Workspace, TEAM)
        assert workspace is not None
        workspace.half_life_days = 1
    add_credit(sessions, BOB, ALICE, clock.now - timedelta(days=5 * 365), weight=3)
    add_credit(sessions, CAROL, ALICE, clock.now - timedelta(days=1), weight=2)

    with sessions() as session:
        assert pair_balances(session, TEAM, ALICE, clock.now, 1) == [
            PairBalance(CAROL, 0.0, pytest.approx(1.0), 0, 1)  # type: ignore[arg-type]
        ]
    text = shown_text(favor(sandbox, ALICE, "balance"))
    assert "<@U0CAROL03>: 1 exchange — they helped you once" in text
    assert BOB not in text  # beyond a hundred half-lives: nothing left to show


def test_balance_for_one_person_and_the_since_filter(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    start = clock.now
    add_credit(sessions, BOB, ALICE, start - timedelta(days=60), weight=2)
    add_credit(sessions, ALICE, BOB, start, weight=1)
    add_credit(sessions, CAROL, ALICE, start, weight=3)
    add_credit(sessions, BOB, CAROL, start, weight=3)  # not Alice's: never counted for her

    with sessions() as session:
        assert pair_balances(session, TEAM, ALICE, start, 60, counterpart=BOB) == [
            PairBalance(BOB, 1.0, pytest.approx(1.0), 1, 1)  # type: ignore[arg-type]
        ]
        recent = pair_balances(session, TEAM, ALICE, start, 60, since=start - timedelta(days=1))
        assert recent == [PairBalance(CAROL, 0.0, 3.0, 0, 1), PairBalance(BOB, 1.0, 0.0, 1, 0)]

    text = shown_text(favor(sandbox, ALICE, f"balance <@{BOB}|bob>"))
    assert "*You and <@U0BOB0002>*" in text
    assert (
        "*You and <@U0BOB0002>*: 2 exchanges — you helped them once, they helped you once." in text
    )
    assert CAROL not in text

    text = shown_text(favor(sandbox, ALICE, f"balance <@{DAVE}>"))
    assert "*You and <@U0DAVE004>*: no exchanges yet." in text


@pytest.mark.parametrize(
    ("who", "problem"),
    [(ALICE, "That's you!"), (BOT, "is a bot"), ("U0NOBODY9", "couldn't find <@U0NOBODY9>")],
)
def test_balance_with_someone_who_is_not_a_counterpart(
    sandbox: Sandbox, who: str, problem: str
) -> None:
    assert problem in favor(sandbox, ALICE, f"balance <@{who}>").text


def test_retracted_credits_never_count(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    add_credit(sessions, BOB, ALICE, clock.now, weight=3, retracted=True)
    add_credit(sessions, CAROL, ALICE, clock.now, weight=1)
    with sessions() as session:
        assert pair_balances(session, TEAM, ALICE, clock.now, 60) == [
            PairBalance(CAROL, 0.0, 1.0, 0, 1)
        ]
    assert BOB not in shown_text(favor(sandbox, ALICE, "balance"))


def test_an_empty_balance_encourages_asking(sandbox: Sandbox) -> None:
    text = shown_text(favor(sandbox, ALICE, "balance"))
    assert "No exchanges yet" in text and "/favor ask" in text


def test_open_asks_and_offers_are_listed_and_closed_ones_are_not(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sandbox.driver.slash_command(ALICE, FAVOR_COMMAND, "ask a review of my RFC", GENERAL)
    sandbox.driver.slash_command(ALICE, FAVOR_COMMAND, "offer pairing on SQL", "C0RANDOM1")
    sandbox.driver.slash_command(ALICE, FAVOR_COMMAND, "ask a lift", GENERAL)
    sandbox.driver.slash_command(BOB, FAVOR_COMMAND, "ask Bob's own thing", GENERAL)
    with sessions.begin() as session:
        lift = session.scalar(select(FavorRequest).where(FavorRequest.text == "a lift"))
        assert lift is not None
        lift.status = "withdrawn"

    text = shown_text(favor(sandbox, ALICE, "balance"))
    assert "*Your open asks and offers*" in text
    assert "Ask in <#C0GENERAL>: a review of my RFC" in text
    assert "Offer in <#C0RANDOM1>: pairing on SQL" in text
    assert "a lift" not in text and "Bob's own thing" not in text
    assert "archived" not in text


def test_an_open_ask_in_a_channel_archived_since_says_so(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sandbox.driver.slash_command(ALICE, FAVOR_COMMAND, "ask a review of my RFC", GENERAL)
    sandbox.driver.slash_command(ALICE, FAVOR_COMMAND, "offer pairing on SQL", "C0RANDOM1")
    archived = sandbox.driver.archival_envelope("C0RANDOM1", "archive", BOB)
    assert sandbox.driver.send_event(archived).status == 200

    text = shown_text(favor(sandbox, ALICE, "balance"))
    assert "Ask in <#C0GENERAL>: a review of my RFC" in text
    assert "my RFC _(channel archived)_" not in text
    assert "Offer in <#C0RANDOM1>: pairing on SQL _(channel archived)_" in text


def test_a_huge_balance_stays_within_block_kit_limits(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    people = [f"U9PERSON{n:03d}" for n in range(40)]
    with sessions.begin() as session:
        for n, person in enumerate(people):
            insert_credits(
                session,
                TEAM,
                [NewCredit(person, ALICE, "favor", f"big:{n}", weight=1 + n % 3)],
                clock.now,
            )
        for n in range(25):
            session.add(
                FavorRequest(
                    public_id=f"00000000-0000-4000-8000-{n:012d}",
                    team_id=TEAM,
                    kind="ask" if n % 2 else "offer",
                    author_id=ALICE,
                    text=f"request {n} " + "<!channel> words " * 80,
                    channel_id=GENERAL,
                    message_ts=f"1700000000.{n:06d}",
                    created_at=clock.now - timedelta(minutes=n),
                )
            )

    # The emulator refuses any message over Slack's limits, so being shown at all is the check.
    shown = favor(sandbox, ALICE, "balance")
    text = shown_text(shown)
    assert "…and 25 more people." in text
    assert "…and 15 more." in text
    assert "request 0 " in text and "request 9 " in text and "request 10 " not in text
    assert "<!channel>" not in text
    assert len(shown.blocks) <= 50
    assert all(len(str(block.get("text", {}).get("text", ""))) <= 3000 for block in shown.blocks)


# History


def test_history_shows_the_last_20_entries_newest_first_with_undone_ones_marked(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    start = clock.now - timedelta(days=30)
    for n in range(24):
        helper, helped = (BOB, ALICE) if n % 2 else (ALICE, CAROL)
        add_credit(
            sessions,
            helper,
            helped,
            start + timedelta(hours=n),
            reason=f"entry {n:02d} " + "x" * 300,
            kind=("thanks", "favor", "reaction")[n % 3],
            retracted=n == 22,
        )
    add_credit(sessions, DAVE, CAROL, clock.now, reason="not Alice's")

    shown = favor(sandbox, ALICE, "history")
    text = shown_text(shown)
    order = [f"entry {n:02d}" for n in range(23, 3, -1)]
    positions = [text.index(entry) for entry in order]
    assert positions == sorted(positions)
    assert "entry 03" not in text and "not Alice's" not in text
    assert "*Your last 20 entries*, newest first" in text
    assert "x" * 100 not in text  # reasons are cut short
    assert "~" in text and text.count("_(undone)_") == 1
    # Each entry reads from Alice's side: Bob helped her, she helped Carol.
    for sentence in (
        "you thanked <@U0BOB0002>",
        "<@U0BOB0002> did you a small favour",
        "you reacted to <@U0BOB0002>'s message",
        "<@U0CAROL03> thanked you",
        "you did <@U0CAROL03> a small favour",
        "<@U0CAROL03> reacted to your message",
    ):
        assert sentence in text
    assert "<@U0BOB0002> thanked you" not in text


def test_empty_history(sandbox: Sandbox) -> None:
    assert "Nothing here yet" in favor(sandbox, ALICE, "history").text


def test_a_history_of_one_entry_says_entry(sandbox: Sandbox) -> None:
    favor(sandbox, ALICE, f"<@{BOB}> moved my desk big")
    text = shown_text(favor(sandbox, ALICE, "history"))
    assert "*Your last entry*, newest first" in text
    assert "entries" not in text.split("\n")[0]


# Undo


def test_undo_retracts_your_latest_entry_and_keeps_it_in_the_table(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    favor(sandbox, ALICE, f"<@{BOB}> moved my desk big")
    clock.advance(minutes=5)
    sandbox.driver.slash_command(ALICE, "/thanks", f"<@{CAROL}> for the review", GENERAL)
    sandbox.settle()  # celebrated
    clock.advance(minutes=5)
    favor(sandbox, DAVE, f"<@{ALICE}> explained the build")  # Dave's entry, not Alice's
    clock.advance(minutes=5)

    shown = favor(sandbox, ALICE, "undo")
    assert shown.text == (
        ":leftwards_arrow_with_hook: Undone: you thanked <@U0CAROL03> (for the review). "
        "It no longer counts anywhere. The thanks message in <#C0GENERAL> now says you took "
        "them back. I've let <@U0CAROL03> know privately."
    )
    by_reason = {c.reason: c for c in credits(sessions)}
    assert by_reason["for the review"].retracted_at == clock.now
    assert by_reason["moved my desk"].retracted_at is None
    assert by_reason["explained the build"].retracted_at is None

    clock.advance(minutes=1)
    shown = favor(sandbox, ALICE, "undo")
    assert "Undone: <@U0BOB0002> did you a big favour (moved my desk)" in shown.text
    assert len(credits(sessions)) == 3  # nothing deleted
    balance = shown_text(favor(sandbox, ALICE, "balance"))
    assert BOB not in balance and CAROL not in balance
    assert "<@U0DAVE004>: 1 exchange — you helped them once" in balance  # still counts

    shown = favor(sandbox, ALICE, "undo")
    assert "nothing of yours to undo" in shown.text
    assert "~" in shown_text(favor(sandbox, ALICE, "history"))


def test_undo_leaves_entries_older_than_a_day_and_other_peoples_alone(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    add_credit(sessions, BOB, ALICE, clock.now - timedelta(hours=24, seconds=1), reason="old")
    add_credit(sessions, ALICE, CAROL, clock.now - timedelta(minutes=1), reason="Carol's")
    before = [(c.id, c.retracted_at) for c in credits(sessions)]

    shown = favor(sandbox, ALICE, "undo")

    assert "There's nothing of yours to undo from the last 24 hours" in shown.text
    assert [(c.id, c.retracted_at) for c in credits(sessions)] == before


def test_an_undone_credit_frees_its_place_under_the_fair_use_rules(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    favor(sandbox, ALICE, f"<@{BOB}> moved my desk")
    favor(sandbox, ALICE, "undo")
    shown = favor(sandbox, ALICE, f"<@{BOB}> moved my desk medium")
    assert "did you a medium favour" in shown.text
    assert [c.retracted_at is None for c in credits(sessions)] == [False, True]


@pytest.mark.parametrize(
    ("count", "shown"), [(1, "once"), (2, "twice"), (3, "3 times"), (1200, "1,200 times")]
)
def test_counts_read_the_same_in_balance_and_home(count: int, shown: str) -> None:
    assert times(count) == shown
