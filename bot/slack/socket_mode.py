"""Socket Mode: Bolt's app served over Slack's WebSockets, on two connections at once.

Not slack_sdk's built-in client (Bolt's default SocketModeHandler), because of how it fails:
it reads its one connection on one thread, and after Slack's `disconnect` it opens the new
connection, then closes the old one, whose socket that thread holds in a blocking read for up to
its receive timeout (fixed inside the client); until the read gives up, nothing on the new
connection is read, and the first request there misses Slack's 3-second deadline. A connection
that ends without a close frame leaves that thread reading an empty socket in a loop, a core
busy, until four ping intervals pass without a pong.

Here each connection is read by a thread of its own, with the `websockets` library's threaded
client, whose pings find a dead link. Two connections are held (Slack allows ten per app): when
Slack asks one to go, the other goes on serving while its replacement opens, and the old one is
still read until Slack closes it, so nothing Slack sent on it goes unanswered. Requests run on a
pool of threads and are acknowledged on their own connection with Bolt's answer, as Bolt's own
adapters do; one whose ack is lost with its connection is sent again by Slack, and Goodwill's
dedupe (bot.slack.deliveries) keeps it from counting twice.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.request import SocketModeRequest
from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.sync.client import ClientConnection, connect

from bot.errors import StartupError

log = logging.getLogger(__name__)

LINKS = 2
# Requests served at once; more wait their turn on the link. They share one interpreter lock,
# so many at once each take that many times as long and the slowest miss their moment: a few
# keep the tail short (bench.socket_mode measured 2, 4, 8 and 16), while one request waiting
# on Slack's Web API does not hold up the rest.
WORKERS = 4
# A link that answers no ping within PING_INTERVAL + PING_TIMEOUT is taken for dead (a network
# drop that sent nothing), then given CLOSE_TIMEOUT to close: replaced well within ten seconds.
# A link whose pong takes longer than Slack's deadline for an ack could not serve anyway.
PING_INTERVAL = 2.0
PING_TIMEOUT = 3.0
CLOSE_TIMEOUT = 1.0
# After Slack's `disconnect`, the old link is read until Slack closes it, or this long.
DRAIN_SECONDS = 30.0
# What Slack answers for an app-level token it will not take.
_BAD_TOKEN = {"invalid_auth", "not_authed", "not_allowed_token_type", "token_revoked"}


def reconnect_delays() -> Iterator[float]:
    """At once after a link that was up ends; then backing off, so that a Slack out of reach
    costs a try every few seconds, not a busy loop."""
    yield 0.0
    for attempt in itertools.count():
        yield min(5.0, 0.25 * 2**attempt)


class SocketModeRunner:
    def __init__(self, app: App, app_token: str, *, links: int = LINKS, workers: int = WORKERS):
        self._app = app
        self._app_token = app_token
        self._links = links
        self._requests = ThreadPoolExecutor(workers, thread_name_prefix="socket-mode-request")
        self._stopping = threading.Event()

    def run(self) -> None:
        """Serve Slack's requests until `stop()`, then finish those in progress (their acks
        still go out: the links stay open meanwhile). A StartupError if Slack refuses the token."""
        first = self._first_url()
        for number in range(self._links):
            self._spawn(first if number == 0 else None)
        self._stopping.wait()
        self._requests.shutdown(wait=True)

    def stop(self) -> None:
        """Take no new request; `run()` returns once those in progress are answered. Safe to
        call from a signal handler."""
        self._stopping.set()

    def _first_url(self) -> str:
        try:
            return self._new_url()
        except SlackApiError as error:
            code = error.response.get("error")
            if code in _BAD_TOKEN:
                raise StartupError(
                    f"Slack did not accept SLACK_APP_TOKEN ({code}). Copy the app-level token "
                    "(xapp-…, with the connections:write scope) again from the app's Basic "
                    "Information page, and check that Socket Mode is turned on."
                ) from error
            raise

    def _new_url(self) -> str:
        return str(self._app.client.apps_connections_open(app_token=self._app_token)["url"])

    def _spawn(self, url: str | None = None) -> None:
        threading.Thread(target=self._keep_linked, args=(url,), daemon=True).start()

    def _keep_linked(self, url: str | None) -> None:
        """Hold one link to Slack: open it, serve it, open another when it ends; hand over to
        a new thread when Slack asks this one to go."""
        delays = reconnect_delays()
        while not self._stopping.is_set():
            greeted = False
            try:
                with connect(
                    url or self._new_url(),
                    open_timeout=10,
                    ping_interval=PING_INTERVAL,
                    ping_timeout=PING_TIMEOUT,
                    close_timeout=CLOSE_TIMEOUT,
                    logger=_Quiet(log, {}),
                ) as link:
                    url = None
                    greeted, asked_to_go = self._serve(link)
                    if asked_to_go:
                        self._hand_over(link)
                        return
            except (OSError, WebSocketException, SlackApiError) as error:
                url = None
                log.warning("Socket Mode: the link to Slack ended (%s)", error)
            except Exception:
                # Anything else would end this thread, and Goodwill would hold one link fewer.
                url = None
                log.exception("Socket Mode: the link to Slack failed")
            if greeted:  # the link was up: the next one is tried at once
                delays = reconnect_delays()
            delay = next(delays)
            if delay:
                log.info("Socket Mode: connecting again in %.1f s", delay)
            self._stopping.wait(delay)

    def _serve(self, link: ClientConnection) -> tuple[bool, bool]:
        """Read `link` until it ends or Slack asks it to go: (Slack said hello, asked to go)."""
        greeted = False
        try:
            for raw in link:
                message = _parse(raw)
                kind = message.get("type")
                if kind == "hello":
                    greeted = True
                    count = message.get("num_connections")
                    log.info("Socket Mode: connected to Slack (%s connections open)", count)
                elif kind == "disconnect":
                    log.info("Socket Mode: Slack asks a link to go (%s)", message.get("reason"))
                    return greeted, True
                elif "envelope_id" in message:
                    self._take(link, message)
                if self._stopping.is_set():
                    break
        except ConnectionClosed as error:
            log.warning("Socket Mode: the link to Slack ended (%s)", error)
        return greeted, False

    def _hand_over(self, link: ClientConnection) -> None:
        """Open the replacement now, on a new thread, and serve what still arrives on `link`
        until Slack closes it."""
        if self._stopping.is_set():
            return
        self._spawn()
        deadline = time.monotonic() + DRAIN_SECONDS
        try:
            while (left := deadline - time.monotonic()) > 0:
                message = _parse(link.recv(timeout=left))
                if "envelope_id" in message:
                    self._take(link, message)
        except (TimeoutError, ConnectionClosed):
            pass

    def _take(self, link: ClientConnection, message: dict[str, Any]) -> None:
        if self._stopping.is_set():
            return  # not acknowledged: Slack sends it again, to whichever link is open then
        try:
            self._requests.submit(self._answer, link, message)
        except RuntimeError:  # the pool closed just now, as Goodwill stops
            return

    def _answer(self, link: ClientConnection, message: dict[str, Any]) -> None:
        request = SocketModeRequest.from_dict(message)
        if request is None:
            return
        try:
            response = run_bolt_app(self._app, request)
        except Exception:
            log.exception("Socket Mode: a request failed (envelope %s)", request.envelope_id)
            return
        if response.status != 200:
            # As Bolt's adapters: no ack, so Slack retries an event or shows the person an error.
            log.info("Socket Mode: Bolt answered %s; not acknowledged", response.status)
            return
        ack: dict[str, Any] = {"envelope_id": request.envelope_id}
        if response.body:
            content_type = response.headers.get("content-type", [""])[0]
            json_body = content_type.startswith("application/json")
            ack["payload"] = json.loads(response.body) if json_body else {"text": response.body}
        try:
            link.send(json.dumps(ack))
        except ConnectionClosed:
            log.warning("Socket Mode: a link closed before its ack; Slack will send it again")


class _Quiet(logging.LoggerAdapter):  # type: ignore[type-arg]
    """websockets' own log, one level down to DEBUG: it reports a link lost to a ping timeout
    as an error with a traceback, and the runner already says so once and connects again."""

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        super().log(min(level, logging.DEBUG), msg, *args, **kwargs)


def _parse(raw: str | bytes) -> dict[str, Any]:
    try:
        message = json.loads(raw)
    except ValueError:
        return {}
    return message if isinstance(message, dict) else {}
