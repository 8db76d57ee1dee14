"""Forget-me takes a member's skills and suggestions with them; a workspace in another
language is matched in it (PostgreSQL's text search configurations)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.models import AskSuggestions, MemberSkills, SuggestionNote, Workspace
from bot.sandbox.forms import form_state
from bot.sandbox.harness import Sandbox
from bot.settings.workspace import SEARCH_LANGUAGE
from bot.slack.ids import FAVOR_COMMAND, FORGET_ME_CONFIRM, SUGGESTIONS_LET_KNOW
from bot.suggestions.search import LANGUAGES
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


def test_an_admin_picks_the_language_in_the_settings_form(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    before = set(sandbox.emulator.open_views)
    command(sandbox, ALICE, FAVOR_COMMAND, "settings")
    [view] = [v for k, v in sandbox.emulator.open_views.items() if k not in before]
    state = form_state(view)
    [block] = [b for b in view["blocks"] if b.get("block_id") == SEARCH_LANGUAGE]
    assert block["element"]["initial_option"]["value"] == str(LANGUAGES.index("english"))
    french = [
        o for o in block["element"]["options"] if o["value"] == str(LANGUAGES.index("french"))
    ]
    state[SEARCH_LANGUAGE][SEARCH_LANGUAGE]["selected_option"] = french[0]
    assert sandbox.driver.submit_view(ALICE, view, state).status == 200
    with sessions() as session:
        language = session.scalar(
            select(Workspace.search_language).where(Workspace.team_id == sandbox.emulator.team_id)
        )
    assert language == "french"

    forged = {
        **state,
        SEARCH_LANGUAGE: {
            SEARCH_LANGUAGE: {
                "type": "static_select",
                "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": "99"},
            }
        },
    }
    answer = sandbox.driver.submit_view(ALICE, view, forged)
    assert answer.status == 200 and "a language" in answer.body
    with sessions() as session:
        assert session.scalar(select(Workspace.search_language)) == "french"
