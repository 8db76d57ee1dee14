"""`/thanks` that credits some and not others, and thanks to a user group, end to end: signed
slash commands into the real app, answers and notes as the emulator shows them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.models import Credit, Workspace
from bot.sandbox.harness import Sandbox
from bot.sandbox.seed import TEAM_ID
from slack_emulator import Message, SlackUser, SlackUserGroup
from tests.support import Clock

ALICE, BOB, CAROL, DAVE, ERIN = "U0ALICE01", "U0BOB0002", "U0CAROL03", "U0DAVE004", "U0ERIN005"
BOT, FORMER = "U0DEPLOY9", "U0FRANK06"
GENERAL = "C0GENERAL"
PLATFORM = "<!subteam^S0PLATFORM|@platform-team>"  # Alice, Carol, Dave, the bot, Frank
DESIGN = "<!subteam^S0DESIGNRS>"  # Bob and Erin, as Slack sometimes sends it: no handle


def credited(sessions: sessionmaker[Session]) -> list[tuple[str, str]]:
    with sessions() as session:
        query = select(Credit.helper_id, Credit.reason).order_by(Credit.id)
        return [(helper, reason or "") for helper, reason in session.execute(query)]


def thanks(sandbox: Sandbox, user: str, text: str) -> dict[str, str]:
    """The command's answer: empty, or the note for the giver alone; once celebrated."""
    delivery, _shown = sandbox.driver.slash_command(user, "/thanks", text, GENERAL)
    assert delivery.status == 200, delivery.body
    sandbox.settle()
    body: dict[str, str] = delivery.json()
    return body


def public(sandbox: Sandbox) -> list[Message]:
    return sandbox.emulator.messages(GENERAL, ephemeral=False)


def notes(sandbox: Sandbox, user: str) -> list[str]:
    return [
        m.text
        for m in sandbox.emulator.messages(GENERAL, ephemeral=True)
        if m.ephemeral_for == user
    ]


