"""Forget-me takes a member's skills and suggestions with them; a workspace in another
language is matched in it (PostgreSQL's text search configurations)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.models import AskSuggestions, MemberSkills, SuggestionNote, Workspace
from bot.sandbox.harness import Sandbox
from bot.slack.ids import FAVOR_COMMAND, FORGET_ME_CONFIRM, SUGGESTIONS_LET_KNOW
from tests.suggestions.helpers import ALICE, BOB, DAVE, GENERAL, ask, command, dms, settled
from tests.suggestions.helpers import suggested as named


def test_forget_me_takes_skills_notes_and_suggestions(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    command(sandbox, BOB, FAVOR_COMMAND, "skills kubernetes")
    command(sandbox, DAVE, FAVOR_COMMAND, "skills kubernetes, helm")
    ask(sandbox, ALICE, "kubernetes advice")
    [dm] = dms(sandbox, ALICE)
    assert sandbox.driver.click(ALICE, dm, SUGGESTIONS_LET_KNOW).status == 200
    settled(sandbox)

    delivery, question = sandbox.driver.slash_command(BOB, FAVOR_COMMAND, "forget-me", GENERAL)
    assert delivery.status == 200 and question is not None
    assert sandbox.driver.click(BOB, question, FORGET_ME_CONFIRM).status == 200

    with sessions() as session:
        skills = session.scalars(select(MemberSkills.user_id)).all()
        noted = session.scalars(select(SuggestionNote.helper_id)).all()
        kept = [str(people) for people in session.scalars(select(AskSuggestions.people))]
    assert skills == [DAVE] and noted == [DAVE]
    assert not any(BOB in people for people in kept)


def test_a_workspace_in_french_is_matched_in_french(
    sandbox: Sandbox, sessions: sessionmaker[Session], database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's FTS5 tables stem English (porter); other languages: PostgreSQL")
    with sessions.begin() as session:
        session.execute(
            update(Workspace)
            .where(Workspace.team_id == sandbox.emulator.team_id)
            .values(search_language="french")
        )
    command(sandbox, BOB, FAVOR_COMMAND, "skills traductions, réunions")
    ask(sandbox, ALICE, "quelqu'un pour une traduction")
    [dm] = dms(sandbox, ALICE)
    assert named(dm) == [BOB]
