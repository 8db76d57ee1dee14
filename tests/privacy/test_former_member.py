"""After `/favor forget-me`, everyone else sees the person as "a former member": in their
history, on their Home, in `/favor undo`'s notes and in the digest, never the pseudonym that
Slack would show as a raw ID."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.models.people import FORMER_MEMBER, PSEUDONYM_PREFIX
from bot.sandbox.harness import Sandbox
from bot.scheduler.sender import Pacer, Sender
from bot.scheduler.tick import run_tick
from bot.slack.app import make_client
from bot.slack.ids import FAVOR_COMMAND, FORGET_ME_CONFIRM
from tests.home_tab import shown_home, text_of
from tests.rhythm import configure, credit
from tests.support import Clock

ALICE, BOB, CAROL = "U0ALICE01", "U0BOB0002", "U0CAROL03"
GENERAL = "C0GENERAL"
# Monday 30 November 2026, 09:00 in Oslo is 08:00 UTC: the digest's hour.
MONDAY_9_OSLO = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def favor(sandbox: Sandbox, user: str, text: str) -> str:
    delivery, shown = sandbox.driver.slash_command(user, FAVOR_COMMAND, text, GENERAL)
    assert delivery.status == 200 and shown is not None
    return shown.text + str(shown.blocks)


def forget(sandbox: Sandbox, user: str) -> None:
    delivery, question = sandbox.driver.slash_command(user, FAVOR_COMMAND, "forget-me", GENERAL)
    assert delivery.status == 200 and question is not None
    assert sandbox.driver.click(user, question, FORGET_ME_CONFIRM).status == 200


def test_a_forgotten_member_is_a_former_member_in_history_home_and_digest(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    week = MONDAY_9_OSLO - timedelta(days=3)
    credit(sessions, BOB, CAROL, week, "for the review")
    credit(sessions, CAROL, BOB, week + timedelta(hours=1), "for the lift", kind="favor")
    credit(sessions, ALICE, CAROL, week + timedelta(hours=2), "for the coffee")
    clock.now = week + timedelta(days=1)
    assert f"<@{BOB}>" in favor(sandbox, CAROL, "history")

    forget(sandbox, BOB)

    history = favor(sandbox, CAROL, "history")
    assert f"you thanked {FORMER_MEMBER}" in history
    assert f"you did {FORMER_MEMBER} a small favour" in history
    assert PSEUDONYM_PREFIX not in history and BOB not in history
    home = text_of(shown_home(sandbox, CAROL))
    assert FORMER_MEMBER in home and PSEUDONYM_PREFIX not in home and BOB not in home

    configure(sessions, digest_channel_id=GENERAL, timezone="Europe/Oslo")
    client = make_client(sandbox.emulator.bot_token, sandbox.emulator.api_url)
    run_tick(sessions, MONDAY_9_OSLO)
    sent = Sender(sessions, lambda _team: client, lambda: MONDAY_9_OSLO, Pacer(1000, 0.0))
    assert sent.send_due().sent == 1
    [digest] = sandbox.emulator.messages(GENERAL, ephemeral=False)
    shown = digest.text + str(digest.blocks)
    assert "<@U0CAROL03>" in shown and PSEUDONYM_PREFIX not in shown and BOB not in shown


def test_taking_back_a_credit_to_a_forgotten_member_names_them_a_former_member(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    delivery, _ = sandbox.driver.slash_command(CAROL, "/thanks", f"<@{BOB}> for the map", GENERAL)
    assert delivery.status == 200
    forget(sandbox, BOB)

    undone = favor(sandbox, CAROL, "undo")

    assert f"Undone: you thanked {FORMER_MEMBER}" in undone
    assert PSEUDONYM_PREFIX not in undone
