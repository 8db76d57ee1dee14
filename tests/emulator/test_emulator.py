"""The Slack emulator, driven over HTTP by a real slack_sdk WebClient as the bot drives it."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot.sandbox.render import render_message, render_view
from slack_emulator import (
    RESPONSE_URL_TTL_SECONDS,
    Message,
    SlackChannel,
    SlackEmulator,
    SlackEmulatorRejected,
    SlackUser,
    SlackUserGroup,
)

TEAM = "T0SANDBOX"
ALICE, BOB, CAROL = "U0ALICE01", "U0BOB0002", "U0CAROL03"
GENERAL, SECRET, HIDDEN = "C0GENERAL", "G0SECRET1", "G0HIDDEN2"
BOT = "U0GOODWILL"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


def seed(emulator: SlackEmulator) -> None:
    for user_id, name, real in [
        (ALICE, "alice", "Alice Andersen"),
        (BOB, "bob", "Bob Baptiste"),
        (CAROL, "carol", "Carol Chen"),
    ]:
        emulator.add_user(SlackUser(user_id, TEAM, name, real, display_name=name))
    emulator.add_channel(SlackChannel(GENERAL, "general", members={ALICE, BOB, BOT}))
    emulator.add_channel(SlackChannel(SECRET, "secret", is_private=True, members={ALICE, BOT}))
    emulator.add_channel(SlackChannel(HIDDEN, "hidden", is_private=True, members={ALICE}))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emulator(clock: FakeClock) -> Iterator[SlackEmulator]:
    with SlackEmulator(clock=clock) as emulator:
        seed(emulator)
        yield emulator


@pytest.fixture
def client(emulator: SlackEmulator) -> WebClient:
    return WebClient(token=emulator.bot_token, base_url=emulator.api_url)


def slack_error(call: Any, *args: Any, **kwargs: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as raised:
        call(*args, **kwargs)
    return raised.value


def error_code(call: Any, *args: Any, **kwargs: Any) -> str:
    code: str = slack_error(call, *args, **kwargs).response["error"]
    return code


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def modal(title: str = "Say thanks", blocks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title},
        "blocks": blocks if blocks is not None else [section("Who helped you?")],
    }


def raw_post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


# -- identity and people ------------------------------------------------------------------------


def test_auth_test_and_team_info_describe_the_workspace(client: WebClient) -> None:
    auth = client.auth_test()
    assert (auth["team_id"], auth["user_id"], auth["bot_id"]) == (TEAM, BOT, "B0GOODWILL")
    assert auth["url"] == "https://sandbox.slack.com/"
    team = client.team_info()["team"]
    assert (team["id"], team["name"], team["domain"]) == (TEAM, "Sandbox", "sandbox")


def test_users_info_returns_slacks_user_shape(client: WebClient, emulator: SlackEmulator) -> None:
    emulator.add_user(SlackUser("U0DAVE004", TEAM, "dave", "Dave D", tz_offset=7200, is_admin=True))
    user = client.users_info(user="U0DAVE004")["user"]
    assert user["name"] == "dave" and user["real_name"] == "Dave D"
    assert user["tz"] == "Europe/London" and user["tz_offset"] == 7200
    assert user["is_admin"] is True and user["deleted"] is False and user["is_bot"] is False
    assert user["profile"] == {
        "display_name": "",
        "display_name_normalized": "",
        "real_name": "Dave D",
        "real_name_normalized": "Dave D",
        "team": TEAM,
    }
    assert client.users_info(user=BOT)["user"]["is_bot"] is True


def test_users_info_for_an_unknown_or_missing_user_is_user_not_found(client: WebClient) -> None:
    assert error_code(client.users_info, user="U0NOBODY9") == "user_not_found"
    assert error_code(client.api_call, "users.info") == "user_not_found"


def test_usergroups_users_list_lists_a_groups_members_as_slack_does(
    client: WebClient, emulator: SlackEmulator
) -> None:
    emulator.add_user_group(SlackUserGroup("S0PLATFORM", "platform-team", ["U0ALICE01", BOT]))
    emulator.add_user_group(SlackUserGroup("S0RETIRED", "old", ["U0ALICE01"], is_disabled=True))
    answer = client.usergroups_users_list(usergroup="S0PLATFORM")
    assert answer["users"] == ["U0ALICE01", BOT]
    # Slack's shapes for a group it does not know, and for a disabled one.
    assert error_code(client.usergroups_users_list, usergroup="S0NOSUCH1") == "no_such_subteam"
    assert error_code(client.usergroups_users_list, usergroup="S0RETIRED") == "no_such_subteam"
    assert client.usergroups_users_list(usergroup="S0RETIRED", include_disabled=True)["users"] == [
        "U0ALICE01"
    ]
    assert error_code(client.api_call, "usergroups.users.list") == "invalid_arguments"


def test_users_list_pages_return_every_member_exactly_once(
    client: WebClient, emulator: SlackEmulator
) -> None:
    for n in range(20):
        emulator.add_user(SlackUser(f"U1{n:07d}", TEAM, f"person{n}"))
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = client.users_list(limit=7, cursor=cursor)
        pages += 1
        assert len(page["members"]) <= 7
        seen.extend(member["id"] for member in page["members"])
        cursor = page["response_metadata"]["next_cursor"]
        if cursor == "":
            break
    # The app's own bot user is a member too, listed first because it was added first.
    expected = [emulator.bot_user_id, ALICE, BOB, CAROL, *(f"U1{n:07d}" for n in range(20))]
    assert seen == expected and pages == 4
    everyone = client.users_list()["members"]
    assert [m["id"] for m in everyone] == expected


def test_users_list_refuses_a_made_up_cursor(client: WebClient) -> None:
    assert error_code(client.users_list, cursor="not-a-cursor") == "invalid_cursor"
    assert error_code(client.users_list, cursor="dXNlcjpVMEdIT1NU") == "invalid_cursor"


def test_users_conversations_lists_a_members_public_channels_by_default(
    client: WebClient, emulator: SlackEmulator
) -> None:
    emulator.add_channel(SlackChannel("C0RANDOM1", "random", members={BOB, BOT}))
    client.conversations_open(users=ALICE)
    reply = client.users_conversations(user=ALICE)
    assert [c["id"] for c in reply["channels"]] == [GENERAL]
    assert reply["channels"][0] == emulator.channels[GENERAL].to_slack()
    assert reply["response_metadata"]["next_cursor"] == ""
    # Without a user, the calling bot user's own.
    assert [c["id"] for c in client.users_conversations()["channels"]] == [GENERAL, "C0RANDOM1"]


def test_users_conversations_shows_non_public_ones_only_where_the_bot_is_too(
    client: WebClient, emulator: SlackEmulator
) -> None:
    dm = client.conversations_open(users=ALICE)["channel"]["id"]
    group = client.conversations_open(users=f"{ALICE},{BOB}")["channel"]["id"]
    channels = client.users_conversations(user=ALICE, types="public_channel,private_channel")
    assert [c["id"] for c in channels["channels"]] == [GENERAL, SECRET]  # not HIDDEN
    direct = client.users_conversations(user=ALICE, types=["im", "mpim"], exclude_archived=True)
    assert [c["id"] for c in direct["channels"]] == [dm, group]
    assert [c["id"] for c in client.users_conversations(user=BOB, types="im")["channels"]] == []


def test_users_conversations_pages_return_every_channel_exactly_once(
    client: WebClient, emulator: SlackEmulator
) -> None:
    for n in range(4):
        emulator.add_channel(SlackChannel(f"C1{n:07d}", f"team-{n}", members={ALICE}))
    types = "public_channel,private_channel"
    seen: list[str] = []
    cursor = None
    while True:
        page = client.users_conversations(user=ALICE, types=types, limit=1, cursor=cursor)
        assert len(page["channels"]) == 1
        seen.extend(channel["id"] for channel in page["channels"])
        cursor = page["response_metadata"]["next_cursor"]
        if cursor == "":
            break
    expected = [GENERAL, SECRET, *(f"C1{n:07d}" for n in range(4))]
    assert seen == expected
    everyone = client.users_conversations(user=ALICE, types=types)["channels"]
    assert [c["id"] for c in everyone] == expected


def test_users_conversations_errors(client: WebClient) -> None:
    conversations = client.users_conversations
    assert error_code(conversations, user="U0NOBODY9") == "user_not_found"
    assert error_code(conversations, user=ALICE, cursor="not-a-cursor") == "invalid_cursor"
    # A cursor from users.list, or for a channel not in this list, is no cursor here.
    assert error_code(conversations, user=ALICE, cursor="dXNlcjpVMEFMSUNFMDE=") == (
        "invalid_cursor"
    )
    assert error_code(conversations, user=ALICE, cursor="Y2hhbm5lbDpHMEhJRERFTjI=") == (
        "invalid_cursor"
    )
    assert error_code(conversations, user=ALICE, limit="lots") == "invalid_limit"
    assert error_code(conversations, user=ALICE, types="public_channel,rooms") == "invalid_types"


def test_a_refused_method_answers_slacks_error_until_cleared(
    client: WebClient, emulator: SlackEmulator
) -> None:
    emulator.refuse("users.conversations", "missing_scope")
    refused = slack_error(client.users_conversations, user=ALICE)
    assert refused.response.status_code == 200
    assert refused.response.data == {"ok": False, "error": "missing_scope"}
    assert client.users_info(user=ALICE)["ok"] is True  # other methods answer as before
    [call] = emulator.calls_to("users.conversations")
    assert (call.ok, call.error, call.status, call.args) == (
        False,
        "missing_scope",
        200,
        {"user": ALICE},
    )
    emulator.clear_refusal("users.conversations")
    assert [c["id"] for c in client.users_conversations(user=ALICE)["channels"]] == [GENERAL]


def test_a_refused_call_does_nothing_and_reset_clears_refusals(
    client: WebClient, emulator: SlackEmulator
) -> None:
    emulator.refuse("chat.postMessage", "not_in_channel")
    assert error_code(client.chat_postMessage, channel=GENERAL, text="hi") == "not_in_channel"
    assert emulator.messages() == []
    emulator.reset()
    assert client.chat_postMessage(channel=GENERAL, text="hi")["ok"] is True
    with pytest.raises(ValueError):
        emulator.refuse("chat.teleport", "missing_scope")


def test_conversations_open_gives_each_person_one_stable_dm(
    client: WebClient, emulator: SlackEmulator
) -> None:
    first = client.conversations_open(users=ALICE)
    again = client.conversations_open(users=ALICE)
    dm_id = first["channel"]["id"]
    assert dm_id.startswith("D") and again["channel"]["id"] == dm_id
    assert "already_open" not in first.data and again["already_open"] is True
    dm = emulator.channels[dm_id]
    assert dm.is_im and dm.members == {ALICE, BOT}
    assert client.conversations_open(users=BOB)["channel"]["id"] != dm_id


def test_conversations_open_errors(client: WebClient) -> None:
    assert error_code(client.conversations_open, users="U0NOBODY9") == "user_not_found"
    assert error_code(client.conversations_open, users=BOT) == "cannot_dm_bot"
    assert error_code(client.api_call, "conversations.open") == "users_list_not_supplied"


def test_conversations_info_says_whether_a_channel_is_public(client: WebClient) -> None:
    general = client.conversations_info(channel=GENERAL)["channel"]
    assert (general["id"], general["is_channel"], general["is_private"]) == (GENERAL, True, False)
    secret = client.conversations_info(channel=SECRET)["channel"]  # the app is in it
    assert (secret["is_channel"], secret["is_group"], secret["is_private"]) == (False, True, True)
    assert error_code(client.conversations_info, channel=HIDDEN) == "channel_not_found"
    assert error_code(client.conversations_info, channel="#general") == "channel_not_found"
    assert error_code(client.conversations_info, channel="C0NOWHERE") == "channel_not_found"


def test_an_archived_channel_is_read_only_and_listed_only_when_asked_for(
    client: WebClient, emulator: SlackEmulator
) -> None:
    emulator.add_channel(SlackChannel("C0RANDOM1", "random", members={ALICE, BOT}))
    emulator.channels["C0RANDOM1"].is_archived = True
    assert client.conversations_info(channel="C0RANDOM1")["channel"]["is_archived"] is True
    assert error_code(client.chat_postMessage, channel="C0RANDOM1", text="hi") == "is_archived"
    post = client.chat_postEphemeral
    assert error_code(post, channel="C0RANDOM1", user=ALICE, text="hi") == "is_archived"
    listed = client.users_conversations(user=ALICE)["channels"]
    assert "C0RANDOM1" in [c["id"] for c in listed]
    current = client.users_conversations(user=ALICE, exclude_archived=True)["channels"]
    assert "C0RANDOM1" not in [c["id"] for c in current] and GENERAL in [c["id"] for c in current]


def test_conversations_info_hides_direct_messages_the_app_is_not_in(
    client: WebClient, emulator: SlackEmulator
) -> None:
    emulator.add_channel(SlackChannel("D0ALICEBOB", "D0ALICEBOB", is_im=True, members={ALICE, BOB}))
    group = SlackChannel("G0GROUPDM1", "mpdm-alice--bob-1", is_mpim=True, members={ALICE, BOB})
    emulator.add_channel(group)
    assert error_code(client.conversations_info, channel="D0ALICEBOB") == "channel_not_found"
    assert error_code(client.conversations_info, channel="G0GROUPDM1") == "channel_not_found"
    own = client.conversations_open(users=ALICE)["channel"]["id"]  # the app's own DM with her
    assert client.conversations_info(channel=own)["channel"]["is_im"] is True


# -- messages -------------------------------------------------------------------------------------


def test_post_message_is_recorded_and_answered_like_slack(
    client: WebClient, emulator: SlackEmulator
) -> None:
    blocks = [section(f"Thanks <@{BOB}>!")]
    reply = client.chat_postMessage(channel=GENERAL, text="Thanks", blocks=blocks)
    assert reply["channel"] == GENERAL
    assert reply["message"]["text"] == "Thanks" and reply["message"]["blocks"] == blocks
    assert reply["message"]["bot_id"] == "B0GOODWILL" and reply["message"]["user"] == BOT
    [posted] = emulator.messages(GENERAL)
    assert (posted.ts, posted.text, posted.blocks) == (reply["ts"], "Thanks", blocks)
    assert posted.source == "api" and posted.ephemeral_for is None and not posted.edited
    [call] = emulator.calls_to("chat.postMessage")
    assert call.ok and call.status == 200 and call.args["blocks"] == blocks


def test_message_ts_values_are_unique_and_increasing(client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel=GENERAL, text=f"n{n}")["ts"] for n in range(5)]
    assert stamps == sorted(stamps, key=float) and len(set(stamps)) == 5
    assert all(len(ts.split(".")[1]) == 6 for ts in stamps)


def test_post_message_to_a_user_id_lands_in_their_dm(
    client: WebClient, emulator: SlackEmulator
) -> None:
    reply = client.chat_postMessage(channel=ALICE, text="Your weekly digest")
    assert reply["channel"] == client.conversations_open(users=ALICE)["channel"]["id"]
    assert [m.text for m in emulator.messages(reply["channel"])] == ["Your weekly digest"]


def test_post_message_reaches_public_channels_only_among_those_the_app_is_not_in(
    client: WebClient, emulator: SlackEmulator
) -> None:
    """chat:write.public lets the app post in any public channel; a private channel, a DM or
    a group DM without the app stays hidden from it, as conversations.info hides them."""
    emulator.add_channel(SlackChannel("C0RANDOM1", "random", members={ALICE, BOB}))
    emulator.add_channel(SlackChannel("D0ALICEBOB", "D0ALICEBOB", is_im=True, members={ALICE, BOB}))
    group = SlackChannel("G0GROUPDM1", "mpdm-alice--bob-1", is_mpim=True, members={ALICE, BOB})
    emulator.add_channel(group)

    assert client.chat_postMessage(channel="C0RANDOM1", text="hi")["channel"] == "C0RANDOM1"
    for hidden in (HIDDEN, "D0ALICEBOB", "G0GROUPDM1"):
        assert error_code(client.chat_postMessage, channel=hidden, text="hi") == (
            "channel_not_found"
        )
        post = client.chat_postEphemeral
        assert error_code(post, channel=hidden, user=ALICE, text="hi") == "channel_not_found"
    assert [m.channel for m in emulator.messages()] == ["C0RANDOM1"]


def test_post_message_by_channel_name(client: WebClient, emulator: SlackEmulator) -> None:
    assert client.chat_postMessage(channel="#general", text="hi")["channel"] == GENERAL
    assert [m.text for m in emulator.messages("general")] == ["hi"]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ({"channel": "C0NOWHERE", "text": "hi"}, "channel_not_found"),
        ({"text": "hi"}, "channel_not_found"),
        (
            {"channel": HIDDEN, "text": "the bot is not in this private channel"},
            "channel_not_found",
        ),
        ({"channel": GENERAL}, "no_text"),
        ({"channel": GENERAL, "text": "   "}, "no_text"),
        ({"channel": GENERAL, "text": "x" * 40_001}, "msg_too_long"),
        ({"channel": GENERAL, "text": "hi", "blocks": "not json"}, "invalid_blocks_format"),
        ({"channel": GENERAL, "text": "hi", "attachments": [{}] * 101}, "too_many_attachments"),
    ],
)
def test_post_message_rejections(
    client: WebClient, emulator: SlackEmulator, args: dict[str, Any], error: str
) -> None:
    assert error_code(client.api_call, "chat.postMessage", json=args) == error
    assert emulator.messages() == []
    [call] = emulator.calls_to("chat.postMessage")
    assert (call.ok, call.error, call.status) == (False, error, 200)


@pytest.mark.parametrize(
    "extra",
    [{"response_type": "in_channel"}, {"replace_original": False}, {"delete_original": True}],
)
def test_post_message_refuses_what_only_a_response_url_takes(
    client: WebClient, emulator: SlackEmulator, extra: dict[str, Any]
) -> None:
    # A slash command's answer carries these; chat.postMessage, by Slack's spec, does not.
    error = slack_error(client.chat_postMessage, channel=GENERAL, text="Thanks!", **extra)
    assert error.response["error"] == "invalid_arg_name"
    assert error.response["errors"] == [f"unknown argument: {next(iter(extra))}"]
    assert emulator.messages() == []


def test_post_message_takes_every_argument_of_slacks_spec(client: WebClient) -> None:
    answer = client.chat_postMessage(
        channel=GENERAL,
        text="Thanks!",
        thread_ts=None,
        unfurl_links=False,
        unfurl_media=False,
        mrkdwn=True,
        link_names=True,
        reply_broadcast=False,
        username="goodwill",
        icon_emoji=":sparkles:",
        metadata={"event_type": "thanks", "event_payload": {}},
    )
    assert answer["ok"] is True


def test_forty_thousand_characters_is_still_allowed(client: WebClient) -> None:
    assert client.chat_postMessage(channel=GENERAL, text="x" * 40_000)["ok"] is True


@pytest.mark.parametrize(
    ("blocks", "reason"),
    [
        ([section("x" * 3001)], "cannot exceed 3000 characters [json-pointer:/blocks/0]"),
        ([section("fine")] * 51, "no more than 50 items allowed [json-pointer:/blocks]"),
        ([section("ok"), {"type": "carousel_of_doom"}], "unsupported block type"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "150"),
        ([{"type": "actions", "elements": [{"type": "laser"}]}], "unsupported element type"),
        ([{"type": "section", "text": {"type": "weird", "text": "x"}}], "text object"),
        ([section("a", block_id="b1"), section("b", block_id="b1")], "duplicate block_id"),
        ([{"type": "image", "image_url": "https://example.com/a.png"}], "alt_text"),
        (
            [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c" * 3001}]}],
            "context element text cannot exceed 3000 characters",
        ),
    ],
)
def test_invalid_blocks_are_refused_with_slacks_reasons(
    client: WebClient, emulator: SlackEmulator, blocks: list[dict[str, Any]], reason: str
) -> None:
    error = slack_error(client.chat_postMessage, channel=GENERAL, text="t", blocks=blocks)
    assert error.response["error"] == "invalid_blocks"
    messages = error.response["response_metadata"]["messages"]
    assert len(messages) == 1 and messages[0].startswith("[ERROR] ") and reason in messages[0]
    assert reason in error.response["errors"][0]
    assert emulator.messages() == []


def test_blocks_inside_attachments_are_limited_too(client: WebClient) -> None:
    attachments = [{"fallback": "f", "blocks": [section("x")] * 51}]
    error = slack_error(client.chat_postMessage, channel=GENERAL, text="t", attachments=attachments)
    assert error.response["error"] == "invalid_blocks"
    assert "[json-pointer:/attachments/0/blocks]" in error.response["errors"][0]
    fine = [{"fallback": "f", "blocks": [section("x")] * 50}]
    assert client.chat_postMessage(channel=GENERAL, text="t", attachments=fine)["ok"] is True


def test_fifty_blocks_are_allowed(client: WebClient) -> None:
    blocks = [section(f"line {n}") for n in range(50)]
    assert client.chat_postMessage(channel=GENERAL, text="t", blocks=blocks)["ok"] is True


def test_validation_can_be_switched_off() -> None:
    with SlackEmulator(validate=False) as loose:
        loose.add_channel(SlackChannel(GENERAL, "general"))
        client = WebClient(token=loose.bot_token, base_url=loose.api_url)
        reply = client.chat_postMessage(channel=GENERAL, text="t", blocks=[{"type": "nope"}])
        assert reply["ok"] is True and loose.messages()[0].blocks == [{"type": "nope"}]


def test_post_ephemeral_is_only_for_the_named_person(
    client: WebClient, emulator: SlackEmulator
) -> None:
    reply = client.chat_postEphemeral(channel=GENERAL, user=ALICE, text="Only you see this")
    [private] = emulator.messages(GENERAL, ephemeral=True)
    assert private.ts == reply["message_ts"] and private.ephemeral_for == ALICE
    assert emulator.messages(GENERAL, ephemeral=False) == []


def test_post_ephemeral_rejections(client: WebClient) -> None:
    post = client.chat_postEphemeral
    assert error_code(post, channel=GENERAL, user="U0NOBODY9", text="x") == "user_not_found"
    assert error_code(post, channel=GENERAL, user=CAROL, text="x") == "user_not_in_channel"
    assert error_code(post, channel="C0NOWHERE", user=ALICE, text="x") == "channel_not_found"
    assert error_code(client.api_call, "chat.postEphemeral", json={"channel": GENERAL}) == (
        "user_not_found"
    )


def test_update_edits_the_bots_message_and_keeps_left_out_blocks(
    client: WebClient, emulator: SlackEmulator
) -> None:
    seen: list[Message] = []
    emulator.subscribe(seen.append)
    blocks = [section("before")]
    ts = client.chat_postMessage(channel=GENERAL, text="before", blocks=blocks)["ts"]
    reply = client.chat_update(channel=GENERAL, ts=ts, text="after")
    assert (reply["ts"], reply["text"]) == (ts, "after")
    [message] = emulator.messages(GENERAL)
    assert message.text == "after" and message.edited and message.blocks == blocks
    client.chat_update(channel=GENERAL, ts=ts, text="after", blocks=[])
    assert emulator.messages(GENERAL)[0].blocks == []
    assert [(m.text, m.edited) for m in seen] == [
        ("before", False),
        ("after", True),
        ("after", True),
    ]


def test_update_rejections(client: WebClient, emulator: SlackEmulator) -> None:
    theirs = emulator.post_user_message(GENERAL, ALICE, "my own words")
    assert error_code(client.chat_update, channel=GENERAL, ts=theirs.ts, text="x") == (
        "cant_update_message"
    )
    assert error_code(client.chat_update, channel=GENERAL, ts="1.000001", text="x") == (
        "message_not_found"
    )
    ephemeral_ts = client.chat_postEphemeral(channel=GENERAL, user=ALICE, text="e")["message_ts"]
    assert error_code(client.chat_update, channel=GENERAL, ts=ephemeral_ts, text="x") == (
        "message_not_found"
    )
    assert emulator.messages(GENERAL, ephemeral=False)[0].text == "my own words"


def test_reactions_stay_on_the_message_as_slack_shows_them(emulator: SlackEmulator) -> None:
    theirs = emulator.post_user_message(GENERAL, ALICE, "my own words")
    assert emulator.react(GENERAL, theirs.ts, BOB, "pray")
    assert emulator.react(GENERAL, theirs.ts, CAROL, "pray")
    assert not emulator.react(GENERAL, theirs.ts, BOB, "pray")  # already there
    assert not emulator.react(GENERAL, "1.000001", BOB, "pray")  # no such message
    [shown] = emulator.messages(GENERAL)
    as_slack = shown.to_slack(team_id=TEAM, bot_id=None, app_id=None)
    assert as_slack["reactions"] == [{"name": "pray", "users": [BOB, CAROL], "count": 2}]
    assert emulator.react(GENERAL, theirs.ts, BOB, "pray", added=False)
    assert emulator.react(GENERAL, theirs.ts, CAROL, "pray", added=False)
    assert not emulator.react(GENERAL, theirs.ts, CAROL, "pray", added=False)  # not there
    [shown] = emulator.messages(GENERAL)
    assert "reactions" not in shown.to_slack(team_id=TEAM, bot_id=None, app_id=None)


# -- wire formats ---------------------------------------------------------------------------------


def test_form_encoded_blocks_arrive_as_json_text_and_are_decoded(
    client: WebClient, emulator: SlackEmulator
) -> None:
    blocks = [section("from a form")]
    data = {"channel": GENERAL, "text": "form", "blocks": json.dumps(blocks)}
    reply = client.api_call("chat.postMessage", data=data)
    assert reply["message"]["blocks"] == blocks
    assert emulator.calls_to("chat.postMessage")[0].args["blocks"] == blocks
    too_long = {"channel": GENERAL, "text": "form", "blocks": json.dumps([section("y" * 3001)])}
    assert error_code(client.api_call, "chat.postMessage", data=too_long) == "invalid_blocks"


def test_multipart_uploads_are_read_with_files_as_bytes(
    client: WebClient, emulator: SlackEmulator
) -> None:
    client.api_call("auth.test", files={"file": b"\x00kudos"}, data={"title": "Kudos wall"})
    assert emulator.calls_to("auth.test")[0].args == {"title": "Kudos wall", "file": b"\x00kudos"}


def test_get_with_a_query_string_and_a_token_parameter(emulator: SlackEmulator) -> None:
    url = f"{emulator.api_url}users.info?user={ALICE}&token={emulator.bot_token}"
    with urllib.request.urlopen(url, timeout=5) as response:
        body = json.loads(response.read())
    assert body["ok"] is True and body["user"]["id"] == ALICE
    assert "token" not in emulator.calls_to("users.info")[0].args


def test_a_token_inside_a_json_body_is_ignored_as_slack_does(emulator: SlackEmulator) -> None:
    body = json.dumps({"token": emulator.bot_token, "channel": GENERAL, "text": "hi"}).encode()
    headers = {"Content-Type": "application/json;charset=utf-8"}
    status, reply = raw_post(emulator.api_url + "chat.postMessage", body, headers)
    assert (status, reply) == (200, {"ok": False, "error": "not_authed"})


def test_a_broken_json_body_is_invalid_json(emulator: SlackEmulator) -> None:
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {emulator.bot_token}",
    }
    status, reply = raw_post(emulator.api_url + "chat.postMessage", b"{nope", headers)
    assert (status, reply["error"]) == (200, "invalid_json")


def test_auth_and_unknown_methods(emulator: SlackEmulator, client: WebClient) -> None:
    nobody = WebClient(base_url=emulator.api_url)
    stranger = WebClient(token="xoxb-someone-else", base_url=emulator.api_url)
    assert error_code(nobody.auth_test) == "not_authed"
    assert error_code(stranger.auth_test) == "invalid_auth"
    unknown = slack_error(client.api_call, "chat.teleport")
    assert unknown.response.status_code == 200
    assert unknown.response.data == {
        "ok": False,
        "error": "unknown_method",
        "req_method": "chat.teleport",
    }
    assert [c.method for c in emulator.calls] == ["auth.test", "auth.test", "chat.teleport"]


# -- rate limits ----------------------------------------------------------------------------------


def test_beyond_the_quota_slack_answers_429_with_retry_after(
    client: WebClient, emulator: SlackEmulator, clock: FakeClock
) -> None:
    emulator.set_rate_limit("chat.postMessage", calls=2, per_seconds=60)
    client.chat_postMessage(channel=GENERAL, text="1")
    clock.now += 10
    client.chat_postMessage(channel=GENERAL, text="2")
    clock.now += 0.5
    error = slack_error(client.chat_postMessage, channel=GENERAL, text="3")
    assert error.response.status_code == 429 and error.response["error"] == "ratelimited"
    assert error.response.headers["Retry-After"] == "50"
    assert client.auth_test()["ok"] is True  # other methods have their own quota
    clock.now += 50
    assert client.chat_postMessage(channel=GENERAL, text="3")["ok"] is True
    statuses = [c.status for c in emulator.calls_to("chat.postMessage")]
    assert statuses == [200, 200, 429, 200]
    assert [m.text for m in emulator.messages(GENERAL)] == ["1", "2", "3"]


def test_retry_after_is_at_least_one_second(client: WebClient, emulator: SlackEmulator) -> None:
    emulator.set_rate_limit("auth.test", calls=0, per_seconds=0.2)
    error = slack_error(client.auth_test)
    assert error.response.headers["Retry-After"] == "1"


def test_the_sdk_retry_handler_waits_out_the_limit() -> None:
    with SlackEmulator() as real_time:
        real_time.add_channel(SlackChannel(GENERAL, "general"))
        real_time.set_rate_limit("chat.postMessage", calls=1, per_seconds=1)
        client = WebClient(token=real_time.bot_token, base_url=real_time.api_url)
        client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
        started = time.monotonic()
        client.chat_postMessage(channel=GENERAL, text="first")
        assert client.chat_postMessage(channel=GENERAL, text="second")["ok"] is True
        assert time.monotonic() - started >= 1
        assert [c.status for c in real_time.calls_to("chat.postMessage")] == [200, 429, 200]


# -- views --------------------------------------------------------------------------------------


def test_publish_a_home_tab(client: WebClient, emulator: SlackEmulator) -> None:
    home = {"type": "home", "blocks": [section("Your favours")]}
    view = client.views_publish(user_id=ALICE, view=home)["view"]
    assert view["type"] == "home" and view["id"].startswith("V")
    assert emulator.published_views[ALICE]["blocks"] == home["blocks"]
    again = client.views_publish(user_id=ALICE, view=home, hash=view["hash"])["view"]
    assert again["id"] == view["id"]
    stale = error_code(client.views_publish, user_id=ALICE, view=home, hash=view["hash"])
    assert stale == "hash_conflict"


def test_publish_rejections(client: WebClient) -> None:
    home = {"type": "home", "blocks": [section("x")]}
    assert error_code(client.views_publish, user_id="U0NOBODY9", view=home) == "user_not_found"
    assert error_code(client.views_publish, user_id=ALICE, view=modal()) == "invalid_arguments"
    big = {"type": "home", "blocks": [section(f"{n}") for n in range(101)]}
    error = slack_error(client.views_publish, user_id=ALICE, view=big)
    assert error.response["error"] == "invalid_arguments"
    assert error.response["response_metadata"]["messages"] == [
        "[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]"
    ]


def test_open_a_modal_with_a_trigger(client: WebClient, emulator: SlackEmulator) -> None:
    trigger = emulator.new_trigger_id(ALICE)
    view = client.views_open(trigger_id=trigger, view=modal())["view"]
    assert view["title"]["text"] == "Say thanks" and view["root_view_id"] == view["id"]
    assert list(emulator.open_views) == [view["id"]]
    assert emulator.view_owner(view["id"]) == ALICE
    assert error_code(client.views_open, trigger_id=trigger, view=modal()) == (
        "exchanged_trigger_id"
    )
    emulator.close_view(view["id"])
    assert emulator.open_views == {}


def test_triggers_expire_after_three_seconds(
    client: WebClient, emulator: SlackEmulator, clock: FakeClock
) -> None:
    trigger = emulator.new_trigger_id(ALICE)
    clock.now += 3.5
    assert error_code(client.views_open, trigger_id=trigger, view=modal()) == "expired_trigger_id"
    assert error_code(client.views_open, trigger_id="1.2.abc", view=modal()) == (
        "invalid_trigger_id"
    )


@pytest.mark.parametrize(
    ("view", "reason"),
    [
        (modal(title="t" * 25), "must be less than 25 characters [json-pointer:/view/title/text]"),
        ({"type": "modal", "blocks": [section("x")]}, "missing required field: title"),
        (modal(blocks=[section(f"{n}") for n in range(101)]), "no more than 100 items allowed"),
        (modal(blocks=[section("x" * 3001)]), "[json-pointer:/view/blocks/0]"),
        (
            modal(
                blocks=[
                    {
                        "type": "input",
                        "label": {"type": "plain_text", "text": "Why?"},
                        "element": {"type": "plain_text_input", "action_id": "why"},
                    }
                ]
            ),
            "must provide submit",
        ),
    ],
)
def test_invalid_modals_are_refused(
    client: WebClient, emulator: SlackEmulator, view: dict[str, Any], reason: str
) -> None:
    trigger = emulator.new_trigger_id(ALICE)
    error = slack_error(client.views_open, trigger_id=trigger, view=view)
    assert error.response["error"] == "invalid_arguments"
    assert any(reason in m for m in error.response["response_metadata"]["messages"])
    assert emulator.open_views == {}


def test_update_a_view_by_id_or_external_id(client: WebClient, emulator: SlackEmulator) -> None:
    opened = modal() | {"external_id": "thanks-1"}
    view = client.views_open(trigger_id=emulator.new_trigger_id(BOB), view=opened)["view"]
    by_id = client.views_update(view_id=view["id"], view=modal(title="Step 2"))["view"]
    assert by_id["id"] == view["id"] and by_id["title"]["text"] == "Step 2"
    by_external = client.views_update(
        external_id="thanks-1", view=modal(title="Step 3") | {"external_id": "thanks-1"}
    )["view"]
    assert emulator.open_views[view["id"]]["title"]["text"] == "Step 3"
    assert error_code(client.views_update, view_id="V0NOPE", view=modal()) == "not_found"
    stale = client.views_update
    assert error_code(stale, view_id=view["id"], view=modal(), hash=by_id["hash"]) == (
        "hash_conflict"
    )
    assert by_external["hash"] != by_id["hash"]


# -- response_url and slash-command responses ------------------------------------------------------


def test_response_url_posts_ephemeral_by_default_and_in_channel_on_request(
    emulator: SlackEmulator,
) -> None:
    webhook = WebhookClient(emulator.new_response_url(GENERAL, ALICE))
    assert webhook.send(text="just for you").status_code == 200
    assert webhook.send(text="for everyone", response_type="in_channel").status_code == 200
    private, public = emulator.messages(GENERAL)
    assert (private.text, private.ephemeral_for, private.source) == (
        "just for you",
        ALICE,
        "response_url",
    )
    assert (public.text, public.ephemeral_for, public.user) == ("for everyone", None, BOT)
    assert [c.method for c in emulator.calls] == ["response_url", "response_url"]


def test_response_url_replaces_or_deletes_the_message_it_came_from(
    client: WebClient, emulator: SlackEmulator
) -> None:
    ts = client.chat_postMessage(channel=GENERAL, text="Pick one", blocks=[section("old")])["ts"]
    webhook = WebhookClient(emulator.new_response_url(GENERAL, ALICE, message_ts=ts))
    assert webhook.send(text="Thanks for choosing", replace_original=True).status_code == 200
    [replaced] = emulator.messages(GENERAL)
    assert (replaced.ts, replaced.text, replaced.blocks, replaced.edited) == (
        ts,
        "Thanks for choosing",
        [],
        True,
    )
    assert webhook.send_dict({"delete_original": True}).status_code == 200
    assert emulator.messages(GENERAL) == []


def test_response_url_works_five_times_within_thirty_minutes(
    emulator: SlackEmulator, clock: FakeClock
) -> None:
    webhook = WebhookClient(emulator.new_response_url(GENERAL, ALICE))
    assert [webhook.send(text=f"{n}").status_code for n in range(5)] == [200] * 5
    used = webhook.send(text="sixth")
    assert (used.status_code, json.loads(used.body)["error"]) == (404, "used_url")

    late = WebhookClient(emulator.new_response_url(GENERAL, ALICE))
    clock.now += RESPONSE_URL_TTL_SECONDS + 1
    expired = late.send(text="too late")
    assert (expired.status_code, json.loads(expired.body)["error"]) == (404, "expired_url")
    assert len(emulator.messages(GENERAL)) == 5


def test_response_url_validates_like_post_message(emulator: SlackEmulator) -> None:
    webhook = WebhookClient(emulator.new_response_url(GENERAL, ALICE))
    bad = webhook.send(text="t", blocks=[section("z" * 3001)])
    assert bad.status_code == 400 and json.loads(bad.body)["error"] == "invalid_blocks"
    empty = webhook.send_dict({"text": ""})
    assert empty.status_code == 400 and json.loads(empty.body)["error"] == "no_text"
    assert emulator.messages() == []
    unknown = WebhookClient(emulator.base_url + "/commands/T0SANDBOX/1/forged").send(text="x")
    assert unknown.status_code == 404


def test_deliver_command_response(emulator: SlackEmulator) -> None:
    public = emulator.deliver_command_response(
        GENERAL, ALICE, {"response_type": "in_channel", "text": "Thanks <@U0BOB0002>!"}
    )
    assert public is not None
    assert (public.source, public.ephemeral_for, public.user) == ("command_response", None, BOT)
    private = emulator.deliver_command_response(GENERAL, ALICE, {"text": "Who?"})
    assert private is not None and private.ephemeral_for == ALICE
    assert emulator.deliver_command_response(GENERAL, ALICE, {}) is None
    with pytest.raises(SlackEmulatorRejected) as raised:
        emulator.deliver_command_response(GENERAL, ALICE, {"blocks": [{"type": "nope"}]})
    assert raised.value.error == "invalid_blocks"
    assert [m.text for m in emulator.messages(GENERAL)] == ["Thanks <@U0BOB0002>!", "Who?"]


def test_reset_forgets_activity_but_keeps_people_and_channels(
    client: WebClient, emulator: SlackEmulator
) -> None:
    client.chat_postMessage(channel=GENERAL, text="hi")
    client.views_publish(user_id=ALICE, view={"type": "home", "blocks": [section("x")]})
    emulator.reset()
    assert emulator.calls == [] and emulator.messages() == [] and emulator.published_views == {}
    assert emulator.user_by_name("alice") is not None
    assert emulator.channel_by_name("#general") is not None


# -- rendering ------------------------------------------------------------------------------------


def test_render_message_reads_like_slack(emulator: SlackEmulator) -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Kudos"}},
        section(f"*<@{BOB}|bob>* helped <@{ALICE}> in <#{GENERAL}|general> &amp; more"),
        {"type": "divider"},
        {
            "type": "context",
            "elements": [
                {"type": "image", "image_url": "https://x/y.png", "alt_text": "medal"},
                {"type": "mrkdwn", "text": "See <https://goodwill.example/faq|the FAQ>"},
            ],
        },
        {
            "type": "actions",
            "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": "Thank too"}},
                {"type": "button", "text": {"type": "plain_text", "text": "Undo"}},
            ],
        },
    ]
    message = Message(GENERAL, "1790000000.000100", BOT, "fallback", blocks)
    rendered = render_message(message, emulator.users, emulator.channels)
    assert rendered.splitlines() == [
        "#general  Goodwill:",
        "  Kudos",
        "  =====",
        "  *@bob* helped @alice in #general & more",
        "  " + "-" * 40,
        "  medal | See the FAQ (https://goodwill.example/faq)",
        "  [Thank too] [Undo]",
    ]


def test_render_falls_back_to_text_and_marks_ephemerals(emulator: SlackEmulator) -> None:
    message = Message(
        GENERAL, "1.000001", BOT, f"Only <@{ALICE}> sees <!here>", ephemeral_for=ALICE
    )
    assert render_message(message, emulator.users, emulator.channels) == (
        "#general  (only visible to @alice) Goodwill:\n  Only @alice sees @here"
    )


def test_render_view_shows_title_blocks_and_buttons(emulator: SlackEmulator) -> None:
    view = modal(blocks=[section(f"Thank <@{CAROL}>?")]) | {
        "submit": {"type": "plain_text", "text": "Send"}
    }
    assert render_view(view, emulator.users, emulator.channels) == (
        "[ Say thanks ]\n  Thank @carol?\n  [Cancel] [Send]"
    )


# -- file uploads (files_upload_v2) ---------------------------------------------------------------


def upload(emulator: SlackEmulator, path_or_url: str, data: bytes) -> tuple[int, str]:
    """POST raw bytes to an upload URL, as slack_sdk does; the status and the text answered."""
    url = path_or_url if path_or_url.startswith("http") else emulator.base_url + path_or_url
    request = urllib.request.Request(url, data=data, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode()


def test_files_upload_v2_shares_the_file_with_its_bytes(
    client: WebClient, emulator: SlackEmulator
) -> None:
    csv_bytes = b"who,whom\nbob,alice\n"
    reply = client.files_upload_v2(
        channel=GENERAL,
        content=csv_bytes,
        filename="ledger.csv",
        title="Ledger",
        initial_comment="Here it is",
    )

    [file] = emulator.uploaded_files
    assert (file.filename, file.title, file.content, file.size) == (
        "ledger.csv",
        "Ledger",
        csv_bytes,
        len(csv_bytes),
    )
    assert (file.channels, file.initial_comment, file.text) == (
        (GENERAL,),
        "Here it is",
        "who,whom\nbob,alice\n",
    )
    shared = reply["file"]
    assert (shared["id"], shared["name"], shared["title"]) == (file.id, "ledger.csv", "Ledger")
    assert (shared["mimetype"], shared["filetype"], shared["size"]) == ("text/csv", "csv", 19)
    assert shared["channels"] == [GENERAL] and shared["is_public"] is True
    assert [m.text for m in emulator.messages(GENERAL)] == ["Here it is"]
    assert [c.method for c in emulator.calls] == [
        "files.getUploadURLExternal",
        "upload_url",
        "files.completeUploadExternal",
    ]
    assert emulator.calls_to("files.getUploadURLExternal")[0].args == {
        "filename": "ledger.csv",
        "length": "19",
    }
    assert emulator.calls_to("files.completeUploadExternal")[0].args["files"] == [
        {"id": file.id, "title": "Ledger"}
    ]


def test_a_file_shared_in_a_dm_or_nowhere(client: WebClient, emulator: SlackEmulator) -> None:
    dm = client.conversations_open(users=ALICE)["channel"]["id"]
    in_dm = client.files_upload_v2(channel=dm, content="a", filename="a.txt")["file"]
    private = client.files_upload_v2(content="b", filename="b.txt")["file"]
    assert (in_dm["ims"], in_dm["is_public"], in_dm["title"]) == ([dm], False, "a.txt")
    assert (private["ims"], private["channels"]) == ([], [])
    assert [f.channels for f in emulator.uploaded_files] == [(dm,), ()]
    assert [m.channel for m in emulator.messages()] == [dm]


def test_get_upload_url_checks_its_arguments(client: WebClient) -> None:
    missing = slack_error(client.api_call, "files.getUploadURLExternal", params={})
    assert missing.response["error"] == "invalid_arguments"
    assert missing.response["errors"] == [
        "missing required field: filename",
        "missing required field: length",
    ]
    for length in ("abc", "0", "-3"):
        refused = slack_error(client.files_getUploadURLExternal, filename="x.csv", length=length)
        assert refused.response["error"] == "invalid_arguments", length
    too_long = {"filename": "cat.png", "length": 10, "alt_txt": "a" * 1001}
    assert error_code(client.api_call, "files.getUploadURLExternal", params=too_long) == (
        "alt_txt_too_large"
    )
    ok = client.files_getUploadURLExternal(filename="x.csv", length=3, alt_txt="a" * 1000)
    assert ok["file_id"].startswith("F") and "/upload/v1/" in ok["upload_url"]


def test_an_upload_url_takes_the_declared_bytes_once(
    client: WebClient, emulator: SlackEmulator
) -> None:
    reserved = client.files_getUploadURLExternal(filename="x.csv", length=3)
    url = reserved["upload_url"]

    assert upload(emulator, url, b"toolong") == (400, "length_mismatch: declared 3, got 7")
    assert upload(emulator, "/upload/v1/made-up", b"abc") == (404, "not_found")
    assert upload(emulator, url, b"abc") == (200, "OK - 3")
    assert upload(emulator, url, b"abc") == (404, "not_found")
    uploads = emulator.calls_to("upload_url")
    assert [(c.ok, c.status, c.error) for c in uploads] == [
        (False, 400, "length_mismatch"),
        (False, 404, "not_found"),
        (True, 200, None),
        (False, 404, "not_found"),
    ]


def test_complete_upload_rejections(client: WebClient, emulator: SlackEmulator) -> None:
    emulator.add_channel(SlackChannel("C0QUIET01", "quiet", members={ALICE}))
    waiting = client.files_getUploadURLExternal(filename="w.csv", length=1)["file_id"]
    reserved = client.files_getUploadURLExternal(filename="x.csv", length=1)
    assert upload(emulator, reserved["upload_url"], b"x")[0] == 200
    file_id = reserved["file_id"]

    def complete(**args: Any) -> str:
        return error_code(client.api_call, "files.completeUploadExternal", params=args)

    assert complete() == "invalid_arguments"
    assert complete(files="not json") == "invalid_arguments"
    assert complete(files="[]") == "invalid_arguments"
    assert complete(files=json.dumps([{"title": "no id"}])) == "invalid_arguments"
    assert complete(files=json.dumps([{"id": file_id}, {"id": file_id}])) == "invalid_arguments"
    assert complete(files=json.dumps([{"id": "F0NOPE"}])) == "file_not_found"
    assert complete(files=json.dumps([{"id": waiting}])) == "file_not_found"  # no bytes yet
    listed = json.dumps([{"id": file_id}])
    assert complete(files=listed, channel_id="C0NOWHERE") == "channel_not_found"
    assert complete(files=listed, channel_id=HIDDEN) == "channel_not_found"
    assert complete(files=listed, channel_id="C0QUIET01") == "not_in_channel"
    assert emulator.uploaded_files == [] and emulator.messages() == []

    client.files_completeUploadExternal(files=[{"id": file_id}], channel_id=SECRET)
    assert complete(files=listed) == "file_not_found"  # once only
    [file] = emulator.uploaded_files
    assert (file.id, file.title, file.channels) == (file_id, "x.csv", (SECRET,))


def test_reset_forgets_uploaded_files(client: WebClient, emulator: SlackEmulator) -> None:
    client.files_upload_v2(channel=GENERAL, content="x", filename="x.txt")
    emulator.reset()
    assert emulator.uploaded_files == []


# -- serving ------------------------------------------------------------------------------------


def _serving_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "slack-emulator"]


def test_threads_are_reused_and_calls_in_flight_at_once_each_have_one(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[threading.Thread] = []
    start = threading.Thread.start

    def counted(thread: threading.Thread) -> None:
        started.append(thread)
        start(thread)

    before = set(_serving_threads())
    with SlackEmulator(clock=clock) as emulator:
        client = WebClient(token=emulator.bot_token, base_url=emulator.api_url)
        monkeypatch.setattr(threading.Thread, "start", counted)
        for _ in range(50):
            client.auth_test()
        # One after another, a thread is nearly always free again when the next call comes.
        assert len(started) <= 10

        emulator.set_latency("auth.test", 0.3)
        began = time.monotonic()
        with ThreadPoolExecutor(max_workers=4) as pool:
            for answer in [pool.submit(client.auth_test) for _ in range(4)]:
                assert answer.result()["ok"]
        assert time.monotonic() - began < 1.0  # four at once, not one after another
        serving = set(_serving_threads()) - before
        assert len(serving) >= 4
    for thread in serving:  # stopping the emulator ends them
        thread.join(timeout=5)
        assert not thread.is_alive()