def test_each_person_the_rules_allow_is_thanked_and_the_others_named_privately(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sandbox.emulator.add_user(SlackUser(id="U0GUEST77", team_id="T0OTHER00", name="guest"))
    thanks(sandbox, ALICE, f"<@{DAVE}> for the deploy")
    for n in range(5):
        thanks(sandbox, ALICE, f"<@{CAROL}> for favour {n}")
    before = len(credited(sessions))

    answer = thanks(
        sandbox,
        ALICE,
        f"<@{BOB}> <@{ALICE}> <@{BOT}> <@{FORMER}> <@{DAVE}> <@{CAROL}> <@U0GUEST77> "
        "for the deploy",
    )

    assert answer["response_type"] == "ephemeral"  # the note below, to Alice alone
    headline = public(sandbox)[-1].text
    assert f"<@{BOB}>" in headline
    for other in (BOT, FORMER, DAVE, CAROL, "U0GUEST77"):
        assert f"<@{other}>" not in headline
    assert credited(sessions)[before:] == [(BOB, "for the deploy")]
    [note] = notes(sandbox, ALICE)
    assert (
        note
        == answer["text"]
        == (
            f"Not thanked: <@{ALICE}> (that's you), <@{BOT}> (a bot), <@{FORMER}> (no longer "
            f"active here), <@{DAVE}> (you already thanked them for that today), <@{CAROL}> "
            "(credited 5 times by you today, the most a day allows) and <@U0GUEST77> (not in this "
            "workspace). If they helped again, say what they did this time, or thank them tomorrow."
        )
    )


def test_a_person_already_thanked_does_not_keep_the_others_from_their_thanks(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    thanks(sandbox, ALICE, f"<@{DAVE}> for the deploy")
    answer = thanks(sandbox, ALICE, f"<@{DAVE}> <@{ERIN}> for the deploy")
    assert answer["response_type"] == "ephemeral"
    assert credited(sessions) == [(DAVE, "for the deploy"), (ERIN, "for the deploy")]
    assert "<@U0DAVE004> (you already thanked them for that today)" in notes(sandbox, ALICE)[0]
    assert public(sandbox)[-1].text.startswith(f":sparkles: <@{ERIN}> — thank you")
    # The note is the command's answer: nothing goes through its response_url.
    assert sandbox.emulator.calls_to("response_url") == []

    # Carol thanking herself and Erin: Erin is thanked.
    answer = thanks(sandbox, CAROL, f"<@{ERIN}> <@{CAROL}> for the review")
    assert answer["response_type"] == "ephemeral"
    assert credited(sessions)[-1] == (ERIN, "for the review")
    assert notes(sandbox, CAROL) == [f"Not thanked: <@{CAROL}> (that's you)."]


def test_nobody_thanked_is_one_private_answer_naming_each(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    answer = thanks(sandbox, ALICE, f"<@{BOT}> and <@{FORMER}> for the deploy")
    assert answer == {
        "response_type": "ephemeral",
        "text": f"Nobody was thanked: <@{BOT}> (a bot) and <@{FORMER}> (no longer active here).",
    }
    assert public(sandbox) == [] and credited(sessions) == []


def test_a_partial_thanks_delivered_twice_is_recorded_and_said_once(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    thanks(sandbox, ALICE, f"<@{DAVE}> for the deploy")
    text = f"<@{DAVE}> <@{ERIN}> for the deploy"
    payload = sandbox.driver.command_payload(ALICE, "/thanks", text, GENERAL)
    first = sandbox.driver.send_form(payload)
    second = sandbox.driver.send_form(payload)
    sandbox.settle()

    assert first.json()["text"].startswith(f"Not thanked: <@{DAVE}>")
    assert second.json()["response_type"] == "ephemeral"
    assert "already recorded" in second.json()["text"]
    assert credited(sessions) == [(DAVE, "for the deploy"), (ERIN, "for the deploy")]
    celebrated = public(sandbox)[-1].text
    assert f"<@{ERIN}>" in celebrated and f"<@{DAVE}>" not in celebrated
    assert len(public(sandbox)) == 2  # Dave's first thanks, then this one, once


def test_a_user_group_is_thanked_member_by_member_and_shown_as_the_group(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    answer = thanks(sandbox, ALICE, f"{PLATFORM} for the migration")

    assert answer == {}
    # Alice herself, the bot and the former colleague are left out, without a word.
    assert credited(sessions) == [(CAROL, "for the migration"), (DAVE, "for the migration")]
    [posted] = public(sandbox)
    assert posted.text.startswith(f":sparkles: {PLATFORM} — thank you from <@{ALICE}>!")
    assert notes(sandbox, ALICE) == []
    [lookup] = sandbox.emulator.calls_to("usergroups.users.list")
    assert lookup.args["usergroup"] == "S0PLATFORM"


def test_a_group_without_its_handle_and_a_person_in_it_named_too_are_thanked_once(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    answer = thanks(sandbox, ALICE, f"<@{BOB}> and {DESIGN}: for the mockups")
    assert answer == {}
    assert credited(sessions) == [(BOB, "for the mockups"), (ERIN, "for the mockups")]
    assert public(sandbox)[0].text.startswith(f":sparkles: <@{BOB}> and {DESIGN} — thank you")


def test_group_members_already_thanked_are_named_privately(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    thanks(sandbox, ALICE, f"<@{DAVE}> for the migration")
    answer = thanks(sandbox, ALICE, f"{PLATFORM} for the migration")
    assert answer["response_type"] == "ephemeral"
    assert credited(sessions)[-1] == (CAROL, "for the migration")
    assert notes(sandbox, ALICE)[0].startswith(
        f"Not thanked: <@{DAVE}> (you already thanked them for that today)."
    )
    # All of them thanked for it already: nobody is, and each is named.
    answer = thanks(sandbox, ALICE, f"{PLATFORM} for the migration")
    assert answer["response_type"] == "ephemeral"
    assert answer["text"].startswith(f"Nobody was thanked: <@{CAROL}> (you already thanked")


def test_groups_that_cannot_be_thanked_are_refused_with_what_to_do(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    sandbox.emulator.add_user_group(
        SlackUserGroup(id="S0ROBOTS1", handle="robots", users=[ALICE, BOT])
    )
    sandbox.emulator.add_user_group(
        SlackUserGroup(id="S0RETIRED", handle="old-team", users=[BOB], is_disabled=True)
    )
    with sessions.begin() as session:
        workspace = session.get(Workspace, TEAM_ID)
        assert workspace is not None and workspace.group_thanks_max == 25
        workspace.group_thanks_max = 4

    refusals = {
        PLATFORM: "@platform-team has 5 members; a team thanks goes to groups of up to 4.",
        "<!subteam^S0ROBOTS1|@robots>": "There's no one in @robots I can thank",
        "<!subteam^S0RETIRED|@old-team>": "I couldn't find the group @old-team",
        "<!subteam^S0NOSUCH1|@ghosts>": "I couldn't find the group @ghosts",
    }
    for group, refusal in refusals.items():
        answer = thanks(sandbox, ALICE, f"<@{BOB}> {group} for the launch")
        assert answer["response_type"] == "ephemeral"
        assert answer["text"].startswith(refusal)
        assert "\n" not in answer["text"]  # one line, no help attached
    assert credited(sessions) == [] and public(sandbox) == []

    sandbox.emulator.refuse("usergroups.users.list", "missing_scope")
    answer = thanks(sandbox, ALICE, f"{DESIGN} for the launch")
    assert "not allowed to read user groups" in answer["text"]
    assert credited(sessions) == []


def test_tags_left_out_and_punctuation_after_a_mention_are_handled_as_said(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    answer = thanks(sandbox, ALICE, f"<@{ERIN}>: for the cake #a #b #c #d #e #f #g")
    assert answer["response_type"] == "ephemeral"  # the note on the tags
    assert ": for" not in str(public(sandbox)[0].blocks)
    assert credited(sessions) == [(ERIN, "for the cake")]
    assert notes(sandbox, ALICE) == ["A thanks keeps up to 5 tags, so #f and #g were left out."]


def test_help_only_on_help_and_refusals_in_one_line(sandbox: Sandbox) -> None:
    help_answer = thanks(sandbox, ALICE, "help")
    assert help_answer["response_type"] == "ephemeral"
    assert "up to 10 people at once" in help_answer["text"]
    assert "@platform-team" in help_answer["text"]
    for text in ("", "for everything", "@bob for the review", f"<@{ALICE}> for being me"):
        answer = thanks(sandbox, ALICE, text)
        assert answer["response_type"] == "ephemeral"
        assert "up to 10 people" not in answer["text"]


def test_thanks_that_credit_everyone_send_nothing_beside_the_celebration(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    assert thanks(sandbox, ALICE, f"<@{BOB}> and <@{CAROL}> for the lunch #care") == {}
    assert sandbox.emulator.calls_to("response_url") == []
    assert [m.source for m in sandbox.emulator.messages(GENERAL)] == ["api"]
    assert notes(sandbox, ALICE) == []
    assert len(credited(sessions)) == 2


def test_a_team_thanks_delivered_twice_credits_each_member_once(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    payload = sandbox.driver.command_payload(
        ALICE, "/thanks", f"{PLATFORM} for the on-call", GENERAL
    )
    first = sandbox.driver.send_form(payload)
    second = sandbox.driver.send_form(payload)
    sandbox.settle()
    assert first.json() == {}
    [posted] = public(sandbox)
    assert PLATFORM in posted.text
    assert "already recorded" in second.json()["text"]
    assert credited(sessions) == [(CAROL, "for the on-call"), (DAVE, "for the on-call")]
