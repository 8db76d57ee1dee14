"""The message that celebrates a /thanks: posted by the bot after the command's answer, its
channel and ts kept; where the bot may not post, the command's response_url says it instead."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.models import Celebration, Credit
from bot.sandbox.harness import Sandbox
from bot.sandbox.seed import TEAM_ID
from slack_emulator import SlackChannel

ALICE, BOB, CAROL, DAVE = "U0ALICE01", "U0BOB0002", "U0CAROL03", "U0DAVE004"
GENERAL = "C0GENERAL"
PLATFORM = "<!subteam^S0PLATFORM|@platform-team>"  # Alice, Carol, Dave, a bot, a former member


def kept(sessions: sessionmaker[Session]) -> list[Celebration]:
    with sessions() as session:
        return list(session.scalars(select(Celebration).order_by(Celebration.created_at)))


def credits(sessions: sessionmaker[Session]) -> list[Credit]:
    with sessions() as session:
        return list(session.scalars(select(Credit).order_by(Credit.id)))


def test_the_bot_posts_the_thanks_after_answering_and_keeps_where(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    payload = sandbox.driver.command_payload(
        ALICE, "/thanks", f"<@{BOB}> {PLATFORM} for the migration #care", GENERAL
    )
    delivery = sandbox.driver.send_form(payload)
    sandbox.settle()

    assert (delivery.status, delivery.body) == (200, "")  # an empty answer: nothing shown
    [call] = sandbox.emulator.calls_to("chat.postMessage")
    assert call.ok and call.args["channel"] == GENERAL
    [posted] = sandbox.emulator.messages(GENERAL)
    assert (posted.source, posted.user, posted.ephemeral_for) == ("api", "U0GOODWILL", None)
    assert posted.text.startswith(
        f":sparkles: <@{BOB}> and {PLATFORM} — thank you from <@{ALICE}>!"
    )
    assert "#care" in str(posted.blocks)
    [celebration] = kept(sessions)
    assert (celebration.channel_id, celebration.ts) == (GENERAL, posted.ts)
    assert celebration.thanks_key == f"thanks:{TEAM_ID}:{payload['trigger_id']}"
    assert (celebration.thanker_id, celebration.layout) == (ALICE, "thanks")
    assert celebration.named == [BOB]
    assert celebration.groups == [
        {"id": "S0PLATFORM", "handle": "platform-team", "members": [CAROL, DAVE]}
    ]
    # Found from any of its credits, without a word in them about it.
    assert {c.source_key.rpartition(":")[0] for c in credits(sessions)} == {celebration.thanks_key}


def test_a_retried_command_posts_and_keeps_nothing_twice(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    payload = sandbox.driver.command_payload(ALICE, "/thanks", f"<@{BOB}> for the fix", GENERAL)
    answers = [sandbox.driver.send_form(payload).json() for _ in range(3)]
    sandbox.settle()

    assert answers[0] == {} and all("already recorded" in a["text"] for a in answers[1:])
    assert len(sandbox.emulator.calls_to("chat.postMessage")) == 1
    assert len(sandbox.emulator.messages(GENERAL, ephemeral=False)) == 1
    assert len(kept(sessions)) == 1 and len(credits(sessions)) == 1


def _private_channel(sandbox: Sandbox) -> str:
    channel = SlackChannel("C0SECRET1", "secret", is_private=True, members={ALICE, BOB})
    sandbox.emulator.add_channel(channel)
    return channel.id


def _direct_message(sandbox: Sandbox) -> str:
    channel = SlackChannel("D0ALICEBOB", "D0ALICEBOB", is_im=True, members={ALICE, BOB})
    sandbox.emulator.add_channel(channel)
    return channel.id


@pytest.mark.parametrize(
    "where", [_private_channel, _direct_message], ids=["private channel", "direct message"]
)
def test_where_the_bot_may_not_post_the_commands_response_url_celebrates(
    sandbox: Sandbox, sessions: sessionmaker[Session], where: Callable[[Sandbox], str]
) -> None:
    channel = where(sandbox)

    delivery, shown = sandbox.driver.slash_command(ALICE, "/thanks", f"<@{BOB}> for it", channel)
    sandbox.settle()

    assert delivery.json() == {} and shown is None
    [refused] = sandbox.emulator.calls_to("chat.postMessage")
    assert refused.error == "channel_not_found"
    [posted] = sandbox.emulator.messages(channel)
    assert (posted.source, posted.ephemeral_for) == ("response_url", None)  # in_channel
    assert posted.text.startswith(f":sparkles: <@{BOB}> — thank you from <@{ALICE}>!")
    assert kept(sessions) == []  # nothing the bot could edit
    [credit] = credits(sessions)
    assert credit.response_url is not None and credit.channel_id == channel


def test_any_refusal_of_the_post_falls_back_to_the_commands_response_url(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sandbox.emulator.refuse("chat.postMessage", "restricted_action")

    sandbox.driver.slash_command(ALICE, "/thanks", f"<@{BOB}> and <@{CAROL}> for it", GENERAL)
    sandbox.settle()

    [posted] = sandbox.emulator.messages(GENERAL)
    assert (posted.source, posted.ephemeral_for) == ("response_url", None)
    assert f"<@{BOB}> and <@{CAROL}>" in posted.text
    assert kept(sessions) == [] and len(credits(sessions)) == 2


def test_the_note_on_who_was_not_thanked_is_the_answer_and_the_thanks_follow(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    delivery, shown = sandbox.driver.slash_command(
        ALICE, "/thanks", f"<@{BOB}> <@{ALICE}> for the review", GENERAL
    )
    sandbox.settle()

    assert delivery.json() == {
        "response_type": "ephemeral",
        "text": f"Not thanked: <@{ALICE}> (that's you).",
    }
    assert shown is not None and shown.ephemeral_for == ALICE
    assert sandbox.emulator.calls_to("response_url") == []  # nothing more said beside it
    [posted] = sandbox.emulator.messages(GENERAL, ephemeral=False)
    assert posted.source == "api" and f"<@{ALICE}> —" not in posted.text
    [celebration] = kept(sessions)
    assert celebration.named == [BOB]
