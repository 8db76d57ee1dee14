"""`SocketMode`: Slack's side of Socket Mode for one app, a WebSocket server on 127.0.0.1.

apps.connections.open hands out a one-use URL (`ws://127.0.0.1:PORT/link/?ticket=…`); each
connection opened with it gets `hello`, then envelopes, spread round-robin among the app's
open connections (Slack allows ten). Slack keeps to the connections it has not asked to go:
after `disconnect` a connection gets no new envelopes and is closed a little later. An Events
API envelope not acknowledged within `ack_timeout` is sent again with `retry_attempt` one
higher, as Slack retries; one sent while no connection is open waits for the next. Apps
reach the server through `network`, which a test can make fail silently.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import secrets
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from slack_emulator.models import JsonDict, SlackEmulatorRejected
from slack_emulator.socket_mode import envelopes
from slack_emulator.socket_mode.envelopes import Envelope
from slack_emulator.socket_mode.network import Network

logger = logging.getLogger(__name__)

MAX_CONNECTIONS = 10
LINK_PATH = "/link/"


@dataclass(eq=False)
class _Link:
    number: int
    connection: ServerConnection
    serving: bool = False  # hello sent and not asked to go


class SocketMode:
    def __init__(
        self,
        app_id: str,
        app_token: str = "xapp-1-A0GOODWILL-sandbox",
        *,
        ack_timeout: float = 3.0,
        max_retries: int = 3,
        close_after_disconnect: float = 10.0,
    ) -> None:
        if not app_token.startswith("xapp-"):
            raise ValueError("an app-level token starts with xapp-")
        self.app_id, self.app_token = app_id, app_token
        self.ack_timeout, self.max_retries = ack_timeout, max_retries
        self.close_after_disconnect = close_after_disconnect
        self._lock = threading.Lock()
        self._tickets: set[str] = set()
        self._links: list[_Link] = []
        self._numbers = itertools.count(1)
        self._turn = itertools.count()
        self._pending: dict[str, Envelope] = {}
        self._waiting: deque[Envelope] = deque()
        self.envelopes: list[Envelope] = []
        self.connections_opened = 0
        self._stopped = threading.Event()
        self._server: Server | None = None
        self._network: Network | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> SocketMode:
        self._server = serve(self._serve_link, "127.0.0.1", 0, process_request=self._admit)
        self._network = Network(self._server.socket.getsockname()[1])
        for target in (self._server.serve_forever, self._redeliver_late):
            threading.Thread(target=target, name="slack-emulator-socket", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
        self.drop()
        network, self._network = self._network, None
        if network is not None:
            network.close()

    @property
    def port(self) -> int:
        """Where apps connect: the network's end (`network`), before the WebSocket server."""
        if self._network is None:
            raise RuntimeError("Socket Mode is not running")
        return self._network.port

    # -- apps.connections.open -----------------------------------------------------------------

    def open_url(self, token: str | None) -> JsonDict:
        """apps.connections.open's answer for `token`, or Slack's error for it."""
        if not token:
            raise SlackEmulatorRejected("not_authed")
        if not token.startswith("xapp-"):
            raise SlackEmulatorRejected("not_allowed_token_type")
        if token != self.app_token:
            raise SlackEmulatorRejected("invalid_auth")
        ticket = secrets.token_hex(16)
        with self._lock:
            self._tickets.add(ticket)
        return {"url": f"ws://127.0.0.1:{self.port}{LINK_PATH}?ticket={ticket}"}

    def _admit(self, connection: ServerConnection, request: Request) -> Response | None:
        url = urlsplit(request.path)
        ticket = parse_qs(url.query).get("ticket", [""])[0]
        with self._lock:
            known = url.path == LINK_PATH and ticket in self._tickets
            self._tickets.discard(ticket)  # one connection a URL
            full = len(self._links) >= MAX_CONNECTIONS
        if not known:
            return connection.respond(401, "invalid or used ticket\n")
        if full:
            return connection.respond(429, "too many websockets\n")
        return None

    # -- one connection ------------------------------------------------------------------------

    def _serve_link(self, connection: ServerConnection) -> None:
        link = _Link(next(self._numbers), connection)
        try:
            with self._lock:  # hello first: no envelope is sent on it before
                self._links.append(link)
                self.connections_opened += 1
                connection.send(envelopes.hello(len(self._links), self.app_id, 18_060))
                link.serving = True
            self._flush_waiting()
            for message in connection:
                self._on_message(message)
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                link.serving = False
                if link in self._links:
                    self._links.remove(link)

    def _on_message(self, message: str | bytes) -> None:
        try:
            ack = json.loads(message)
        except ValueError:
            logger.warning("Socket Mode: the app sent something that is not JSON")
            return
        if not isinstance(ack, dict):
            return
        with self._lock:
            envelope = self._pending.get(str(ack.get("envelope_id")))
        if envelope is not None:
            envelope.record_ack(ack.get("payload"))

    # -- what Slack sends ------------------------------------------------------------------------

    def send_event(self, event_envelope: JsonDict) -> Envelope:
        """An Events API envelope (as HTTP mode's body) to the app, in an `events_api` one."""
        return self._send(Envelope.for_request(envelopes.EVENTS_API, event_envelope))

    def send_command(self, fields: dict[str, str]) -> Envelope:
        """A slash command's fields (HTTP mode's form), as a `slash_commands` envelope."""
        return self._send(Envelope.for_request(envelopes.SLASH_COMMANDS, dict(fields)))

    def send_interaction(self, payload: JsonDict) -> Envelope:
        """An interactivity payload (HTTP mode's `payload=` field), as an `interactive` one."""
        return self._send(Envelope.for_request(envelopes.INTERACTIVE, payload))

    def _send(self, envelope: Envelope) -> Envelope:
        with self._lock:
            self.envelopes.append(envelope)
            self._pending[envelope.envelope_id] = envelope
        self._deliver(envelope)
        return envelope

    def _deliver(self, envelope: Envelope) -> None:
        while True:
            with self._lock:
                serving = [link for link in self._links if link.serving]
                if not serving:
                    self._waiting.append(envelope)
                    return
                link = serving[next(self._turn) % len(serving)]
                envelope.deliveries += 1
                envelope.last_sent = time.monotonic()
            try:
                link.connection.send(envelope.wire())
                return
            except ConnectionClosed:
                with self._lock:
                    link.serving = False

    def _flush_waiting(self) -> None:
        with self._lock:
            waiting, self._waiting = list(self._waiting), deque()
        for envelope in waiting:
            self._deliver(envelope)

    def _redeliver_late(self) -> None:
        while not self._stopped.wait(0.05):
            now = time.monotonic()
            late: list[Envelope] = []
            with self._lock:
                for envelope in list(self._pending.values()):
                    if envelope.acked is not None:
                        del self._pending[envelope.envelope_id]
                    elif envelope.last_sent is not None and (
                        now - envelope.last_sent >= self.ack_timeout
                    ):
                        late.append(envelope)
                for envelope in late:
                    if envelope.retried_by_slack and envelope.retry_attempt < self.max_retries:
                        envelope.retry_attempt += 1
                        envelope.retry_reason = "timeout"
                        envelope.last_sent = None  # until written again
                    else:
                        envelope.timed_out = True
                        envelope.last_sent = None
                        late.remove(envelope)
            for envelope in late:
                self._deliver(envelope)

    # -- what a test does to the connections ---------------------------------------------------

    @property
    def open_connections(self) -> int:
        """Connections that got `hello` and were not asked to go."""
        with self._lock:
            return sum(link.serving for link in self._links)

    def wait_for_connections(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.open_connections < count:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def disconnect(self, reason: str = "refresh_requested", *, count: int | None = None) -> int:
        """Send `disconnect` with `reason` on the `count` oldest serving connections (all by
        default); each gets no new envelope and is closed `close_after_disconnect` seconds
        later (link_disabled: at once). Returns how many were told."""
        message = envelopes.disconnect(reason)
        with self._lock:
            told = [link for link in self._links if link.serving][:count]
            for link in told:
                link.serving = False
        delay = 0.0 if reason == "link_disabled" else self.close_after_disconnect
        for link in told:
            with contextlib.suppress(ConnectionClosed):
                link.connection.send(message)
            closing = threading.Timer(delay, link.connection.close)
            closing.daemon = True
            closing.start()
        return len(told)

    def drop(self, *, count: int | None = None) -> int:
        """End the `count` oldest connections (all by default) abruptly, as a network failure
        does: no close frame, the socket shut. Returns how many were dropped."""
        with self._lock:
            dropped = self._links[:count]
            for link in dropped:
                link.serving = False
        for link in dropped:
            with contextlib.suppress(OSError):
                link.connection.socket.shutdown(socket.SHUT_RDWR)
        return len(dropped)

    def silence(self) -> int:
        """The network fails silently under every connection: from now on nothing passes
        either way and nothing tells the app, which has only its pings to find out. Slack's
        end forgets them. Returns how many."""
        assert self._network is not None
        self._network.silence()
        return self.drop()
