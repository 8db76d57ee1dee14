"""`/favor settings` and the admins' Edit settings: the modal, its validation (each problem
under its field, nothing saved), a new digest channel proven by an announcement, and the
Home showing the new settings at once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import InvalidSettingsError
from bot.favours.parsing import FavorSettings, FavorUsage, parse_favor
from bot.models import Member, Workspace
from bot.sandbox.harness import Sandbox
from bot.settings.workspace import WorkspaceForm, check_workspace_form
from bot.slack.ids import FAVOR_COMMAND, HOME_WORKSPACE_SETTINGS, SETTINGS_MODAL
from slack_emulator import SlackChannel
from tests.home_tab import ALICE, BOB, TEAM, home, home_click, shown_home, text_of
from tests.support import answerless, out_of_reach

GENERAL, RANDOM = "C0GENERAL", "C0RANDOM1"


def workspace(sessions: sessionmaker[Session]) -> dict[str, Any]:
    with sessions() as session:
        row = session.get(Workspace, TEAM)
        assert row is not None
        return {
            name: getattr(row, name)
            for name in (
                "digest_channel_id",
                "digest_weekday",
                "digest_hour",
                "timezone",
                "quiet_mentions",
                "credit_emoji",
                "pair_daily_cap",
                "group_thanks_max",
                "half_life_days",
                "nudge_pair_min_weight",
                "nudge_ask_too_min_people",
                "nudge_give_back_min_people",
                "prompt_weekday",
                "prompt_hour",
                "ask_expiry_days",
            )
        }


def opt_outs(sessions: sessionmaker[Session], user_id: str) -> tuple[bool, ...]:
    with sessions() as session:
        m = session.get(Member, (TEAM, user_id))
        assert m is not None
        return (
            m.nudges_opt_out,
            m.prompts_opt_out,
            m.digest_mentions_opt_out,
            m.reaction_confirmations_off,
        )


def open_settings(sandbox: Sandbox, user_id: str) -> dict[str, Any]:
    """Type `/favor settings`; return the modal it opened."""
    delivery, shown = sandbox.driver.slash_command(user_id, FAVOR_COMMAND, "settings", GENERAL)
    assert delivery.status == 200, delivery.body
    assert shown is None  # the command's own answer is empty: the modal is the answer
    [modal] = sandbox.emulator.open_views.values()
    assert modal["callback_id"] == SETTINGS_MODAL
    assert sandbox.emulator.view_owner(modal["id"]) == user_id
    return modal


def state_of(modal: dict[str, Any], **changes: Any) -> dict[str, dict[str, Any]]:
    """What Slack submits for the modal when the person changed only `changes` (by block id:
    a list of ticked values, a channel, an option value, or text)."""
    state: dict[str, dict[str, Any]] = {}
    for block in modal["blocks"]:
        if block["type"] != "input":
            continue
        element, block_id = block["element"], block["block_id"]
        kind = element["type"]
        changed = block_id in changes
        wanted = changes.get(block_id)
        if kind == "checkboxes":
            initial = [o["value"] for o in element.get("initial_options", [])]
            ticked = wanted if changed else initial
            options = [o for o in element["options"] if o["value"] in ticked]
            answer: dict[str, Any] = {"selected_options": options}
        elif kind == "conversations_select":
            answer = {
                "selected_conversation": wanted if changed else element.get("initial_conversation")
            }
        elif kind == "static_select":
            initial = element.get("initial_option")
            if changed:
                initial = {"text": {"type": "plain_text", "text": "?"}, "value": wanted}
            answer = {"selected_option": initial}
        else:
            answer = {"value": wanted if changed else element.get("initial_value")}
        state[block_id] = {element["action_id"]: {"type": kind, **answer}}
    return state


def submit(sandbox: Sandbox, user_id: str, modal: dict[str, Any], **changes: Any) -> Any:
    delivery = sandbox.driver.submit_view(user_id, modal, state_of(modal, **changes))
    assert delivery.status == 200, delivery.body
    return delivery.json()


DEFAULTS = {
    "digest_channel_id": None,
    "digest_weekday": 0,
    "digest_hour": 9,
    "timezone": "UTC",
    "quiet_mentions": False,
    "credit_emoji": ["pray", "raised_hands", "thankyou"],
    "pair_daily_cap": 5,
    "group_thanks_max": 25,
    "half_life_days": 60,
    "nudge_pair_min_weight": 3,
    "nudge_ask_too_min_people": 4,
    "nudge_give_back_min_people": 4,
    "prompt_weekday": 4,
    "prompt_hour": 15,
    "ask_expiry_days": 14,
}


# Parsing


def test_favor_settings_parses_and_takes_nothing_after_it() -> None:
    assert parse_favor("settings") == FavorSettings()
    assert parse_favor("  SETTINGS ") == FavorSettings()
    assert parse_favor("settings please") == FavorUsage("`/favor settings` takes nothing after it.")


# A member's own settings


def test_a_member_gets_their_own_settings_and_nothing_else(sandbox: Sandbox) -> None:
    modal = open_settings(sandbox, BOB)

    block_ids = [block.get("block_id") for block in modal["blocks"]]
    assert block_ids == ["personal"]
    [personal] = modal["blocks"]
    ticked = [o["value"] for o in personal["element"]["initial_options"]]
    assert ticked == [
        "nudges",
        "prompts",
        "digest_mentions",
        "reaction_confirmations",
        "suggestions",
    ]
    [call] = sandbox.emulator.calls_to("views.open")
    assert call.args["trigger_id"]


def test_unticking_settings_saves_them_and_the_home_shows_them(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    modal = open_settings(sandbox, BOB)

    answer = submit(sandbox, BOB, modal, personal=["digest_mentions", "reaction_confirmations"])

    assert answer == {}  # the modal closes
    assert opt_outs(sessions, BOB) == (True, True, False, False)
    buttons = text_of(home(sandbox, BOB))
    assert "*Private nudges*: Off" in buttons
    assert "*Reaction confirmations*: On" in buttons
    assert "*Suggest me as a helper*: Off" in buttons
    # Opening it again shows what was saved.
    sandbox.emulator.reset()
    again = open_settings(sandbox, BOB)
    ticked = [o["value"] for o in again["blocks"][0]["element"]["initial_options"]]
    assert ticked == ["digest_mentions", "reaction_confirmations"]


def test_nothing_ticked_turns_everything_off(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    modal = open_settings(sandbox, BOB)
    assert submit(sandbox, BOB, modal, personal=[]) == {}
    assert opt_outs(sessions, BOB) == (True, True, True, True)

    sandbox.emulator.reset()
    again = open_settings(sandbox, BOB)
    assert "initial_options" not in again["blocks"][0]["element"]


def test_a_form_that_is_not_ours_saves_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    modal = open_settings(sandbox, BOB)
    for metadata in ("", "{", '{"parts": []}', '{"parts": ["personal", "admin"]}', "[1]"):
        forged = {**modal, "private_metadata": metadata}
        answer = submit(sandbox, BOB, forged, personal=[])
        assert answer["response_action"] == "update"
        assert "This form has expired" in str(answer["view"])
    assert opt_outs(sessions, BOB) == (False, False, False, False)


def test_settings_cannot_open_without_a_valid_trigger(sandbox: Sandbox) -> None:
    payload = sandbox.driver.command_payload(BOB, FAVOR_COMMAND, "settings", GENERAL)
    payload["trigger_id"] = "12345.98765.notatrigger"

    delivery = sandbox.driver.send_form(payload)

    assert delivery.status == 200
    assert "I couldn't open your settings just now" in delivery.json()["text"]
    assert sandbox.emulator.open_views == {}


# The workspace's settings


def test_admins_get_both_parts(sandbox: Sandbox) -> None:
    modal = open_settings(sandbox, ALICE)

    block_ids = [block.get("block_id") for block in modal["blocks"] if block["type"] == "input"]
    assert block_ids == [
        "personal",
        "digest_channel",
        "digest_weekday",
        "digest_hour",
        "timezone",
        "quiet_mentions",
        "credit_emoji",
        "pair_daily_cap",
        "group_thanks_max",
        "half_life_days",
        "nudge_pair_min_weight",
        "nudge_ask_too_min_people",
        "nudge_give_back_min_people",
        "ask_expiry_days",
        "prompt_weekday",
        "prompt_hour",
        "search_language",
    ]


def test_an_admin_saves_the_workspace_settings_and_the_new_channel_is_told(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    shown_home(sandbox, ALICE)
    modal = open_settings(sandbox, ALICE)

    answer = submit(
        sandbox,
        ALICE,
        modal,
        digest_channel=RANDOM,
        digest_weekday="4",
        digest_hour="17",
        timezone="europe/oslo",
        quiet_mentions=["quiet"],
        credit_emoji=":tada:, pray raised_hands::skin-tone-2,,TADA",
        pair_daily_cap="3",
        group_thanks_max="40",
        half_life_days="30",
        nudge_pair_min_weight="5",
        nudge_ask_too_min_people="6",
        nudge_give_back_min_people="7",
        prompt_weekday="2",
        prompt_hour="11",
        ask_expiry_days="21",
    )

    assert answer == {}
    assert workspace(sessions) == {
        "digest_channel_id": RANDOM,
        "digest_weekday": 4,
        "digest_hour": 17,
        "timezone": "Europe/Oslo",
        "quiet_mentions": True,
        "credit_emoji": ["tada", "pray", "raised_hands"],
        "pair_daily_cap": 3,
        "group_thanks_max": 40,
        "half_life_days": 30,
        "nudge_pair_min_weight": 5,
        "nudge_ask_too_min_people": 6,
        "nudge_give_back_min_people": 7,
        "prompt_weekday": 2,
        "prompt_hour": 11,
        "ask_expiry_days": 21,
    }
    [announcement] = sandbox.emulator.messages(RANDOM)
    assert "weekly digest of thanks and favours here, Fridays at 17:00 (Europe/Oslo)" in (
        announcement.text
    )
    text = text_of(home(sandbox, ALICE))
    assert "*Weekly digest*: <#C0RANDOM1>, Fridays at 17:00 (Europe/Oslo)" in text
    assert "*Credit emoji*: :tada: :pray: :raised_hands:" in text

    # Saving again with the same channel says nothing more there.
    sandbox.emulator.reset()
    assert submit(sandbox, ALICE, open_settings(sandbox, ALICE)) == {}
    assert sandbox.emulator.messages(RANDOM) == []


def test_every_problem_shows_under_its_field_and_nothing_is_saved(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    modal = open_settings(sandbox, ALICE)

    answer = submit(
        sandbox,
        ALICE,
        modal,
        personal=[],
        digest_channel=RANDOM,
        digest_weekday="9",
        digest_hour=None,
        timezone="Mars/Olympus_Mons",
        credit_emoji="pray, <b>bold</b>",
        pair_daily_cap="0",
        group_thanks_max="501",
        half_life_days="1.5",
        nudge_pair_min_weight="",
        nudge_ask_too_min_people="-1",
        nudge_give_back_min_people="\uff11\uff12",  # full-width digits
        prompt_weekday="x",
        prompt_hour="24",
        ask_expiry_days="0",
    )

    assert answer["response_action"] == "errors"
    errors = answer["errors"]
    assert set(errors) == {
        "digest_weekday",
        "digest_hour",
        "timezone",
        "credit_emoji",
        "pair_daily_cap",
        "group_thanks_max",
        "half_life_days",
        "nudge_pair_min_weight",
        "nudge_ask_too_min_people",
        "nudge_give_back_min_people",
        "prompt_weekday",
        "prompt_hour",
        "ask_expiry_days",
    }
    assert errors["timezone"].startswith("Type a time zone name such as Europe/Oslo")
    assert errors["pair_daily_cap"] == "Type a whole number from 1 to 50."
    assert "isn't an emoji name" in errors["credit_emoji"]
    assert workspace(sessions) == DEFAULTS
    assert opt_outs(sessions, ALICE) == (False, False, False, False)
    assert sandbox.emulator.messages(RANDOM) == []  # no announcement for a form refused


def test_a_channel_goodwill_cannot_post_in_is_refused_with_what_to_do(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sandbox.emulator.add_channel(
        SlackChannel(id="C0SECRET7", name="secret", is_private=True, members={ALICE, BOB})
    )
    modal = open_settings(sandbox, ALICE)

    answer = submit(sandbox, ALICE, modal, digest_channel="C0SECRET7", personal=[], timezone="UTC")

    assert answer == {
        "response_action": "errors",
        "errors": {
            "digest_channel": "I can't post in that channel. Invite me there first with "
            "/invite @Goodwill, or pick a public channel."
        },
    }
    assert workspace(sessions) == DEFAULTS
    assert opt_outs(sessions, ALICE) == (False, False, False, False)


def test_an_announcement_slack_cannot_be_reached_for_saves_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    modal = open_settings(sandbox, ALICE)
    out_of_reach(sandbox.app)

    answer = submit(sandbox, ALICE, modal, digest_channel=RANDOM, personal=[], timezone="UTC")

    assert answer == {
        "response_action": "errors",
        "errors": {
            "digest_channel": "I couldn't post in that channel just now. "
            "Please try again in a minute."
        },
    }
    assert workspace(sessions) == DEFAULTS


def test_an_announcement_whose_answer_is_lost_keeps_the_channel(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    modal = open_settings(sandbox, ALICE)
    with answerless(sandbox.app) as slack:
        answer = submit(sandbox, ALICE, modal, digest_channel=RANDOM, personal=[], timezone="UTC")

    assert answer == {}
    assert workspace(sessions)["digest_channel_id"] == RANDOM
    # Announced once; then the Home's redraw (the member's channels read first), which may be
    # repeated.
    redraw = {"users.conversations", "views.publish"}
    assert [method for method in slack.methods if method not in redraw] == ["chat.postMessage"]


def test_clearing_the_channel_stops_the_digest(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        row = session.get(Workspace, TEAM)
        assert row is not None
        row.digest_channel_id = GENERAL
    modal = open_settings(sandbox, ALICE)
    [channel] = [b for b in modal["blocks"] if b.get("block_id") == "digest_channel"]
    assert channel["element"]["initial_conversation"] == GENERAL

    assert submit(sandbox, ALICE, modal, digest_channel=None) == {}

    assert workspace(sessions)["digest_channel_id"] is None
    assert sandbox.emulator.calls_to("chat.postMessage") == []


def test_an_admin_demoted_meanwhile_cannot_save_the_workspace_part(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    modal = open_settings(sandbox, ALICE)
    with sessions.begin() as session:
        alice = session.get(Member, (TEAM, ALICE))
        assert alice is not None
        alice.is_admin = False

    answer = submit(sandbox, ALICE, modal, personal=[], digest_hour="3")

    assert answer["response_action"] == "errors"
    assert answer["errors"] == {
        "digest_channel": "Only workspace admins and owners can change the workspace's "
        "settings. Your own settings are on your Goodwill Home."
    }
    assert workspace(sessions) == DEFAULTS
    assert opt_outs(sessions, ALICE) == (False, False, False, False)


def test_the_homes_edit_settings_changes_only_the_workspace(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    shown_home(sandbox, ALICE)
    home_click(sandbox, ALICE, HOME_WORKSPACE_SETTINGS)
    [modal] = sandbox.emulator.open_views.values()

    assert submit(sandbox, ALICE, modal, half_life_days="90") == {}

    assert workspace(sessions) == {**DEFAULTS, "half_life_days": 90}
    assert opt_outs(sessions, ALICE) == (False, False, False, False)
    assert "*Balances*: help counts half after 90 days" in text_of(home(sandbox, ALICE))


# The checks themselves


def form(**answers: str | None) -> WorkspaceForm:
    base: dict[str, str | None] = {
        "digest_weekday": "0",
        "digest_hour": "9",
        "timezone": "UTC",
        "credit_emoji": "pray",
        "pair_daily_cap": "5",
        "group_thanks_max": "25",
        "half_life_days": "60",
        "nudge_pair_min_weight": "3",
        "nudge_ask_too_min_people": "4",
        "nudge_give_back_min_people": "4",
        "prompt_weekday": "4",
        "prompt_hour": "15",
        "ask_expiry_days": "14",
        "search_language": "4",  # english
    }
    return WorkspaceForm(digest_channel_id=None, quiet_mentions=False, answers=base | answers)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("pray", ("pray",)),
        (":+1:, -1 t-rex", ("+1", "-1", "t-rex")),
        ("Thankyou\n:PRAY:", ("thankyou", "pray")),
        ("pray, pray,pray", ("pray",)),
    ],
)
def test_credit_emoji_are_read_as_slack_names(typed: str, kept: tuple[str, ...]) -> None:
    assert check_workspace_form(form(credit_emoji=typed)).credit_emoji == kept


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", "Type at least one emoji name"),
        (" , ::", "Type at least one emoji name"),
        ("smile!", "isn't an emoji name"),
        ("a" * 101, "isn't an emoji name"),
        (",".join(f"e{n}" for n in range(11)), "Up to 10 emoji"),
    ],
)
def test_credit_emoji_that_cannot_be_names_are_refused(typed: str, problem: str) -> None:
    with pytest.raises(InvalidSettingsError) as refused:
        check_workspace_form(form(credit_emoji=typed))
    assert problem in refused.value.problems["credit_emoji"]


@pytest.mark.parametrize(
    ("typed", "zone"),
    [("Europe/Oslo", "Europe/Oslo"), ("  america/new_york ", "America/New_York"), ("UTC", "UTC")],
)
def test_time_zones_are_checked_with_zoneinfo(typed: str, zone: str) -> None:
    assert check_workspace_form(form(timezone=typed)).timezone == zone


@pytest.mark.parametrize("typed", ["", "Nowhere/Special", "../../etc/passwd", "/etc/localtime"])
def test_unknown_time_zones_are_refused(typed: str) -> None:
    with pytest.raises(InvalidSettingsError) as refused:
        check_workspace_form(form(timezone=typed))
    assert set(refused.value.problems) == {"timezone"}


def test_settings_slack_cannot_be_reached_for_get_a_plain_answer(sandbox: Sandbox) -> None:
    out_of_reach(sandbox.app)

    delivery, _ = sandbox.driver.slash_command(BOB, FAVOR_COMMAND, "settings", GENERAL)

    assert delivery.status == 200
    assert "I couldn't open your settings just now" in delivery.json()["text"]
    assert sandbox.emulator.open_views == {}


def test_the_homes_edit_settings_with_slack_out_of_reach_answers_the_click(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    shown_home(sandbox, ALICE)
    out_of_reach(sandbox.app)

    delivery = home_click(sandbox, ALICE, HOME_WORKSPACE_SETTINGS)

    assert delivery.status == 200, delivery.body  # the Home's notice cannot reach Slack either
    assert sandbox.emulator.open_views == {}
    assert workspace(sessions) == DEFAULTS
