"""An ask's likely helpers end to end: who is suggested and why, who never is, the order, and
the private DM that arrives after the ask's acknowledgement."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import bot.listeners.commands.suggestions as after_ack
from bot.deps import Deps
from bot.models import AskSuggestions, Credit, FavorRequest
from bot.sandbox.harness import Sandbox
from bot.slack.ids import FAVOR_COMMAND
from tests.suggestions.helpers import (
    ALICE,
    BOB,
    BOT,
    CAROL,
    DAVE,
    ERIN,
    FRANK,
    GENERAL,
    PRIVATE_WORD,
    SECRET,
    add_secret_channel,
    ask,
    channels_known,
    command,
    dms,
    set_member,
    settled,
    suggested,
    suggestions_dm,
    thank,
)
from tests.support import Clock


def a_workspace(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    """Bob thanked in public, Carol only privately (a favour logged, a thanks in a private
    channel), Erin offering, Dave listing a skill; a bot and a former member thanked in public
    as the ledger may hold from before."""
    thank(sandbox, ALICE, BOB, "the postgres upgrade")
    command(sandbox, ALICE, FAVOR_COMMAND, f"<@{CAROL}> postgres upgrade {PRIVATE_WORD}")
    add_secret_channel(sandbox, ALICE, CAROL)
    thank(sandbox, ALICE, CAROL, f"postgres upgrade {PRIVATE_WORD}", SECRET)
    command(sandbox, ERIN, FAVOR_COMMAND, "offer postgres upgrade reviews")
    command(sandbox, DAVE, FAVOR_COMMAND, "skills postgres, SQL reviews")
    thank(sandbox, BOB, ALICE, "the postgres upgrade plan")  # the asker, thanked in public
    with sessions.begin() as session:
        for helper in (BOT, FRANK):
            session.add(
                Credit(
                    team_id=sandbox.emulator.team_id,
                    helper_id=helper,
                    helped_id=ALICE,
                    kind="thanks",
                    reason="postgres upgrade",
                    quotable=True,
                    source_key=f"before:{helper}",
                    created_at=sandbox.clock(),
                )
            )


def test_public_thanks_offers_and_skills_suggest_never_the_private_or_excluded(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    a_workspace(sandbox, sessions)
    with sessions() as session:  # Carol's thanks are on the ledger, but not quotable
        carol = session.scalars(select(Credit).where(Credit.helper_id == CAROL)).all()
    assert len(carol) == 2 and not any(c.quotable for c in carol)

    ask(sandbox, ALICE, "a hand with the postgres upgrade")

    dm = suggestions_dm(sandbox, ALICE)
    assert set(suggested(dm)) == {BOB, ERIN, DAVE}
    shown = dm.blocks[1]["text"]["text"]
    assert f"<@{BOB}> (thanked for: the postgres upgrade)" in shown
    assert f"<@{ERIN}> (offered: postgres upgrade reviews)" in shown
    assert f"<@{DAVE}> (skills: postgres, SQL reviews)" in shown
    assert PRIVATE_WORD not in shown and CAROL not in shown
    assert not {ALICE, BOT, FRANK} & set(suggested(dm))


def test_opted_out_and_outside_a_private_channel_are_never_suggested(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    a_workspace(sandbox, sessions)
    set_member(sessions, ERIN, suggestions_opt_out=True)
    add_secret_channel(sandbox, ALICE, CAROL, DAVE)
    channels_known(sessions, sandbox, **{DAVE: [GENERAL, SECRET], BOB: [GENERAL]})

    ask(sandbox, ALICE, "a hand with the postgres upgrade", SECRET)

    assert suggested(suggestions_dm(sandbox, ALICE)) == [DAVE]  # Bob is not in #secret


def test_someone_at_capacity_is_not_suggested_until_their_spell_ends(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    a_workspace(sandbox, sessions)
    command(sandbox, ERIN, FAVOR_COMMAND, "busy for 2 days")

    ask(sandbox, ALICE, "a hand with the postgres upgrade")
    assert set(suggested(suggestions_dm(sandbox, ALICE))) == {BOB, DAVE}

    clock.advance(days=3)
    ask(sandbox, ALICE, "postgres upgrade reviews, once more")
    later = [m for m in dms(sandbox, ALICE) if m.text.startswith("People likely to help")]
    assert len(later) == 2 and ERIN in suggested(later[-1])


def test_the_best_match_comes_first(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    command(sandbox, DAVE, FAVOR_COMMAND, "skills postgres")
    command(sandbox, ERIN, FAVOR_COMMAND, "skills postgres upgrade, replication")
    command(sandbox, CAROL, FAVOR_COMMAND, "skills terraform")

    ask(sandbox, ALICE, "help with a postgres upgrade and replication")

    assert suggested(suggestions_dm(sandbox, ALICE)) == [ERIN, DAVE]


def test_an_ask_nobody_matches_sends_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    a_workspace(sandbox, sessions)
    ask(sandbox, ALICE, "someone to water my plants")
    assert dms(sandbox, ALICE) == []
    with sessions() as session:
        [kept] = session.scalars(select(AskSuggestions)).all()
    assert kept.people == []


def test_the_ack_does_not_wait_for_the_suggestions(
    sandbox: Sandbox, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    a_workspace(sandbox, sessions)
    release = threading.Event()
    real = after_ack.suggest

    def held_back(*args: object) -> object:
        assert release.wait(10)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(after_ack, "suggest", held_back)
    command(sandbox, ALICE, FAVOR_COMMAND, "ask a hand with the postgres upgrade")
    # The command was answered and the ask posted while the suggestions are still held back.
    assert sandbox.emulator.messages(GENERAL, ephemeral=False)[-1].text
    assert dms(sandbox, ALICE) == []
    release.set()
    settled(sandbox)
    assert set(suggested(suggestions_dm(sandbox, ALICE))) == {BOB, ERIN, DAVE}


def test_suggestions_are_sent_once_however_often_they_are_worked_out(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    a_workspace(sandbox, sessions)
    ask(sandbox, ALICE, "a hand with the postgres upgrade")
    with sessions() as session:
        public_id = session.scalars(
            select(FavorRequest.public_id).where(FavorRequest.kind == "ask")
        ).one()
    # A second worker (a retry, another process) doing the same work sends nothing more.
    deps = Deps(sessions, sandbox.clock)
    after_ack.deliver_suggestions(sandbox.app.client, deps, sandbox.emulator.team_id, public_id)
    assert len(dms(sandbox, ALICE)) == 1
