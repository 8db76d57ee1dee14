"""The emulator's Socket Mode, driven by a plain WebSocket client as an app would drive Slack's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from slack_emulator import SlackEmulator
from slack_emulator.socket_mode import SocketMode

APP_TOKEN = "xapp-1-A0GOODWILL-test"


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        yield emulator


@pytest.fixture
def socket_mode(emulator: SlackEmulator) -> SocketMode:
    return emulator.enable_socket_mode(app_token=APP_TOKEN, ack_timeout=0.3, max_retries=2)


def _url(emulator: SlackEmulator, token: str = APP_TOKEN) -> str:
    client = WebClient(base_url=emulator.api_url)
    return str(client.apps_connections_open(app_token=token)["url"])


@contextmanager
def _link(emulator: SlackEmulator) -> Iterator[tuple[ClientConnection, dict[str, Any]]]:
    with connect(_url(emulator), open_timeout=5) as connection:
        yield connection, json.loads(connection.recv(timeout=5))


def _next(connection: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(connection.recv(timeout=5))
    return message


def _ack(connection: ClientConnection, envelope: dict[str, Any], **payload: Any) -> None:
    ack: dict[str, Any] = {"envelope_id": envelope["envelope_id"]}
    if payload:
        ack["payload"] = payload
    connection.send(json.dumps(ack))


def test_connections_open_takes_only_the_app_level_token(
    emulator: SlackEmulator, socket_mode: SocketMode
) -> None:
    assert _url(emulator).startswith(f"ws://127.0.0.1:{socket_mode.port}/link/?ticket=")
    for token, error in [
        (emulator.bot_token, "not_allowed_token_type"),
        ("xapp-1-someone-else", "invalid_auth"),
    ]:
        with pytest.raises(SlackApiError) as refused:
            _url(emulator, token)
        assert refused.value.response["error"] == error


def test_hello_then_envelopes_acked_with_their_payload(
    emulator: SlackEmulator, socket_mode: SocketMode
) -> None:
    with _link(emulator) as (connection, hello):
        assert hello["type"] == "hello" and hello["num_connections"] == 1
        assert hello["connection_info"] == {"app_id": "A0GOODWILL"}
        assert "approximate_connection_time" in hello["debug_info"]
        sent = socket_mode.send_command({"command": "/thanks", "text": "hi"})
        envelope = _next(connection)
        assert envelope["type"] == "slash_commands" and envelope["accepts_response_payload"]
        assert envelope["payload"] == {"command": "/thanks", "text": "hi"}
        assert (envelope["retry_attempt"], envelope["retry_reason"]) == (0, "")
        _ack(connection, envelope, text="thanks sent")
        assert sent.wait(5) and sent.ack_payload == {"text": "thanks sent"}
        assert sent.latency is not None and sent.latency > 0
        event = socket_mode.send_event({"type": "event_callback", "event_id": "Ev1"})
        envelope = _next(connection)
        assert envelope["type"] == "events_api" and not envelope["accepts_response_payload"]
        _ack(connection, envelope)
        assert event.wait(5) and event.ack_payload is None and event.acks == 1


def test_a_ticket_opens_one_connection(emulator: SlackEmulator, socket_mode: SocketMode) -> None:
    url = _url(emulator)
    with connect(url, open_timeout=5), pytest.raises(InvalidStatus):
        connect(url, open_timeout=5).__enter__()


def test_envelopes_are_spread_among_connections(
    emulator: SlackEmulator, socket_mode: SocketMode
) -> None:
    with _link(emulator) as (first, _), _link(emulator) as (second, hello):
        assert hello["num_connections"] == 2
        for number in range(4):
            socket_mode.send_event({"type": "event_callback", "event_id": f"Ev{number}"})
        got = [_next(first)["payload"]["event_id"] for _ in range(2)]
        got += [_next(second)["payload"]["event_id"] for _ in range(2)]
        assert sorted(got) == ["Ev0", "Ev1", "Ev2", "Ev3"]


def test_an_event_not_acked_in_time_comes_again_with_its_retry_attempt(
    emulator: SlackEmulator, socket_mode: SocketMode
) -> None:
    with _link(emulator) as (connection, _):
        sent = socket_mode.send_event({"type": "event_callback", "event_id": "Ev1"})
        first = _next(connection)
        again = _next(connection)  # not acked within ack_timeout
        assert again["envelope_id"] == first["envelope_id"]
        assert (again["retry_attempt"], again["retry_reason"]) == (1, "timeout")
        _ack(connection, again)
        assert sent.wait(5) and sent.deliveries == 2


def test_a_command_not_acked_in_time_is_not_sent_again(
    emulator: SlackEmulator, socket_mode: SocketMode
) -> None:
    with _link(emulator) as (connection, _):
        sent = socket_mode.send_command({"command": "/thanks", "text": ""})
        _next(connection)
        with pytest.raises(TimeoutError):
            connection.recv(timeout=1)
        assert sent.timed_out and sent.deliveries == 1 and not sent.wait(0)


def test_disconnect_sends_the_reason_and_later_envelopes_go_to_the_next_connection(
    emulator: SlackEmulator, socket_mode: SocketMode
) -> None:
    with _link(emulator) as (old, _):
        assert socket_mode.disconnect("warning") == 1
        assert _next(old)["type"] == "disconnect" and socket_mode.open_connections == 0
        sent = socket_mode.send_event({"type": "event_callback", "event_id": "Ev1"})
        with _link(emulator) as (new, _):  # the envelope waited for it
            _ack(new, _next(new))
            assert sent.wait(5)
    with pytest.raises(ValueError):
        socket_mode.disconnect("bored")


def test_link_disabled_closes_the_connection_at_once(
    emulator: SlackEmulator, socket_mode: SocketMode
) -> None:
    with _link(emulator) as (connection, _):
        socket_mode.disconnect("link_disabled")
        assert _next(connection)["reason"] == "link_disabled"
        with pytest.raises(ConnectionClosed) as closed:
            connection.recv(timeout=5)
        assert closed.value.rcvd is not None  # a close frame: an orderly end


def test_a_dropped_connection_ends_without_a_close_frame(
    emulator: SlackEmulator, socket_mode: SocketMode
) -> None:
    with _link(emulator) as (connection, _):
        assert socket_mode.drop() == 1
        with pytest.raises(ConnectionClosed) as closed:
            connection.recv(timeout=5)
        assert closed.value.rcvd is None
    assert socket_mode.wait_for_connections(0, timeout=0)


def test_a_silenced_network_carries_nothing_and_closes_nothing(
    emulator: SlackEmulator, socket_mode: SocketMode
) -> None:
    url = _url(emulator)
    with connect(
        url, open_timeout=5, ping_interval=0.2, ping_timeout=0.3, close_timeout=0.5
    ) as connection:
        connection.recv(timeout=5)  # hello
        assert socket_mode.silence() == 1 and socket_mode.open_connections == 0
        socket_mode.send_event({"type": "event_callback", "event_id": "Ev1"})
        with pytest.raises(ConnectionClosed) as closed:  # only the client's own pings tell
            connection.recv(timeout=5)
        assert closed.value.rcvd is None
