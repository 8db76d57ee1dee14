"""The bot's Web API clients try a broken connection again only where a second call cannot
post twice: slack_sdk's own default retries any call, after Slack had the request too. And the
calls that follow a committed action fail quietly when Slack is out of reach."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from http.client import RemoteDisconnected
from typing import Any
from urllib.error import URLError

import pytest
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.state import RetryState
from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock
from sqlalchemy.orm import Session, sessionmaker

from bot.deps import Deps
from bot.listeners.actions._slack import send_dm, update
from bot.sandbox.harness import Sandbox
from bot.slack.app import (
    REPEATABLE_METHODS,
    HarmlessConnectionRetry,
    Respond,
    build_app,
    make_client,
)
from bot.slack.ids import FAVOR_COMMAND, FAVOR_THANK_PUBLICLY
from tests.support import AnswerlessSlack, unused_port


@pytest.fixture
def slack() -> Iterator[AnswerlessSlack]:
    slack = AnswerlessSlack()
    yield slack
    slack.close()


def test_a_message_whose_answer_was_lost_is_not_posted_again(slack: AnswerlessSlack) -> None:
    client = make_client("xoxb-test", slack.url)
    with pytest.raises((RemoteDisconnected, ConnectionError)):
        client.chat_postMessage(channel="C0GENERAL1", text="Thanks, Bob!")
    assert slack.requests == 1


def test_a_repeatable_call_whose_answer_was_lost_is_tried_once_more(
    slack: AnswerlessSlack,
) -> None:
    client = make_client("xoxb-test", slack.url)
    with pytest.raises((RemoteDisconnected, ConnectionError)):
        client.users_info(user="U0BOB0002")
    assert slack.requests == 2


@pytest.mark.parametrize("method", ["chat.postMessage", "views.open", "users.info"])
def test_any_call_that_never_reached_slack_may_be_tried_again(method: str) -> None:
    request = HttpRequest(method="POST", url=f"https://slack.com/api/{method}", headers={})
    refused = URLError(ConnectionRefusedError(111, "Connection refused"))
    assert HarmlessConnectionRetry().can_retry(state=RetryState(), request=request, error=refused)
    lost = RemoteDisconnected("Remote end closed connection without response")
    again = HarmlessConnectionRetry().can_retry(state=RetryState(), request=request, error=lost)
    assert again == (method in REPEATABLE_METHODS)


def test_a_refused_connection_is_tried_once_more_then_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = unused_port()
    attempts: list[object] = []
    connect = socket.create_connection

    def counted(*args: Any, **kwargs: Any) -> socket.socket:
        attempts.append(args[0])
        return connect(*args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", counted)
    client = make_client("xoxb-test", f"http://127.0.0.1:{port}/api/")
    with pytest.raises(URLError):
        client.chat_postMessage(channel="C0GENERAL1", text="Thanks, Bob!")
    assert attempts == [("127.0.0.1", port)] * 2


def test_listeners_clients_retry_connections_and_do_not_wait_out_429s(
    sessions: sessionmaker[Session],
) -> None:
    # Bolt gives each request a copy of the app's client, with a copy of its retry handlers.
    # A listener answers within Slack's 3 seconds; the jobs, on `client` itself, wait.
    client = make_client("xoxb-test", "http://127.0.0.1:9/api/")
    app = build_app(Deps(sessions), client=client, signing_secret="secret", verify_token=False)
    kinds = [type(handler) for handler in app.client.retry_handlers]
    assert kinds == [HarmlessConnectionRetry]
    assert [type(handler) for handler in client.retry_handlers] == [
        HarmlessConnectionRetry,
        RateLimitErrorRetryHandler,
    ]


def test_an_action_s_follow_up_calls_fail_quietly_when_slack_is_out_of_reach(
    slack: AnswerlessSlack,
) -> None:
    # After an action has committed, a lost chat.update or DM is logged, not raised as a 500.
    client = make_client("xoxb-test", slack.url)
    update(client, "C0GENERAL1", "1764000000.000100", {"text": "Done — thanked Bob"})
    send_dm(client, "U0BOB0002", {"text": "Alice thanked you"})
    assert slack.requests == 2 + 1  # chat.update is repeatable, chat.postMessage is not


@pytest.mark.parametrize(
    "message",
    [{"text": "Shared in the channel", "response_type": "in_channel"}, "Shared in the channel"],
)
def test_a_response_url_post_whose_answer_was_lost_is_not_posted_again(
    slack: AnswerlessSlack, message: str | dict[str, Any]
) -> None:
    respond = Respond(response_url=f"{slack.url}response/T0SANDBOX/1")
    with pytest.raises((RemoteDisconnected, ConnectionError)):
        if isinstance(message, dict):
            respond(message)
        else:
            respond(text=message, response_type="in_channel")
    assert slack.requests == 1


def test_listeners_respond_with_these_retries(sandbox: Sandbox, slack: AnswerlessSlack) -> None:
    # Bolt's own respond() would post this shout-out twice when its answer is lost.
    delivery, shown = sandbox.driver.slash_command(
        "U0ALICE01", FAVOR_COMMAND, "<@U0BOB0002> reviewed my talk", "C0GENERAL"
    )
    assert delivery.status == 200 and shown is not None
    payload = sandbox.driver.block_action_payload("U0ALICE01", shown, FAVOR_THANK_PUBLICLY)
    payload["response_url"] = f"{slack.url}response/T0SANDBOX/1"
    sandbox.driver.send_interaction(payload)
    assert slack.requests == 1


def test_respond_sends_what_bolts_respond_sends(sandbox: Sandbox) -> None:
    url = sandbox.emulator.new_response_url("C0GENERAL", "U0ALICE01")
    block = SectionBlock(text=MarkdownTextObject(text="*Thanks* for the review"))

    respond = Respond(response_url=url)
    assert respond(text="Thanks", blocks=[block], attachments=[]).status_code == 200
    assert respond({"text": "Again", "response_type": "in_channel"}).status_code == 200

    private, public = sandbox.emulator.messages("C0GENERAL")
    assert (private.ephemeral_for, private.text, private.attachments) == ("U0ALICE01", "Thanks", [])
    assert private.blocks == [block.to_dict()]
    assert (public.ephemeral_for, public.text) == (None, "Again")
