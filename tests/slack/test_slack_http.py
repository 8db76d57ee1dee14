"""Web API calls over kept-alive connections: one connection per thread and host, replaced
when the server closed it, idled too long, or belongs to a parent process; and the errors
slack_sdk's retry handlers read, as urllib gives them."""

from __future__ import annotations

import gc
import os
import select
import threading
import time
import warnings
from collections.abc import Iterator
from urllib.error import URLError

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot.sandbox.harness import Sandbox
from bot.slack import http as slack_http
from bot.slack.app import Respond, answering_client, make_client
from bot.slack.http import KeptAliveClient, RequestClients, kept_alive
from slack_emulator import SlackChannel, SlackEmulator

GENERAL = "C0GENERAL"


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        emulator.add_channel(SlackChannel(GENERAL, "general"))
        yield emulator


def _client(emulator: SlackEmulator) -> WebClient:
    return make_client(emulator.bot_token, emulator.api_url)


def _until_closed_by_server() -> None:
    """Until this thread's kept connections show the server's end (at once on loopback)."""
    deadline = time.monotonic() + 5
    sockets = [c.sock for c in slack_http._connections.pool.open.values() if c.sock is not None]
    while sockets and time.monotonic() < deadline:
        readable, _, _ = select.select(sockets, [], [], 0.05)
        sockets = [sock for sock in sockets if sock not in readable]
    assert not sockets


def test_calls_share_one_connection_where_slack_sdk_opens_one_each(
    emulator: SlackEmulator,
) -> None:
    client = _client(emulator)
    for number in range(5):
        client.chat_postMessage(channel=GENERAL, text=f"Thanks #{number}")
    assert emulator.connections_opened == 1
    plain = WebClient(token=emulator.bot_token, base_url=emulator.api_url)
    for number in range(3):
        plain.chat_postMessage(channel=GENERAL, text=f"Plain #{number}")
    assert emulator.connections_opened == 1 + 3
    assert len(emulator.messages(GENERAL)) == 8


def test_a_connection_the_server_closed_is_replaced_before_a_post(
    emulator: SlackEmulator,
) -> None:
    client = _client(emulator)
    client.chat_postMessage(channel=GENERAL, text="Before")
    emulator.hang_up()
    _until_closed_by_server()
    # Not a retry: chat.postMessage is never sent twice. The closed connection is seen first.
    assert client.chat_postMessage(channel=GENERAL, text="After")["ok"] is True
    assert emulator.connections_opened == 2
    assert [call.status for call in emulator.calls_to("chat.postMessage")] == [200, 200]


