"""Short replies to `/favor` slips: one line saying what to type instead, and for a plain word
that is someone's name, the mention it meant; the full help only when asked for."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.favours.names import person_named, person_named_query
from bot.models import Credit, Member, Workspace
from bot.sandbox.harness import Sandbox
from bot.slack.ids import FAVOR_COMMAND
from slack_emulator import Message, SlackUser

ALICE, BOB, CAROL = "U0ALICE01", "U0BOB0002", "U0CAROL03"
TEAM, GENERAL = "T0SANDBOX", "C0GENERAL"


def favor(sandbox: Sandbox, user: str, text: str) -> Message:
    delivery, shown = sandbox.driver.slash_command(user, FAVOR_COMMAND, text, GENERAL)
    assert delivery.status == 200, delivery.body
    assert shown is not None and shown.ephemeral_for == user
    return shown


def nothing_recorded(sandbox: Sandbox, sessions: sessionmaker[Session]) -> bool:
    with sessions() as session:
        credits = session.scalars(select(Credit)).all()
    return not credits and sandbox.emulator.messages(GENERAL, ephemeral=False) == []


def test_a_mention_with_nothing_after_it_gets_one_line(sandbox: Sandbox) -> None:
    shown = favor(sandbox, ALICE, f"<@{BOB}|bob>")
    assert shown.text == (
        "What did <@U0BOB0002> do for you? Say it after their name: "
        "`/favor @someone fixed the build`. `/favor help` lists the rest."
    )


@pytest.mark.parametrize(
    ("text", "instead"),
    [
        ("bob covered my shift", "/favor @bob covered my shift"),
        ("Bob covered my shift", "/favor @Bob covered my shift"),
        ("@bob covered my shift", "/favor @bob covered my shift"),
        ("balance bob", "/favor balance @bob"),
        ("balance @carol", "/favor balance @carol"),
    ],
)
def test_a_name_typed_without_picking_it_suggests_the_person(
    sandbox: Sandbox, sessions: sessionmaker[Session], text: str, instead: str
) -> None:
    shown = favor(sandbox, ALICE, text)
    who = CAROL if "carol" in text else BOB
    assert shown.text == (
        f"Did you mean <@{who}>? Pick them from the list that opens when you type @, "
        f"as in `{instead}`."
    )
    assert nothing_recorded(sandbox, sessions)


def test_a_display_name_is_a_name_too(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        carol = session.get(Member, (TEAM, CAROL))
        assert carol is not None
        carol.display_name = "Cee"
    assert favor(sandbox, ALICE, "cee fixed the build").text.startswith(f"Did you mean <@{CAROL}>?")


@pytest.mark.parametrize(
    "text",
    [
        "deploybot shipped it",  # a bot
        "frank taught me SQL",  # deactivated
        "nobody helped",  # no one has that name
        "bo covered my shift",  # never a guess from part of a name
        "b*b covered my shift",  # not a name at all
    ],
)
def test_no_suggestion_for_a_bot_a_former_member_or_no_one(
    sandbox: Sandbox, sessions: sessionmaker[Session], text: str
) -> None:
    shown = favor(sandbox, ALICE, text)
    assert "Did you mean <@" not in shown.text
    assert shown.text.endswith("`/favor help` lists the rest.")
    assert "\n" not in shown.text
    assert nothing_recorded(sandbox, sessions)


def test_two_people_of_the_same_name_are_not_guessed_between(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        for user_id in (BOB, CAROL):
            member = session.get(Member, (TEAM, user_id))
            assert member is not None
            member.display_name = "sam"
        assert person_named(session, TEAM, "sam") is None
        assert person_named(session, TEAM, "bob") == BOB
        assert person_named(session, "T0ELSEWHERE", "bob") is None
    assert "Did you mean" not in favor(sandbox, ALICE, "sam helped").text


def test_someone_from_another_workspace_is_never_suggested(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sandbox.emulator.add_user(SlackUser("U0OTHER01", "T0OTHER", "olga", "Olga O"))
    assert "Did you mean" not in favor(sandbox, ALICE, "olga helped me").text


def test_the_whole_help_only_when_asked_for(sandbox: Sandbox) -> None:
    assert favor(sandbox, ALICE, "help").text.startswith("*Here's what `/favor` can do:*")
    assert "Here's what" not in favor(sandbox, ALICE, "balanse").text


def test_the_lookup_reads_the_name_indexes_not_every_member(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        session.add(Workspace(team_id=TEAM, name="Big"))
        session.execute(
            insert(Member),
            [
                {"team_id": TEAM, "user_id": f"U{n:08d}", "name": f"m{n}", "display_name": f"M{n}"}
                for n in range(2_000)
            ],
        )
    query = person_named_query(TEAM, "m42")
    with sessions() as session:
        bind = session.get_bind()
        session.execute(text("ANALYZE members" if bind.dialect.name == "postgresql" else "ANALYZE"))
        sql = str(query.compile(bind, compile_kwargs={"literal_binds": True}))
        explain = "EXPLAIN QUERY PLAN" if bind.dialect.name == "sqlite" else "EXPLAIN"
        plan = " ".join(str(row) for row in session.execute(text(f"{explain} {sql}")))
        assert person_named(session, TEAM, "m42") == "U00000042"
        assert person_named(session, TEAM, "M42") == "U00000042"
    assert "ix_members_team_name" in plan and "ix_members_team_display_name" in plan, plan
    assert "Seq Scan" not in plan and "SCAN members" not in plan, plan


def test_the_suggestion_quotes_what_was_typed_on_one_line_paging_no_one(
    sandbox: Sandbox,
) -> None:
    shown = favor(sandbox, ALICE, "bob covered `my`\nshift <!channel> " + "x" * 300)
    assert shown.text.startswith(f"Did you mean <@{BOB}>?")
    assert "<!channel>" not in shown.text and "\n" not in shown.text
    assert "`/favor @bob covered 'my' shift" in shown.text and shown.text.endswith("…`.")
