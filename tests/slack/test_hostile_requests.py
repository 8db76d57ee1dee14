"""Requests nobody should send: refused before anything reads them when they are not signed,
and answered clearly (never 500, nothing half-recorded) when they are signed but malformed."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import time
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from slack_bolt import BoltContext
from sqlalchemy import exc, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import DatabaseUnavailableError, MalformedRequestError
from bot.models import Credit, ProcessedEvent
from bot.sandbox.driver import SlackDriver
from bot.sandbox.harness import SIGNING_SECRET, Sandbox
from bot.sandbox.transport import Delivery, HttpTransport
from bot.slack.app import make_client
from bot.slack.failures import answer_failure, what_went_wrong
from bot.slack.ids import (
    FAVOR_COMMAND,
    FAVOR_THANK_PUBLICLY,
    THANK_FOR_THIS_SHORTCUT,
    THANKS_COMMAND,
)
from bot.slack.web import MAX_BODY_BYTES, wsgi_app
from tests.support import LoopbackServer

ALICE, BOB = "U0ALICE01", "U0BOB0002"
UNREADABLE = MalformedRequestError.user_message
GENERAL = "C0GENERAL"


@pytest.fixture
def url(sandbox: Sandbox) -> Iterator[str]:
    with LoopbackServer(wsgi_app(sandbox.app)) as server:
        yield f"{server.url}/slack/events"


@pytest.fixture
def over_http(sandbox: Sandbox, url: str) -> SlackDriver:
    return SlackDriver(sandbox.emulator, SIGNING_SECRET, HttpTransport(url))


def count(sessions: sessionmaker[Session], model: type[Any]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


def signature(body: bytes, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    """Slack's signature computed on bytes, so that bytes that are not UTF-8 can be signed."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def now() -> str:
    return str(int(time.time()))


FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    ("body", "content_type", "timestamp", "sign"),
    [
        pytest.param(b"\xff\xfe{not utf-8", "application/json", None, True, id="not-utf-8"),
        pytest.param(b"{not json", "application/json", None, False, id="not-json"),
        pytest.param(b"payload=%7Bnot+json", FORM, None, False, id="payload-not-json"),
        pytest.param(b"command=%2Fthanks", FORM, "soon", True, id="timestamp-not-a-number"),
        pytest.param(b"command=%2Fthanks", FORM, "17\u00b2", True, id="timestamp-superscript"),
        pytest.param(b"command=%2Fthanks", FORM, "1" * 40, True, id="timestamp-huge"),
        pytest.param(b"command=%2Fthanks", FORM, str(int(time.time()) - 400), True, id="stale"),
        pytest.param(b"", FORM, None, False, id="empty"),
    ],
)
def test_unsigned_or_undecodable_requests_are_refused_401_without_a_traceback(
    url: str,
    sessions: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    content_type: str,
    timestamp: str | None,
    sign: bool,
) -> None:
    stamp = timestamp if timestamp is not None else now()
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp}
    headers["X-Slack-Signature"] = signature(body, stamp) if sign else "v0=" + "0" * 64
    with caplog.at_level(logging.INFO):
        assert post(url, body, headers) == 401
    assert [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info] == []
    assert count(sessions, Credit) == 0


def test_a_body_larger_than_slack_sends_is_refused_413_unread(url: str) -> None:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        connection.putrequest("POST", parts.path)
        connection.putheader("Content-Type", FORM)
        connection.putheader("Content-Length", str(MAX_BODY_BYTES + 1))
        connection.endheaders(b"command=%2Fthanks")  # the rest never comes, and is not awaited
        assert connection.getresponse().status == 413
    finally:
        connection.close()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("[1, 2]", id="json-not-an-object"),
        pytest.param('{"type": "event_callback", "authorizations": "T0SANDBOX"}', id="auths-str"),
        pytest.param(
            '{"type": "event_callback", "event": {"type": "team_join"}, "user": ["U1"]}',
            id="user-a-list",
        ),
    ],
)
def test_signed_json_bolt_cannot_read_is_answered_400(
    over_http: SlackDriver, sessions: sessionmaker[Session], body: str
) -> None:
    headers = {"Content-Type": "application/json", **_signed(body)}
    assert over_http.transport.send(body, headers).status == 400
    assert count(sessions, ProcessedEvent) == 0


