"""The sandbox shell's gestures: writing, reacting, clicking, the shortcut and its form, the
Home tab. Each is delivered to the real app as Slack delivers it, and the ledger follows."""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.models import Credit, FavorResponse, Member
from bot.sandbox.forms import form_state
from bot.sandbox.harness import Sandbox
from bot.sandbox.repl import run_shell
from slack_emulator import SlackChannel

TEAM = "T0SANDBOX"
ALICE, BOB, CAROL = "U0ALICE01", "U0BOB0002", "U0CAROL03"


def play(sandbox: Sandbox, *lines: str) -> str:
    out = io.StringIO()
    run_shell(sandbox, io.StringIO("\n".join(lines)), out, echo=True)
    return out.getvalue()


def credits(sessions: sessionmaker[Session]) -> list[Credit]:
    with sessions() as session:
        return list(session.scalars(select(Credit).order_by(Credit.id)))


def test_a_reaction_to_what_someone_wrote_thanks_them_until_it_comes_off(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    text = play(
        sandbox,
        "alice: say The rollback runbook is in the wiki, @bob",
        "bob: react :pray:",
        "bob: react raised_hands::skin-tone-3",
        "bob: unreact :pray:",
    )
    assert "#general  alice:\n  The rollback runbook is in the wiki, @bob" in text
    assert "(@bob reacts with :pray: on @alice's message: “The rollback runbook" in text
    assert text.count("You thanked @alice for their message.") == 1
    assert "(@bob takes off :pray:" in text
    [credit] = credits(sessions)
    assert (credit.kind, credit.helper_id, credit.helped_id) == ("reaction", ALICE, BOB)
    assert credit.retracted_at is None  # the raised hands still thank her

    play(
        sandbox,
        "bob: react :pray:",
        "bob: unreact :raised_hands::skin-tone-3:",
        "bob: unreact :pray:",
    )
    [credit] = credits(sessions)
    assert credit.retracted_at is not None


def test_the_shortcut_opens_its_form_and_submit_sends_it(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    text = play(
        sandbox,
        "dave: say Fixed the flaky test",
        "carol in #general: thank for this",
        "carol: submit for chasing the flaky test down",
    )
    assert "(@carol uses *Thank for this* on @dave's message)" in text
    assert "[ Thank for this ]" in text and "Who are you thanking?: [@dave v]" in text
    assert "(`carol: submit WORDS` sends it, `carol: cancel` closes it)" in text
    assert "@dave — thank you from @carol!" in text
    assert "(the form closes)" in text
    [credit] = credits(sessions)
    assert (credit.kind, credit.reason) == ("thanks", "for chasing the flaky test down")
    assert sandbox.emulator.open_views == {}


def test_a_form_that_refuses_says_why_and_stays_open_until_cancelled(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    text = play(
        sandbox,
        "dave: say Fixed the flaky test",
        "carol: thank for this",
        "carol: submit " + "x" * 1001,
    )
    assert "(the form says: Your reason is 1,001 characters; the limit is 1,000." in text
    assert len(sandbox.emulator.open_views) == 1
    text = play(sandbox, "carol: cancel", "carol: submit anything")
    assert "(the form closes; nothing was sent)" in text
    assert "@carol has no form open." in text
    assert sandbox.emulator.open_views == {}
    assert credits(sessions) == []


def test_clicks_carry_an_ask_from_the_channel_to_done(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    text = play(
        sandbox,
        "bob: /favor ask a second pair of eyes on the migration",
        "carol: click i can",
        "alice: click done",  # the DM with Done is Bob's, not hers
        "bob: click Done",
        "bob: submit",
    )
    assert "(@carol clicks [I can help])" in text
    assert "@alice sees no button labelled 'done'." in text
    assert "(@bob clicks [Done…])" in text
    assert "@bob asked for a hand and @carol helped." in text
    [credit] = credits(sessions)
    assert (credit.kind, credit.helper_id, credit.helped_id) == ("favor", CAROL, BOB)


def test_the_home_tab_shows_and_its_buttons_work(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    text = play(sandbox, "alice: /thanks @bob for the review", "bob: home")
    assert "(@bob's Home tab)\n[ Home ]" in text
    assert "@alice thanked you: for the review" in text

    text = play(sandbox, "bob: click turn off")
    assert "(@bob clicks [Turn off] in their Home tab)" in text
    assert "[Turn on]" in text  # the Home shown again, as it changed
    with sessions() as session:
        bob = session.get(Member, (TEAM, BOB))
        assert bob is not None and bob.nudges_opt_out


def test_leaving_a_channel_takes_its_asks_off_the_home_and_joining_brings_them_back(
    sandbox: Sandbox,
) -> None:
    members = {ALICE, BOB, CAROL, sandbox.emulator.bot_user_id}
    launch = SlackChannel("G0LAUNCH1", "launch", is_private=True, members=members)
    sandbox.emulator.add_channel(launch)
    text = play(sandbox, "bob in #launch: /favor ask a hand with the launch budget", "carol: home")
    assert "a hand with the launch budget" in text.split("(@carol's Home tab)")[1]

    text = play(sandbox, "carol in #launch: leave", "carol: home")
    assert "(@carol leaves #launch)" in text
    assert "launch budget" not in text.split("(@carol's Home tab)")[1]

    text = play(sandbox, "carol in #launch: leave", "carol in #launch: join", "carol: home")
    assert "(@carol is not in #launch)" in text and "(@carol joins #launch)" in text
    assert "launch budget" in text.split("(@carol's Home tab)")[1]


def test_leaving_a_channel_the_app_is_not_in_says_when_the_home_catches_up(
    sandbox: Sandbox,
) -> None:
    text = play(sandbox, "carol in #random: leave")
    assert "(@carol leaves #random)" in text
    assert "Goodwill is not in #random, so Slack does not tell it" in text
    assert CAROL not in sandbox.emulator.channel_by_name("random").members  # type: ignore[union-attr]


def test_archiving_a_channel_takes_its_asks_off_the_home_and_its_posts_are_refused(
    sandbox: Sandbox,
) -> None:
    text = play(sandbox, "bob in #random: /favor ask a lift to the offsite", "carol: home")
    assert "a lift to the offsite" in text.split("(@carol's Home tab)")[1]

    text = play(sandbox, "alice in #random: archive", "alice in #random: archive", "carol: home")
    assert "(@alice archives #random)" in text and "(#random is already archived)" in text
    assert "offsite" not in text.split("(@carol's Home tab)")[1]
    text = play(sandbox, "bob in #random: /favor ask a hand with the move", "bob in #random: hi")
    assert text.count("#random is archived: Slack lets no one write") == 2
    assert "a hand with the move" not in [m.text for m in sandbox.emulator.messages("C0RANDOM1")]

    text = play(sandbox, "alice in #random: unarchive", "carol: home")
    assert "(@alice unarchives #random)" in text
    assert "offsite" in text.split("(@carol's Home tab)")[1]

    text = play(sandbox, "alice in #general: archive", "bob in #general: say still here")
    assert "(Slack lets no one archive #general: everyone in the workspace is in it)" in text
    assert "still here" in [m.text for m in sandbox.emulator.messages("C0GENERAL")]


def test_a_button_with_a_confirm_dialog_shows_slacks_question_first(sandbox: Sandbox) -> None:
    text = play(sandbox, "bob in #random: /favor ask a lift to the offsite", "bob: click Withdraw")
    asked = '(Slack asks first, "Withdraw this ask?" Only the person who posted it can withdraw'
    assert asked in text and "it. @bob answers [Withdraw])" in text
    assert text.index(asked) < text.index("@bob has closed this ask")
    text = play(sandbox, "bob in #random: /favor ask a hand", "carol: click I can help")
    assert "(@carol clicks [I can help])" in text and "Slack asks first" not in text


def test_what_the_shell_cannot_do_it_says_and_nothing_is_recorded(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    text = play(
        sandbox,
        "alice: react :pray:",
        "alice: thank for this",
        "alice: say hello all",
        "alice: react :pray:",  # her own message is the only one
        "bob: unreact :pray:",
        "bob: react :not an emoji:",
        "bob: click",
        "bob: click nothing like it",
        "bob: submit",
        "bob: cancel",
        "bob: say",
        "bob: dance",
        "frank: say I'm back",
        "deploybot: /thanks @bob for the build",
        "deploybot: say build 42 is green",
        "carol: react :pray:",  # a bot's message: no one to credit
    )
    assert text.count("No one else has written in #general yet") == 2
    assert "Nothing to thank for in #general yet" in text
    assert "@bob has no :pray: on a message in #general." in text
    assert "Name one emoji, for example `bob: react :pray:`." in text
    assert "Click what?" in text
    assert "@bob sees no button labelled 'nothing like it'." in text
    assert text.count("@bob has no form open.") == 2
    assert "Say what?" in text
    assert "I didn't follow 'dance'." in text
    assert "@frank's account is deactivated" in text
    assert "@deploybot is a bot: it can `say` things" in text
    assert "#general  Deploy Bot:\n  build 42 is green" in text
    assert "(@carol reacts with :pray: on @deploybot's message" in text
    assert credits(sessions) == []


def test_form_state_sends_what_the_form_opened_with_and_fills_the_first_empty_box() -> None:
    option = {"text": {"type": "plain_text", "text": "Public"}, "value": "public"}
    view: dict[str, Any] = {
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "intro"}},
            _input("who", {"type": "users_select", "initial_user": BOB}),
            _input("title", {"type": "plain_text_input", "initial_value": "kept"}),
            _input("reason", {"type": "plain_text_input"}),
            _input("tags", {"type": "plain_text_input"}),
            _input("seen", {"type": "radio_buttons", "initial_option": option}),
            _input("days", {"type": "checkboxes"}),
            _input("when", {"type": "datepicker", "initial_date": "2026-12-01"}),
        ]
    }
    state = form_state(view, "for the help")
    assert state == {
        "who": {"who": {"type": "users_select", "selected_user": BOB}},
        "title": {"title": {"type": "plain_text_input", "value": "kept"}},
        "reason": {"reason": {"type": "plain_text_input", "value": "for the help"}},
        "tags": {"tags": {"type": "plain_text_input", "value": None}},
        "seen": {"seen": {"type": "radio_buttons", "selected_option": option}},
        "days": {"days": {"type": "checkboxes", "selected_options": []}},
        "when": {"when": {"type": "datepicker", "selected_date": "2026-12-01"}},
    }
    assert form_state(view)["reason"]["reason"]["value"] is None


def _input(block_id: str, element: dict[str, Any]) -> dict[str, Any]:
    label = {"type": "plain_text", "text": block_id}
    return {
        "type": "input",
        "block_id": block_id,
        "label": label,
        "element": {**element, "action_id": block_id},
    }


def test_a_click_goes_to_the_home_while_the_person_looks_at_it(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    text = play(
        sandbox,
        "bob: /favor ask a review of the billing migration",
        "carol: /favor ask a lift to the offsite",
        "alice: home",
        "alice: click i can help",  # the newest one on her Home: Carol's
        "dave: home",
        "dave: say on my way",
        "dave: click i can help",  # he looked away: the newest message with the button
    )
    assert "*Asks and offers in your channels*" in text
    assert "(@alice clicks [I can help] in their Home tab)" in text
    assert ":white_check_mark: Thank you! I've let @carol know you can help" in text
    assert "(@dave clicks [I can help])\n" in text
    with sessions() as session:
        answers = {(r.user_id, r.request_id) for r in session.scalars(select(FavorResponse))}
    assert len(answers) == 2
