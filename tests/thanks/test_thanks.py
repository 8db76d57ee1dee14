"""`/thanks` end to end: signed slash commands into the real app, answers shown by the emulator.

The command's answer is empty, or the giver's private note; the public message follows it,
posted by the bot (tests/thanks/test_celebrations.py), and `thanks` waits for it."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.models import Credit, Member
from bot.sandbox.harness import Sandbox
from bot.thanks.parsing import WORD_JOINER
from slack_emulator import Message, SlackUser
from tests.support import Clock, out_of_reach, send_forms_at_once

ALICE, BOB, CAROL, DAVE = "U0ALICE01", "U0BOB0002", "U0CAROL03", "U0DAVE004"
BOT, FORMER = "U0DEPLOY9", "U0FRANK06"
GENERAL = "C0GENERAL"


def credits(sessions: sessionmaker[Session]) -> list[Credit]:
    with sessions() as session:
        return list(session.scalars(select(Credit).order_by(Credit.id)))


def thanks(sandbox: Sandbox, user: str, text: str, channel: str = GENERAL) -> dict[str, object]:
    """The command's answer (empty when it is only the thanks), once they are celebrated."""
    delivery, shown = sandbox.driver.slash_command(user, "/thanks", text, channel)
    assert delivery.status == 200, delivery.body
    body: dict[str, object] = delivery.json()
    assert (shown is None) == (body == {})
    sandbox.settle()
    return body


def celebrations(sandbox: Sandbox, channel: str = GENERAL) -> list[Message]:
    """What the bot posted in `channel` with chat.postMessage."""
    return [m for m in sandbox.emulator.messages(channel) if m.source == "api"]