def test_a_signed_payload_that_is_not_json_is_answered_400(over_http: SlackDriver) -> None:
    assert over_http.send_form({"payload": "{not json"}).status == 400


def test_a_command_saying_payload_is_read_as_a_command(
    sandbox: Sandbox, over_http: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    # Bolt alone reads a form with the word "payload" in it as interactivity, and drops it.
    delivery, _ = over_http.slash_command(
        ALICE, THANKS_COMMAND, f"<@{BOB}> for the payload parser fix", GENERAL
    )
    assert delivery.status == 200
    sandbox.settle()
    [posted] = sandbox.emulator.messages(GENERAL)
    assert "payload parser fix" in str(posted.blocks)
    assert count(sessions, Credit) == 1


def _signed(body: str) -> dict[str, str]:
    stamp = now()
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature(body.encode(), stamp),
    }


# Signed, so from Slack as far as anyone can tell, and still not in any shape Slack sends.


def command(sandbox: Sandbox, text: str, **changes: str | None) -> Delivery:
    payload = sandbox.driver.command_payload(ALICE, THANKS_COMMAND, text, GENERAL)
    for key, value in changes.items():
        if value is None:
            del payload[key]
        else:
            payload[key] = value
    return sandbox.driver.send_form(payload)


def test_control_characters_in_a_reason_are_taken_out(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    # PostgreSQL refuses a NUL in text; nobody types one, so it is cleaned, not refused.
    delivery = command(sandbox, f"<@{BOB}> for the\x00 fix\x07 on\ttime #care\x1b")
    assert (delivery.status, delivery.body) == (200, "")  # thanked
    with sessions() as session:
        [credit] = session.scalars(select(Credit))
        assert credit.reason == "for the fix on time"
        assert credit.values == ["care"]


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"user_id": None}, id="no-user"),
        pytest.param({"channel_id": None}, id="no-channel"),
        pytest.param({"user_id": "U" + "A" * 10_000}, id="oversize-user"),
        pytest.param({"team_id": "T0SANDBOX\x00"}, id="nul-in-team"),
        pytest.param({"channel_id": "not a channel"}, id="not-an-id"),
    ],
)
def test_a_command_with_a_field_missing_or_forged_is_answered_privately(
    sandbox: Sandbox, sessions: sessionmaker[Session], changes: dict[str, str | None]
) -> None:
    delivery = command(sandbox, f"<@{BOB}> for the fix", **changes)
    assert delivery.status == 200
    answer = delivery.json()
    assert answer == {"response_type": "ephemeral", "text": MalformedRequestError.user_message}
    assert count(sessions, Credit) == 0


def thank_publicly_button(sandbox: Sandbox) -> Any:
    delivery, shown = sandbox.driver.slash_command(
        ALICE, FAVOR_COMMAND, f"<@{BOB}> fed my cat", GENERAL
    )
    assert delivery.status == 200 and shown is not None
    return shown


@pytest.mark.parametrize(
    "value", ["²", str(10**40), "-1", '{"credit": 1}', "1" * 5_000, "0x10", ""]
)
def test_a_tampered_button_value_changes_nothing_and_says_so(
    sandbox: Sandbox, sessions: sessionmaker[Session], value: str
) -> None:
    shown = thank_publicly_button(sandbox)
    payload = sandbox.driver.block_action_payload(ALICE, shown, FAVOR_THANK_PUBLICLY)
    payload["actions"][0]["value"] = value
    assert sandbox.driver.send_interaction(payload).status == 200
    assert sandbox.emulator.messages(GENERAL, ephemeral=False) == []  # no shout-out
    with sessions() as session:
        assert session.scalars(select(Credit.quotable)).all() == [False]
    notes = [m.text for m in sandbox.emulator.messages(GENERAL, ephemeral=True) if m.ts != shown.ts]
    assert notes in (["That button no longer works. Nothing was changed."], [UNREADABLE])