def test_a_connection_idle_too_long_is_not_reused(
    emulator: SlackEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _client(emulator)
    client.auth_test()
    monkeypatch.setattr(slack_http, "IDLE_SECONDS", 0.0)
    client.auth_test()
    client.auth_test()
    assert emulator.connections_opened == 3


def test_a_stopped_emulator_closes_its_connections_and_is_out_of_reach(
    emulator: SlackEmulator,
) -> None:
    client = _client(emulator)
    client.auth_test()
    emulator.stop()
    _until_closed_by_server()
    with pytest.raises(URLError):  # refused, as for any call that never left
        client.chat_postMessage(channel=GENERAL, text="Nobody there")


def test_each_thread_has_a_connection_of_its_own_closed_when_it_ends(
    emulator: SlackEmulator,
) -> None:
    client = _client(emulator)
    answers: list[bool] = []

    def post(number: int) -> None:
        for call in range(10):
            answers.append(client.chat_postMessage(channel=GENERAL, text=f"{number}.{call}")["ok"])

    threads = [threading.Thread(target=post, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [True] * 40
    assert emulator.connections_opened == 4
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)  # an ended thread's socket left open
        gc.collect()


def test_a_forked_child_opens_its_own_connection(emulator: SlackEmulator) -> None:
    client = _client(emulator)
    client.auth_test()  # the parent's connection, inherited by the child
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads, Python 3.12+
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through its exit status
        try:
            ok = client.chat_postMessage(channel=GENERAL, text="From the child")["ok"]
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert client.chat_postMessage(channel=GENERAL, text="From the parent")["ok"] is True
    assert emulator.connections_opened == 2
    assert [m.text for m in emulator.messages(GENERAL)] == ["From the child", "From the parent"]


def test_a_429_reaches_the_retry_handlers_as_urllib_gives_it(emulator: SlackEmulator) -> None:
    emulator.set_rate_limit("chat.postMessage", calls=1, per_seconds=1)
    client = _client(emulator)
    client.chat_postMessage(channel=GENERAL, text="first")
    with pytest.raises(SlackApiError) as refused:
        answering_client(client).chat_postMessage(channel=GENERAL, text="now")
    assert refused.value.response.status_code == 429
    assert refused.value.response.headers["Retry-After"] == "1"
    started = time.monotonic()
    assert client.chat_postMessage(channel=GENERAL, text="waited")["ok"] is True
    assert time.monotonic() - started >= 1
    assert emulator.connections_opened == 1


def test_kept_alive_keeps_the_client_s_settings() -> None:
    retry = RateLimitErrorRetryHandler(max_retry_count=1)
    plain = WebClient(
        token="xoxb-1",
        base_url="http://127.0.0.1:9/api/",
        timeout=7,
        team_id="T0SANDBOX",
        retry_handlers=[retry],
    )
    client = kept_alive(plain)
    assert isinstance(client, KeptAliveClient)
    assert (client.token, client.base_url, client.timeout) == ("xoxb-1", plain.base_url, 7)
    assert client.default_params == {"team_id": "T0SANDBOX"}
    assert client.retry_handlers == [retry] and client.retry_handlers is not plain.retry_handlers
    assert kept_alive(client) is client


def test_requests_with_the_same_token_share_one_kept_alive_client() -> None:
    clients = RequestClients(size=2)

    def request_client(token: str, team_id: str = "T0SANDBOX") -> WebClient:
        # As Bolt builds it for every request.
        return WebClient(token=token, base_url="http://127.0.0.1:9/api/", team_id=team_id)

    first = clients(request_client("xoxb-1"))
    assert isinstance(first, KeptAliveClient) and first.token == "xoxb-1"
    assert clients(request_client("xoxb-1")) is first
    assert clients(request_client("xoxb-1", team_id="T0OTHER01")) is not first
    other = clients(request_client("xoxb-2"))
    assert other is not first and other.token == "xoxb-2"
    # Three keys in a cache of two: the least recently used, the first, was dropped.
    assert clients(request_client("xoxb-1")) is not first


def test_listeners_calls_reuse_the_connection(sandbox: Sandbox) -> None:
    # Bolt builds each request's client as a plain WebClient; the app keeps it alive.
    opened = sandbox.emulator.connections_opened
    for number in range(3):
        message = sandbox.emulator.post_user_message(GENERAL, "U0BOB0002", f"Fixed CI #{number}")
        delivery = sandbox.driver.react("U0ALICE01", message, "pray")
        assert delivery.status == 200
    confirmations = sandbox.emulator.calls_to("chat.postEphemeral")
    assert [call.ok for call in confirmations] == [True] * 3
    assert sandbox.emulator.connections_opened == opened


def test_response_url_posts_share_the_connection_and_answer_as_slack_sdk_s(
    emulator: SlackEmulator,
) -> None:
    first = emulator.new_response_url(GENERAL, "U0ALICE01")
    second = emulator.new_response_url(GENERAL, "U0ALICE01")
    assert Respond(response_url=first)(text="Counted").status_code == 200
    assert Respond(response_url=second)(text="Counted again").status_code == 200
    assert emulator.connections_opened == 1
    unknown = first.rsplit("/", 1)[0] + "/no-such-url"
    kept = Respond(response_url=unknown)(text="Lost")
    plain = WebhookClient(url=unknown).send(text="Lost")
    assert (kept.status_code, kept.body) == (plain.status_code, plain.body)
    assert kept.status_code >= 400
