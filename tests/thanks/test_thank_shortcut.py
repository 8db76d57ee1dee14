"""The "Thank for this" message shortcut: a modal prefilled from a message, sent as /thanks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import ValueTagError
from bot.models import Credit
from bot.sandbox.harness import Sandbox
from bot.sandbox.transport import Delivery
from bot.slack.ids import THANK_FOR_THIS_SHORTCUT, THANKS_MODAL
from bot.thanks.form import parse_values
from bot.thanks.modal import (
    HELPER,
    PRIVATE,
    PUBLIC,
    REASON,
    VALUES,
    VISIBILITY,
    permalink,
)
from slack_emulator import Message, SlackChannel
from slack_emulator.validation import checked_view
from tests.support import Clock, answerless, out_of_reach

TEAM = "T0SANDBOX"
ALICE, BOB, CAROL = "U0ALICE01", "U0BOB0002", "U0CAROL03"
DEPLOYBOT, FRANK = "U0DEPLOY9", "U0FRANK06"
GENERAL = "C0GENERAL"


def credits(sessions: sessionmaker[Session]) -> list[Credit]:
    with sessions() as session:
        return list(session.scalars(select(Credit).order_by(Credit.id)))


def open_modal(sandbox: Sandbox, user_id: str, message: Message) -> dict[str, Any]:
    """Run the shortcut on `message`; return the modal it opened."""
    delivery = sandbox.driver.message_shortcut(user_id, THANK_FOR_THIS_SHORTCUT, message)
    assert delivery.status == 200, delivery.body
    assert delivery.body == ""  # a bare ack
    [view] = sandbox.emulator.open_views.values()
    assert sandbox.emulator.view_owner(view["id"]) == user_id
    return view


def form(
    helper: str | list[str] | None = BOB,
    reason: str | None = "for walking me through the rollback",
    values: str | None = "#teamwork #Care",
    visibility: str = PUBLIC,
) -> dict[str, dict[str, Any]]:
    """Slack's state for the modal's inputs, as a person filled them in."""
    option = {"text": {"type": "plain_text", "text": visibility}, "value": visibility}
    picked = helper if isinstance(helper, list) else [helper] if helper else []
    return {
        HELPER: {HELPER: {"type": "multi_users_select", "selected_users": picked}},
        REASON: {REASON: {"type": "plain_text_input", "value": reason}},
        VALUES: {VALUES: {"type": "plain_text_input", "value": values}},
        VISIBILITY: {VISIBILITY: {"type": "radio_buttons", "selected_option": option}},
    }


def submit(
    sandbox: Sandbox, user_id: str, view: dict[str, Any], values: dict[str, Any]
) -> dict[str, Any]:
    delivery: Delivery = sandbox.driver.submit_view(user_id, view, values)
    assert delivery.status == 200, delivery.body
    answer: dict[str, Any] = delivery.json()
    return answer


def bot_messages(sandbox: Sandbox) -> list[Message]:
    return [m for m in sandbox.emulator.messages() if m.user == sandbox.emulator.bot_user_id]


@pytest.fixture
def bobs_message(sandbox: Sandbox) -> Message:
    return sandbox.emulator.post_user_message(GENERAL, BOB, "Here is how to roll back a deploy")


def test_the_shortcut_opens_a_modal_with_the_author_and_a_link(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    view = open_modal(sandbox, ALICE, bobs_message)

    assert view["callback_id"] == THANKS_MODAL
    [helper] = [b for b in view["blocks"] if b.get("block_id") == HELPER]
    assert helper["element"]["type"] == "multi_users_select"
    assert helper["element"]["initial_users"] == [BOB]
    link = f"https://sandbox.slack.com/archives/{GENERAL}/p{bobs_message.ts.replace('.', '')}"
    assert f"<{link}|this message>" in json.dumps(view["blocks"])
    metadata = json.loads(view["private_metadata"])
    assert metadata == {
        "channel_id": GENERAL,
        "message_ts": bobs_message.ts,
        "thread_ts": None,
        "author_id": BOB,
        "link": link,
    }
    assert credits(sessions) == []  # opening the modal records nothing


def test_submitting_publicly_records_a_thanks_and_celebrates_under_the_message(
    sandbox: Sandbox, sessions: sessionmaker[Session], clock: Clock, bobs_message: Message
) -> None:
    view = open_modal(sandbox, ALICE, bobs_message)
    answer = submit(sandbox, ALICE, view, form())

    assert answer == {}  # the modal closes
    [credit] = credits(sessions)
    assert (credit.helper_id, credit.helped_id, credit.kind) == (BOB, ALICE, "thanks")
    assert credit.reason == "for walking me through the rollback"
    assert credit.values == ["teamwork", "care"]
    assert (credit.channel_id, credit.message_ts) == (GENERAL, bobs_message.ts)
    assert credit.source_key == f"thanks:{TEAM}:view:{view['id']}:{BOB}"
    assert credit.created_at == clock.now

    [posted] = bot_messages(sandbox)
    assert posted.channel == GENERAL and posted.ephemeral_for is None
    assert posted.thread_ts == bobs_message.ts
    assert posted.text.startswith(f":sparkles: <@{BOB}> — thank you from <@{ALICE}>!")
    assert "#teamwork" in str(posted.blocks) and "for walking me" in str(posted.blocks)
    # Only what chat.postMessage takes (the emulator refuses the rest, as Slack's spec does).
    [call] = sandbox.emulator.calls_to("chat.postMessage")
    assert call.ok and "response_type" not in call.args


def test_markup_typed_in_the_modal_stays_words(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    view = open_modal(sandbox, ALICE, bobs_message)
    typed = "for the R&D fix <!here> <https://example.com|click>"

    assert submit(sandbox, ALICE, view, form(reason=typed)) == {}

    [credit] = credits(sessions)
    assert credit.reason == "for the R&amp;D fix &lt;!here&gt; &lt;https://example.com|click&gt;"
    [posted] = bot_messages(sandbox)
    assert "<!here>" not in posted.text + json.dumps(posted.blocks)
    assert "<https://" not in posted.text + json.dumps(posted.blocks)


def test_an_expired_trigger_is_answered_privately(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    payload = sandbox.driver.message_shortcut_payload(ALICE, THANK_FOR_THIS_SHORTCUT, bobs_message)
    payload["trigger_id"] = "1.2.expired"  # Slack allows 3 seconds to use one

    assert sandbox.driver.send_interaction(payload).status == 200

    assert sandbox.emulator.open_views == {}
    [note] = [m for m in sandbox.emulator.messages(ephemeral=True) if m.ephemeral_for == ALICE]
    assert "couldn't open the form just now" in note.text
    assert credits(sessions) == []


def test_submitting_privately_sends_a_dm_and_nothing_public(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    view = open_modal(sandbox, ALICE, bobs_message)
    answer = submit(sandbox, ALICE, view, form(visibility=PRIVATE, values=""))

    assert answer["response_action"] == "update"
    sent = checked_view(answer["view"], allowed_types=("modal",), validate=True)
    assert f"on their way to <@{BOB}>" in json.dumps(sent["blocks"])
    [credit] = credits(sessions)
    assert (credit.helper_id, credit.helped_id, credit.values) == (BOB, ALICE, [])

    [dm] = bot_messages(sandbox)
    assert dm.channel == f"D{BOB}"
    assert f"<@{ALICE}> thanked you for <https://sandbox.slack.com/archives/" in dm.text
    assert "for walking me through the rollback" in str(dm.blocks)
    assert f"Sent privately: only you and <@{ALICE}> can see it." in str(dm.blocks)
    assert "|your message>" in dm.text
    assert sandbox.emulator.messages(GENERAL) == [bobs_message]


def test_someone_else_picked_is_thanked_for_this_message_not_their_own(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    view = open_modal(sandbox, ALICE, bobs_message)
    submit(sandbox, ALICE, view, form(helper=CAROL, visibility=PRIVATE, values=""))

    [dm] = bot_messages(sandbox)
    assert dm.channel == f"D{CAROL}"
    assert "|this message>" in dm.text and "your message" not in dm.text


def test_a_double_submit_records_and_posts_once(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    view = open_modal(sandbox, ALICE, bobs_message)
    assert submit(sandbox, ALICE, view, form()) == {}
    assert submit(sandbox, ALICE, view, form()) == {}

    assert len(credits(sessions)) == 1
    assert len(bot_messages(sandbox)) == 1


def test_a_reply_in_a_thread_is_linked_and_celebrated_in_that_thread(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    reply = sandbox.emulator.post_user_message(
        GENERAL, CAROL, "Step 3 also needs a flag", thread_ts=bobs_message.ts
    )
    view = open_modal(sandbox, ALICE, reply)
    assert json.loads(view["private_metadata"])["author_id"] == CAROL
    assert f"?thread_ts={bobs_message.ts}&cid={GENERAL}" in json.dumps(view["blocks"])

    submit(sandbox, ALICE, view, form(helper=CAROL))
    [credit] = credits(sessions)
    assert (credit.helper_id, credit.message_ts) == (CAROL, reply.ts)
    [posted] = bot_messages(sandbox)
    assert posted.thread_ts == bobs_message.ts  # Slack threads under the parent, not a reply


def test_where_the_bot_cannot_post_the_thanks_go_to_the_person(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sandbox.emulator.add_channel(
        SlackChannel(id="C0SECRET1", name="secret", is_private=True, members={ALICE, BOB})
    )
    message = sandbox.emulator.post_user_message("C0SECRET1", BOB, "The fix is merged")
    view = open_modal(sandbox, ALICE, message)
    assert submit(sandbox, ALICE, view, form()) == {}

    assert len(credits(sessions)) == 1
    [attempt] = sandbox.emulator.calls_to("chat.postMessage")[:1]
    assert attempt.error == "channel_not_found"
    [dm] = bot_messages(sandbox)
    assert dm.channel == f"D{BOB}" and "for walking me through the rollback" in str(dm.blocks)


@pytest.mark.parametrize("visibility", [PUBLIC, PRIVATE])
def test_slack_out_of_reach_once_the_thanks_are_saved_is_no_error(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    bobs_message: Message,
    visibility: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    view = open_modal(sandbox, ALICE, bobs_message)
    out_of_reach(sandbox.app)
    submit(sandbox, ALICE, view, form(visibility=visibility))  # HTTP 200

    assert len(credits(sessions)) == 1
    # Public thanks that could not be posted are sent privately instead, which fails too.
    assert f"could not send a DM to {BOB}" in caplog.text


def test_public_thanks_whose_answer_is_lost_are_not_sent_again(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    view = open_modal(sandbox, ALICE, bobs_message)
    with answerless(sandbox.app) as slack:
        assert submit(sandbox, ALICE, view, form()) == {}
    assert len(credits(sessions)) == 1
    posts = [method for method in slack.methods if method != "conversations.info"]
    assert posts == ["chat.postMessage"]  # once, and no DM in its place


@pytest.mark.parametrize(
    ("values", "block", "problem"),
    [
        (form(helper=ALICE), HELPER, "You can't thank yourself. Pick the people who helped you."),
        (form(helper=DEPLOYBOT), HELPER, "Deploy Bot is a bot, and bots don't need thanks."),
        (form(helper=FRANK), HELPER, "Frank Fischer is no longer active in this workspace"),
        (form(helper="U0NOBODY9"), HELPER, "I couldn't find that person in this workspace."),
        (form(helper=None), HELPER, "Pick the people you'd like to thank."),
        (form(reason="x" * 1001), REASON, "the limit is 1,000"),
        (form(values="#100days"), VALUES, "“#100days” isn't a tag. Tags are words that start"),
        (form(values="#a #b #c #d #e #f"), VALUES, "That's 6 tags; a thanks holds up to 5."),
    ],
)
def test_bad_input_shows_in_the_modal_and_records_nothing(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    bobs_message: Message,
    values: dict[str, Any],
    block: str,
    problem: str,
) -> None:
    view = open_modal(sandbox, ALICE, bobs_message)
    answer = submit(sandbox, ALICE, view, values)

    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == [block]
    assert problem in answer["errors"][block]
    assert credits(sessions) == []
    assert bot_messages(sandbox) == []

    # Fixed, the same modal goes through.
    assert submit(sandbox, ALICE, view, form()) == {}
    assert len(credits(sessions)) == 1


def test_the_daily_cap_and_a_repeated_reason_show_in_the_modal(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    sandbox.driver.slash_command(ALICE, "/thanks", f"<@{BOB}> for the rollback notes", GENERAL)
    view = open_modal(sandbox, ALICE, bobs_message)
    answer = submit(sandbox, ALICE, view, form(reason="For the  rollback notes"))
    assert answer["errors"] == {
        REASON: "You already credited them for that today. If they helped again, say what they "
        "did this time."
    }

    for n in range(4):
        sandbox.driver.slash_command(ALICE, "/thanks", f"<@{BOB}> for favour {n}", GENERAL)
    answer = submit(sandbox, ALICE, view, form())
    assert list(answer["errors"]) == [HELPER]
    assert "already credited them 5 times today" in answer["errors"][HELPER]
    assert "<@" not in answer["errors"][HELPER]  # Slack shows modal errors as plain text
    assert len(credits(sessions)) == 5


def test_a_form_that_lost_its_message_asks_to_start_again(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    view = open_modal(sandbox, ALICE, bobs_message)
    for metadata in ("", "not json", json.dumps({"channel_id": GENERAL}), "[]"):
        answer = submit(sandbox, ALICE, {**view, "private_metadata": metadata}, form())
        assert answer["response_action"] == "errors"
        assert "use the shortcut on the message again" in answer["errors"][HELPER]
    assert credits(sessions) == []


def shortcut_refusal(sandbox: Sandbox, user_id: str, message: Message) -> Message:
    delivery = sandbox.driver.message_shortcut(user_id, THANK_FOR_THIS_SHORTCUT, message)
    assert delivery.status == 200
    assert sandbox.emulator.open_views == {}
    assert sandbox.emulator.calls_to("views.open") == []
    [note] = sandbox.emulator.messages(message.channel, ephemeral=True)
    assert note.ephemeral_for == user_id and note.source == "response_url"
    return note


@pytest.mark.parametrize(
    ("author", "problem"),
    [
        (ALICE, "That's your own message"),
        (DEPLOYBOT, "That message is from Deploy Bot, a bot"),
        (FRANK, "Frank Fischer is no longer active"),
        ("U0NOBODY9", "I can't tell who wrote that message"),
    ],
)
def test_the_shortcut_on_a_message_no_one_can_be_thanked_for_explains_privately(
    sandbox: Sandbox, sessions: sessionmaker[Session], author: str, problem: str
) -> None:
    message = sandbox.emulator.post_user_message(GENERAL, author, "Deploy finished")
    note = shortcut_refusal(sandbox, ALICE, message)
    assert problem in note.text
    assert credits(sessions) == []


def test_the_shortcut_on_goodwills_own_message_explains_privately(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sandbox.driver.slash_command(ALICE, "/thanks", f"<@{BOB}> for the deploy", GENERAL)
    sandbox.settle()
    [celebration] = sandbox.emulator.messages(GENERAL, ephemeral=False)  # posted by Goodwill
    note = shortcut_refusal(sandbox, CAROL, celebration)
    assert "That message is from Goodwill, a bot" in note.text


def test_the_shortcut_on_an_integrations_message_explains_privately(
    sandbox: Sandbox, bobs_message: Message
) -> None:
    payload = sandbox.driver.message_shortcut_payload(ALICE, THANK_FOR_THIS_SHORTCUT, bobs_message)
    # An incoming webhook's message: a bot_id, subtype bot_message, and no user.
    message = {key: value for key, value in payload["message"].items() if key != "user"}
    payload["message"] = {**message, "subtype": "bot_message", "bot_id": "B0WEBHOOK1"}
    assert sandbox.driver.send_interaction(payload).status == 200
    assert sandbox.emulator.open_views == {}
    [note] = sandbox.emulator.messages(GENERAL, ephemeral=True)
    assert "posted by an app" in note.text


def test_a_message_an_app_posted_for_a_person_thanks_that_person(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    # Posted with Bob's token by an app (a scheduler, say): Slack names Bob, and the app.
    # A reaction on it credits Bob; so does the shortcut.
    payload = sandbox.driver.message_shortcut_payload(ALICE, THANK_FOR_THIS_SHORTCUT, bobs_message)
    payload["message"] = {**payload["message"], "bot_id": "B0SCHEDUL1", "app_id": "A0SCHEDUL1"}
    assert sandbox.driver.send_interaction(payload).status == 200
    [view] = sandbox.emulator.open_views.values()

    assert submit(sandbox, ALICE, view, form()) == {}
    [credit] = credits(sessions)
    assert (credit.helper_id, credit.helped_id) == (BOB, ALICE)


@pytest.fixture
def unsynced(sessions: sessionmaker[Session], clock: Clock) -> Iterator[Sandbox]:
    sandbox = Sandbox(sessions, clock, sync_members=False)
    sandbox.start()
    yield sandbox
    sandbox.stop()


def test_an_unknown_author_is_looked_up_once(
    unsynced: Sandbox, sessions: sessionmaker[Session]
) -> None:
    message = unsynced.emulator.post_user_message(GENERAL, BOB, "Coffee is ready")
    view = open_modal(unsynced, ALICE, message)
    assert [call.args["user"] for call in unsynced.emulator.calls_to("users.info")] == [BOB]

    submit(unsynced, ALICE, view, form())
    looked_up = sorted(call.args["user"] for call in unsynced.emulator.calls_to("users.info"))
    assert looked_up == [ALICE, BOB]
    assert len(credits(sessions)) == 1


def test_values_are_read_like_thanks_tags() -> None:
    assert parse_values("#teamwork #Care, quality #teamwork") == ("teamwork", "care", "quality")
    assert parse_values("") == ()
    assert parse_values(" ,\n ") == ()
    assert parse_values("#a #b #c #d #e #a") == ("a", "b", "c", "d", "e")
    assert parse_values("#" + "x" * 40) == ("x" * 30,)
    assert parse_values("#on-call,#follow_up") == ("on-call", "follow_up")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("#100days", "“#100days” isn't a tag."),
        ("#teamwork #", "“#” isn't a tag."),
        ("R&D", "“R&D” isn't a tag."),
        ("#care " + "9" * 50, f"“{'9' * 29}…” isn't a tag."),
        ("#a #b #c #d #e #f", "That's 6 tags; a thanks holds up to 5."),
    ],
)
def test_values_that_are_not_tags_are_refused(text: str, problem: str) -> None:
    with pytest.raises(ValueTagError) as refused:
        parse_values(text)
    assert refused.value.user_message.startswith(problem)


def test_permalinks_follow_slacks_shape() -> None:
    assert permalink("acme", "C1", "1700000000.000100") == (
        "https://acme.slack.com/archives/C1/p1700000000000100"
    )
    assert permalink("acme", "C1", "2.000002", thread_ts="1.000001") == (
        "https://acme.slack.com/archives/C1/p2000002?thread_ts=1.000001&cid=C1"
    )
    assert permalink("acme", "C1", "1.000001", thread_ts="1.000001").endswith("p1000001")


@pytest.mark.parametrize(
    ("visibility", "slack_says", "quotable"),
    [
        (PUBLIC, True, True),
        (PRIVATE, True, False),
        (PUBLIC, False, None),  # not known: asked again by the scheduler
        (PRIVATE, False, False),  # private whatever the channel
    ],
)
def test_only_public_thanks_from_the_modal_may_be_quoted_in_the_digest(
    sandbox: Sandbox,
    sessions: sessionmaker[Session],
    bobs_message: Message,
    visibility: str,
    slack_says: bool,
    quotable: bool | None,
) -> None:
    view = open_modal(sandbox, ALICE, bobs_message)
    if not slack_says:
        sandbox.emulator.refuse("conversations.info", "ratelimited")
    submit(sandbox, ALICE, view, form(visibility=visibility))
    [credit] = credits(sessions)
    assert credit.quotable is quotable  # #general is public; a private thanks stays private


def test_several_people_picked_are_each_thanked_and_those_who_cannot_be_are_named(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    sandbox.driver.slash_command(ALICE, "/thanks", f"<@{CAROL}> for the rollback notes", GENERAL)
    sandbox.settle()  # its celebration posted first
    view = open_modal(sandbox, ALICE, bobs_message)
    picked = [BOB, CAROL, DEPLOYBOT, ALICE]
    answer = submit(sandbox, ALICE, view, form(picked, reason="for the rollback notes"))

    # Bob is thanked under the message; the form says, to Alice alone, who was not and why.
    assert answer["response_action"] == "update"
    said = json.dumps(checked_view(answer["view"], allowed_types=("modal",), validate=True))
    assert f"Your thanks to <@{BOB}> are posted." in said
    assert (
        f"Not thanked: <@{CAROL}> (you already thanked them for that today), <@{DEPLOYBOT}> "
        f"(a bot) and <@{ALICE}> (that's you)."
    ) in said
    assert [(c.helper_id, c.message_ts) for c in credits(sessions)][1:] == [(BOB, bobs_message.ts)]
    [posted] = bot_messages(sandbox)[1:]
    assert posted.text.startswith(f":sparkles: <@{BOB}> — thank you from <@{ALICE}>!")
    assert f"<@{CAROL}>" not in posted.text

    # Submitted again (Slack retries): nothing twice.
    submit(sandbox, ALICE, view, form(picked, reason="for the rollback notes"))
    assert len(credits(sessions)) == 2 and len(bot_messages(sandbox)) == 2


def test_several_picked_none_of_whom_can_be_thanked_keeps_the_form_open(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    view = open_modal(sandbox, ALICE, bobs_message)
    answer = submit(sandbox, ALICE, view, form([DEPLOYBOT, FRANK]))
    assert answer == {
        "response_action": "errors",
        "errors": {
            HELPER: "Nobody was thanked: Deploy Bot (a bot) and Frank Fischer (no longer active "
            "here)."
        },
    }
    assert credits(sessions) == [] and bot_messages(sandbox) == []


def test_several_thanked_privately_each_get_a_dm(
    sandbox: Sandbox, sessions: sessionmaker[Session], bobs_message: Message
) -> None:
    view = open_modal(sandbox, ALICE, bobs_message)
    answer = submit(sandbox, ALICE, view, form([BOB, CAROL], visibility=PRIVATE))
    assert answer["response_action"] == "update"
    assert f"on their way to <@{BOB}> and <@{CAROL}>" in json.dumps(answer["view"])
    assert sorted(m.channel for m in bot_messages(sandbox)) == [f"D{BOB}", f"D{CAROL}"]
    assert [c.helper_id for c in credits(sessions)] == [BOB, CAROL]
