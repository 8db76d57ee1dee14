"""`/favor digest here|off`: admins choose where the weekly digest goes; everyone may ask."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.models import Workspace
from bot.sandbox.harness import Sandbox
from slack_emulator import SlackChannel
from tests.support import out_of_reach

ALICE, BOB = "U0ALICE01", "U0BOB0002"  # Alice is an admin, Bob is not
GENERAL, RANDOM = "C0GENERAL", "C0RANDOM1"


def favor(sandbox: Sandbox, user: str, text: str, channel: str = GENERAL) -> dict[str, str]:
    delivery, _ = sandbox.driver.slash_command(user, "/favor", text, channel)
    assert delivery.status == 200
    answer: dict[str, str] = delivery.json()
    return answer


def digest_channel(sessions: sessionmaker[Session]) -> str | None:
    with sessions() as session:
        workspace = session.get(Workspace, "T0SANDBOX")
        assert workspace is not None
        return workspace.digest_channel_id


def test_an_admin_sets_the_digest_channel_and_it_is_announced(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    answer = favor(sandbox, ALICE, "digest here", RANDOM)
    assert answer["response_type"] == "ephemeral"
    assert "the weekly digest will go to <#C0RANDOM1>, Mondays at 09:00 (UTC)" in answer["text"]
    [announcement] = sandbox.emulator.messages(RANDOM, ephemeral=False)
    assert "weekly digest of thanks and favours here" in announcement.text
    assert digest_channel(sessions) == RANDOM

    status = favor(sandbox, BOB, "digest")
    assert "goes to <#C0RANDOM1>, Mondays at 09:00 (UTC)" in status["text"]


def test_the_digest_then_goes_to_that_channel(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    favor(sandbox, ALICE, "digest here", RANDOM)
    sandbox.driver.slash_command(ALICE, "/thanks", f"<@{BOB}> for the runbook", GENERAL)
    sandbox.tick(datetime(2026, 11, 30, 9, 1, tzinfo=UTC))
    posted = [m for m in sandbox.emulator.messages(RANDOM) if "This week in goodwill" in m.text]
    assert len(posted) == 1 and "for the runbook" in str(posted[0].blocks)


def test_non_admins_are_refused_politely_and_nothing_changes(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    favor(sandbox, ALICE, "digest here", RANDOM)
    for text in ("digest here", "digest off"):
        answer = favor(sandbox, BOB, text)
        assert answer["response_type"] == "ephemeral"
        assert "Only workspace admins and owners" in answer["text"]
    assert digest_channel(sessions) == RANDOM
    assert sandbox.emulator.messages(GENERAL, ephemeral=False) == []


def test_an_admin_stops_the_digest(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    favor(sandbox, ALICE, "digest here")
    answer = favor(sandbox, ALICE, "digest off")
    assert "The weekly digest is off" in answer["text"]
    assert digest_channel(sessions) is None
    assert "There's no weekly digest yet" in favor(sandbox, BOB, "digest")["text"]


def test_a_private_channel_without_the_bot_gets_invite_instructions(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sandbox.emulator.add_channel(
        SlackChannel(id="G0SECRET1", name="secret", is_private=True, members={ALICE, BOB})
    )
    answer = favor(sandbox, ALICE, "digest here", "G0SECRET1")
    assert "/invite @Goodwill" in answer["text"]
    assert digest_channel(sessions) is None


def test_an_archived_channel_is_no_digest_channel(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sandbox.emulator.channels["C0RANDOM1"].is_archived = True
    answer = favor(sandbox, ALICE, "digest here", "C0RANDOM1")
    assert answer["text"].startswith("This channel is archived")
    assert digest_channel(sessions) is None


def test_an_announcement_slack_cannot_be_reached_for_changes_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    out_of_reach(sandbox.app)
    answer = favor(sandbox, ALICE, "digest here", RANDOM)
    assert answer["text"].startswith("I couldn't post that just now, so nothing was recorded.")
    assert digest_channel(sessions) is None


def test_unknown_digest_words_get_usage(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    answer = favor(sandbox, ALICE, "digest sideways")
    assert "Type `/favor digest here`" in answer["text"]
    assert digest_channel(sessions) is None
