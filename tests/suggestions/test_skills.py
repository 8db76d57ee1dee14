"""`/favor skills`: listed, shown, replaced, cleared; shown on the Home; bad input refused."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.models import MemberSkills
from bot.sandbox.harness import Sandbox
from bot.slack.ids import FAVOR_COMMAND
from tests.home_tab import shown_home, text_of
from tests.suggestions.helpers import ALICE, BOB, GENERAL, ask, dms


def skills(sandbox: Sandbox, user: str, text: str) -> str:
    delivery, shown = sandbox.driver.slash_command(user, FAVOR_COMMAND, text, GENERAL)
    assert delivery.status == 200 and shown is not None
    assert delivery.json()["response_type"] == "ephemeral"
    return shown.text


def listed(sessions: sessionmaker[Session]) -> dict[str, str]:
    with sessions() as session:
        rows = session.execute(select(MemberSkills.user_id, MemberSkills.skills))
        return {user_id: listed for user_id, listed in rows}


def test_skills_are_listed_shown_replaced_and_cleared(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    assert "You haven't listed any skills" in skills(sandbox, BOB, "skills")
    answer = skills(sandbox, BOB, "skills terraform,  SQL reviews, terraform")
    assert answer.startswith("Your skills: terraform, SQL reviews.")
    assert listed(sessions) == {BOB: "terraform, SQL reviews"}
    assert "Your skills: terraform, SQL reviews" in text_of(shown_home(sandbox, BOB))

    skills(sandbox, BOB, "skills helm")  # replaces the list, and the search follows
    assert skills(sandbox, BOB, "skills") == "Your skills: helm"
    ask(sandbox, ALICE, "terraform reviews please")
    assert dms(sandbox, ALICE) == []
    ask(sandbox, ALICE, "a helm chart question")
    assert dms(sandbox, ALICE) != []

    assert skills(sandbox, BOB, "skills clear") == "Your skills are removed."
    assert listed(sessions) == {}
    assert "nothing changed" in skills(sandbox, BOB, "skills clear")


def test_bad_skills_are_refused_and_nothing_changes(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    skills(sandbox, BOB, "skills helm")
    assert "without mentions or links" in skills(sandbox, BOB, f"skills <@{ALICE}>, helm")
    assert "without mentions or links" in skills(sandbox, BOB, "skills <!here>")
    assert "up to 20 skills" in skills(sandbox, BOB, "skills " + ",".join("abc" * 30 for _ in "x"))
    assert "up to 20 skills" in skills(sandbox, BOB, "skills " + ",".join(map(str, range(21))))
    assert "separated by commas" in skills(sandbox, BOB, "skills , ;")
    assert listed(sessions) == {BOB: "helm"}