def test_a_form_missing_its_view_id_is_answered_under_its_first_field(
    sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    message = sandbox.emulator.post_user_message(GENERAL, BOB, "How to roll back")
    assert sandbox.driver.message_shortcut(ALICE, THANK_FOR_THIS_SHORTCUT, message).status == 200
    [view] = sandbox.emulator.open_views.values()
    values = {"helper": {"helper": {"type": "users_select", "selected_user": BOB}}}
    payload = sandbox.driver.view_submission_payload(ALICE, view, values)
    del payload["view"]["id"]
    delivery = sandbox.driver.send_interaction(payload)
    assert delivery.status == 200
    assert delivery.json() == {
        "response_action": "errors",
        "errors": {"helper": MalformedRequestError.user_message},
    }
    assert count(sessions, Credit) == 0


@pytest.mark.parametrize(
    ("event", "status"),
    [
        pytest.param("reaction_added", 400, id="event-a-string"),
        pytest.param({"type": "team_join", "user": "U0NEWBIE3"}, 400, id="user-not-a-dict"),
        # Events Goodwill has nothing to do with are acknowledged and left alone.
        pytest.param({"type": "reaction_added", "user": [ALICE]}, 200, id="user-a-list"),
        pytest.param({"type": "reaction_added", "user": ALICE}, 200, id="no-item"),
    ],
)
def test_an_event_of_the_wrong_shape_is_answered_and_not_recorded(
    sandbox: Sandbox, sessions: sessionmaker[Session], event: object, status: int
) -> None:
    envelope = {**sandbox.driver.event_envelope({"type": "team_join"}), "event": event}
    assert sandbox.driver.send_event(envelope).status == status
    assert count(sessions, ProcessedEvent) == 0


def test_failures_are_told_apart() -> None:
    down = exc.OperationalError("SELECT 1", {}, Exception("connection refused"))
    assert isinstance(what_went_wrong(down), DatabaseUnavailableError)
    assert isinstance(what_went_wrong(KeyError("user_id")), MalformedRequestError)
    assert type(what_went_wrong(RuntimeError("a bug"))).__name__ == "GoodwillError"


def test_every_answer_is_json_a_slack_client_reads(sandbox: Sandbox) -> None:
    delivery = command(sandbox, f"<@{BOB}> for the fix", user_id=None)
    assert delivery.headers["content-type"].startswith("application/json")
    assert json.loads(delivery.body)["response_type"] == "ephemeral"


def test_a_hundred_kilobytes_of_thanks_is_refused_at_once_over_http(
    over_http: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    text = f"<@{BOB}> for it " + "#tag <@U0CAROL03> " * 6_000
    started = time.perf_counter()
    delivery = over_http.send_form(over_http.command_payload(ALICE, THANKS_COMMAND, text, GENERAL))
    elapsed = time.perf_counter() - started
    assert delivery.status == 200
    assert delivery.json()["response_type"] == "ephemeral"
    assert "far more than one command holds" in delivery.json()["text"]
    assert elapsed < 1.0  # over loopback HTTP, parsing included; 6 s for 30 KB before
    assert count(sessions, Credit) == 0


def test_a_click_without_a_response_url_is_answered_in_a_dm(sandbox: Sandbox) -> None:
    # A click on the Home or in a modal: no response_url, so the words come as a DM.
    client = make_client(sandbox.emulator.bot_token, sandbox.emulator.api_url)
    context = BoltContext({"user_id": ALICE, "client": client})
    body = {"type": "block_actions", "user": {"id": ALICE}, "view": {"type": "home"}}
    down = exc.OperationalError("SELECT 1", {}, Exception("connection refused"))
    answer = answer_failure(down, body, context)
    assert (answer.status, answer.body) == (200, "")
    [dm] = [m for m in sandbox.emulator.messages() if m.channel.startswith("D")]
    assert dm.text == DatabaseUnavailableError.user_message


def test_an_event_is_redelivered_while_the_database_is_out_of_reach() -> None:
    down = exc.OperationalError("SELECT 1", {}, Exception("connection refused"))
    envelope = {"type": "event_callback", "event": {"type": "team_join"}}
    assert answer_failure(down, envelope, BoltContext()).status == 503
    assert answer_failure(KeyError("user"), envelope, BoltContext()).status == 400