def test_thanks_credits_each_person_and_posts_one_public_message(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    answer = thanks(
        sandbox, ALICE, f"<@{BOB}|bob> and <@{CAROL}> for the review #Teamwork #quality"
    )

    assert answer == {}  # the thanks are the bot's own message
    [posted] = sandbox.emulator.messages(GENERAL)
    assert posted.ephemeral_for is None and posted.source == "api"
    assert f"<@{BOB}>" in posted.text and f"<@{CAROL}>" in posted.text
    assert f"<@{ALICE}>" in posted.text
    rendered = str(posted.blocks)
    assert "for the review" in rendered and "#teamwork" in rendered

    recorded = credits(sessions)
    assert [(c.helper_id, c.helped_id) for c in recorded] == [(BOB, ALICE), (CAROL, ALICE)]
    for credit in recorded:
        assert credit.kind == "thanks"
        assert credit.weight == 1
        assert credit.reason == "for the review"
        assert credit.values == ["teamwork", "quality"]
        assert credit.channel_id == GENERAL
        assert credit.created_at == clock.now
        assert credit.retracted_at is None


def test_known_members_cost_no_web_api_call_but_the_celebration(sandbox: Sandbox) -> None:
    # Whether the channel is public (for what the digest may quote) is asked once an hour.
    before = len(sandbox.emulator.calls)
    thanks(sandbox, ALICE, f"<@{BOB}> for lunch")
    called = [call.method for call in sandbox.emulator.calls[before:]]
    assert called == ["conversations.info", "chat.postMessage"]
    before = len(sandbox.emulator.calls)
    thanks(sandbox, BOB, f"<@{ALICE}> for the coffee")
    assert [call.method for call in sandbox.emulator.calls[before:]] == ["chat.postMessage"]


def _channel_lookups(sandbox: Sandbox) -> int:
    return len(sandbox.emulator.calls_to("conversations.info"))


def test_whether_a_channel_is_public_is_asked_again_after_an_hour_or_a_failure(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    thanks(sandbox, ALICE, f"<@{BOB}> for lunch")
    clock.advance(minutes=59)
    thanks(sandbox, ALICE, f"<@{BOB}> for the coffee")
    assert _channel_lookups(sandbox) == 1
    clock.advance(minutes=1)
    sandbox.emulator.refuse("conversations.info", "internal_error")
    thanks(sandbox, ALICE, f"<@{BOB}> for the cake")  # Slack would not say: not known
    sandbox.emulator.clear_refusal("conversations.info")
    clock.advance(seconds=29)
    thanks(sandbox, ALICE, f"<@{BOB}> for the pie")  # not asked again yet
    assert _channel_lookups(sandbox) == 2
    clock.advance(seconds=1)
    thanks(sandbox, ALICE, f"<@{BOB}> for the tea")  # asked again, not remembered as private
    assert _channel_lookups(sandbox) == 3
    assert [c.quotable for c in credits(sessions)] == [True, True, None, None, True]


def test_while_slack_rate_limits_channel_lookups_none_is_asked_until_retry_after(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    sandbox.emulator.set_rate_limit("conversations.info", 0, 90)  # Retry-After: 90
    thanks(sandbox, ALICE, f"<@{BOB}> for lunch")
    thanks(sandbox, BOB, f"<@{CAROL}> for the notes", "C0RANDOM1")  # another channel, too
    assert [call.status for call in sandbox.emulator.calls_to("conversations.info")] == [429]

    sandbox.emulator.clear_rate_limit("conversations.info")
    clock.advance(seconds=89)
    thanks(sandbox, CAROL, f"<@{ALICE}> for the talk")
    assert _channel_lookups(sandbox) == 1
    clock.advance(seconds=1)
    thanks(sandbox, ALICE, f"<@{BOB}> for the tea")
    assert _channel_lookups(sandbox) == 2
    # Not known yet, so not quoted until the scheduler asks again (tests/digest/test_digest.py).
    assert [c.quotable for c in credits(sessions)] == [None, None, None, True]


def test_an_unreachable_slack_is_not_asked_about_channels_with_every_thanks(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    api_url = sandbox.app.client.base_url
    out_of_reach(sandbox.app)
    thanks(sandbox, ALICE, f"<@{BOB}> for lunch")
    sandbox.app.client.base_url = api_url
    thanks(sandbox, ALICE, f"<@{BOB}> for the coffee")
    assert _channel_lookups(sandbox) == 0
    clock.advance(seconds=30)
    thanks(sandbox, ALICE, f"<@{BOB}> for the tea")
    assert _channel_lookups(sandbox) == 1
    assert [c.quotable for c in credits(sessions)] == [None, None, True]


def test_same_request_delivered_twice_is_recorded_once(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    payload = sandbox.driver.command_payload(ALICE, "/thanks", f"<@{BOB}> for the fix", GENERAL)
    first = sandbox.driver.send_form(payload)
    second = sandbox.driver.send_form(payload)
    sandbox.settle()

    assert first.json() == {}
    assert second.json()["response_type"] == "ephemeral"
    assert "already recorded" in second.json()["text"]
    assert len(credits(sessions)) == 1
    assert len(celebrations(sandbox)) == 1  # and celebrated once


def test_two_separate_thanks_both_count(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    thanks(sandbox, ALICE, f"<@{BOB}> for the fix")
    thanks(sandbox, ALICE, f"<@{BOB}> for the review")
    assert len(credits(sessions)) == 2


def test_the_same_reason_to_the_same_person_twice_a_day_is_refused(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    thanks(sandbox, ALICE, f"<@{BOB}> for the fix")
    answer = thanks(sandbox, ALICE, f"<@{BOB}>   For the FIX")
    assert answer["response_type"] == "ephemeral"
    assert "already credited <@U0BOB0002> for that today" in str(answer["text"])
    assert "say what they did this time" in str(answer["text"])
    assert len(credits(sessions)) == 1

    thanks(sandbox, CAROL, f"<@{BOB}> for the fix")  # someone else may say the same
    clock.advance(days=1, seconds=1)
    thanks(sandbox, ALICE, f"<@{BOB}> for the fix")  # and a day later, so may Alice
    assert len(credits(sessions)) == 3


def test_the_per_pair_daily_cap_refuses_politely(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock
) -> None:
    for n in range(5):
        thanks(sandbox, ALICE, f"<@{BOB}> for favour number {n}")
        clock.advance(minutes=10)
    answer = thanks(sandbox, ALICE, f"<@{BOB}> for one more")
    assert answer["response_type"] == "ephemeral"
    assert "already credited <@U0BOB0002> 5 times today" in str(answer["text"])
    assert len(credits(sessions)) == 5

    answer = thanks(sandbox, ALICE, f"<@{BOB}> and <@{CAROL}> for one more")
    # Carol is thanked; Bob is not, which the answer tells Alice alone.
    assert answer["response_type"] == "ephemeral"
    assert str(answer["text"]).startswith(f"Not thanked: <@{BOB}> (credited 5 times by you today")
    posted = celebrations(sandbox)[-1]
    assert f"<@{CAROL}>" in posted.text and f"<@{BOB}>" not in posted.text
    note = sandbox.emulator.messages(GENERAL, ephemeral=True)[-1]
    assert note.ephemeral_for == ALICE and note.source == "command_response"
    assert len(credits(sessions)) == 6

    thanks(sandbox, DAVE, f"<@{BOB}> for his first from Dave")
    clock.advance(hours=23, minutes=15)  # the first of the five is now over a day old
    thanks(sandbox, ALICE, f"<@{BOB}> for the next day")
    assert len(credits(sessions)) == 8


def test_thanks_sent_at_the_same_moment_stay_within_the_daily_cap(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    # Eight at once, each for another reason, where the day allows five: the checks of one
    # must see what the others recorded.
    payloads = [
        sandbox.driver.command_payload(ALICE, "/thanks", f"<@{BOB}> for favour {n}", GENERAL)
        for n in range(8)
    ]
    answers = [
        delivery.json().get("response_type", "celebrated")
        for delivery in send_forms_at_once(sandbox.driver, payloads)
    ]
    sandbox.settle()

    assert sorted(answers) == ["celebrated"] * 5 + ["ephemeral"] * 3
    assert len(credits(sessions)) == 5
    assert len(celebrations(sandbox)) == 5


def test_broadcast_mentions_in_a_reason_do_not_page_the_channel(sandbox: Sandbox) -> None:
    thanks(sandbox, ALICE, f"<@{BOB}> for telling <!channel> and <!here> about the outage")
    [posted] = sandbox.emulator.messages(GENERAL)
    everything = posted.text + str(posted.blocks)
    assert "<!channel>" not in everything and "<!here>" not in everything
    # Shown as @channel and @here, with a word joiner that keeps Slack from reading either.
    assert f"@{WORD_JOINER}channel" in everything and f"@{WORD_JOINER}here" in everything
    assert "@channel" not in everything and "@here" not in everything


@pytest.mark.parametrize(
    ("text", "problem", "advice"),
    [
        ("", "Who would you like to thank?", "/thanks @someone for what they did"),
        ("for everything", "Who would you like to thank?", "/thanks @someone"),
        ("@bob for the review", "couldn't tell who @bob is", "Pick people from the autocomplete"),
        (f"<@{ALICE}> for being me", "can't thank yourself", "/thanks @someone for"),
        (f"<@{BOT}> for deploying", "is a bot", "Thank the people who helped you"),
        (f"<@{FORMER}> for the old days", "no longer active", "Thank the people who are around"),
        (f"<@{BOB}> " + "x" * 1001, "the limit is 1,000", "Shorten it"),
        ("<@U0NOBODY9> for nothing", "couldn't find <@U0NOBODY9>", "Pick people"),
        ("<!subteam^S0ONCALL|@oncall> for the fix", "couldn't find the group @oncall", "Pick"),
        ("<!subteam^S0ONCALL> for the fix", "group <!subteam^S0ONCALL>", "Pick a group"),
        (f"<@{BOB}> " + "R&amp;D " * 300, "Your reason is 1,199 characters", "Shorten it"),
        (f"<@{BOB}> with " + f"<@{CAROL}|c> " * 140, "more mentions, links and", "Shorten"),
    ],
)
def test_bad_input_gets_a_private_answer_and_records_nothing(
    sandbox: Sandbox, sessions: sessionmaker[Session], text: str, problem: str, advice: str
) -> None:
    answer = thanks(sandbox, ALICE, text)

    assert answer["response_type"] == "ephemeral"
    assert problem in str(answer["text"])
    assert advice in str(answer["text"])
    assert sandbox.emulator.messages(GENERAL, ephemeral=False) == []
    [private] = sandbox.emulator.messages(GENERAL, ephemeral=True)
    assert private.ephemeral_for == ALICE
    assert credits(sessions) == []


@pytest.mark.parametrize(
    "text", ["for everything", f"<@{ALICE}> for being me", f"<@{BOB}> " + "x" * 1001]
)
def test_text_to_type_again_is_answered_without_asking_slack_anything(
    sandbox: Sandbox, text: str
) -> None:
    before = len(sandbox.emulator.calls)
    answer = thanks(sandbox, ALICE, text)
    assert answer["response_type"] == "ephemeral"
    assert sandbox.emulator.calls[before:] == []


def test_a_reason_is_measured_as_people_see_it_and_a_channel_named_tag_is_a_tag(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    reason = "R&amp;D " * 249 + "done"  # 1,000 characters as shown, 1,996 as Slack sends them

    answer = thanks(sandbox, ALICE, f"<@{BOB}> {reason} #care <#C0ENGINE2|engineering>")

    assert answer == {}
    [credit] = credits(sessions)
    assert credit.reason == reason.strip() and credit.values == ["care", "engineering"]


def test_more_than_ten_people_is_refused(sandbox: Sandbox, sessions: sessionmaker[Session]) -> None:
    extra = [f"U0EXTRA{n:02d}" for n in range(11)]
    for user_id in extra:
        sandbox.emulator.add_user(SlackUser(id=user_id, team_id="T0SANDBOX", name=user_id.lower()))
    answer = thanks(sandbox, ALICE, " ".join(f"<@{u}>" for u in extra) + " for the launch")

    assert answer["response_type"] == "ephemeral"
    assert "up to 10" in str(answer["text"])
    assert credits(sessions) == []

    answer = thanks(sandbox, ALICE, " ".join(f"<@{u}>" for u in extra[:10]) + " for the launch")
    assert answer == {}
    assert len(credits(sessions)) == 10


@pytest.fixture
def unsynced(sessions: sessionmaker[Session], clock: Clock) -> Sandbox:
    sandbox = Sandbox(sessions, clock, sync_members=False)
    sandbox.start()
    yield sandbox  # type: ignore[misc]
    sandbox.stop()


def test_an_unknown_member_is_looked_up_once_then_cached(
    unsynced: Sandbox, sessions: sessionmaker[Session]
) -> None:
    thanks(unsynced, ALICE, f"<@{BOB}> for the coffee")
    lookups = unsynced.emulator.calls_to("users.info")
    assert sorted(call.args["user"] for call in lookups) == [ALICE, BOB]

    thanks(unsynced, ALICE, f"<@{BOB}> for more coffee")
    assert len(unsynced.emulator.calls_to("users.info")) == 2
    with sessions() as session:
        bob = session.get(Member, ("T0SANDBOX", BOB))
        assert bob is not None and bob.real_name == "Bob Baptiste"
        assert session.scalar(select(func.count()).select_from(Credit)) == 2


def test_an_unknown_member_while_slack_is_out_of_reach_gets_a_clear_answer(
    unsynced: Sandbox, sessions: sessionmaker[Session]
) -> None:
    out_of_reach(unsynced.app)
    answer = thanks(unsynced, ALICE, f"<@{BOB}> for the coffee")  # HTTP 200
    assert answer["response_type"] == "ephemeral"
    assert "couldn't reach Slack" in str(answer["text"])
    assert "nothing was recorded" in str(answer["text"])
    assert credits(sessions) == []


def test_a_rate_limited_lookup_is_not_waited_out_while_the_person_waits(
    unsynced: Sandbox, sessions: sessionmaker[Session]
) -> None:
    unsynced.emulator.set_rate_limit("users.info", 0, 30)  # Retry-After: 30
    started = time.monotonic()

    answer = thanks(unsynced, ALICE, f"<@{BOB}> for the coffee")  # HTTP 200

    assert time.monotonic() - started < 2.0  # Slack gives up on an answer after 3 s
    assert answer["response_type"] == "ephemeral"
    assert "nothing was recorded" in str(answer["text"])
    assert len(unsynced.emulator.calls_to("users.info")) == 1
    assert credits(sessions) == []


def test_a_user_from_another_workspace_is_refused(
    unsynced: Sandbox, sessions: sessionmaker[Session]
) -> None:
    unsynced.emulator.add_user(SlackUser(id="U0GUEST77", team_id="T0OTHER00", name="guest"))
    answer = thanks(unsynced, ALICE, "<@U0GUEST77> for the intro")
    assert answer["response_type"] == "ephemeral"
    assert "couldn't find" in str(answer["text"])
    assert credits(sessions) == []
