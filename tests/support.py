"""Test helpers: a clock to travel in time with, the statements a piece of code sends, a real
WSGI server on loopback, threads at once, a Slack that never answers."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from socketserver import ThreadingMixIn
from types import TracebackType
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session

from bot.db import insert_new
from bot.ledger.credits import NewCredit, credit_row
from bot.models import Credit
from bot.sandbox.driver import SlackDriver
from bot.sandbox.transport import Delivery


class Clock:
    """`now` for the app under test; tests move it explicitly."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@contextmanager
def scratch_postgresql(prefix: str) -> Iterator[str]:
    """The URL of a PostgreSQL database of its own on TEST_DATABASE_URL's server, created for
    the block and dropped after it, whoever is still connected."""
    base = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def statements_sent(engine: Engine) -> Iterator[list[str]]:
    """The first word of each statement sent to the database meanwhile (SELECT, INSERT...),
    as SQLAlchemy sends it; BEGIN is left out (psycopg's is not a statement of a cursor, and
    SQLite's BEGIN IMMEDIATE is a call into the library, not a round trip)."""
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if not statement.startswith("BEGIN"):
            sent.append(statement.split()[0])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def insert_credits(
    session: Session, team_id: str, credits: Sequence[NewCredit], now: datetime
) -> int:
    """Seed the ledger for a test, as it stands, with no rule applied (see bot.ledger.record
    for the one write path the app takes); returns how many rows were new."""
    rows = [credit_row(team_id, credit, now) for credit in credits]
    return insert_new(session, Credit, rows, ["source_key"])


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class LoopbackServer:
    """Serves a WSGI app on 127.0.0.1 at a free port, in a thread, for the length of a test."""

    def __init__(self, wsgi_app: Any) -> None:
        self._server = make_server(
            "127.0.0.1", 0, wsgi_app, _ThreadingWSGIServer, handler_class=_QuietHandler
        )
        # shutdown() waits for the loop to look again: at the default half second, most of
        # a test's time.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def run_at_once(work: Callable[[], None], threads: int) -> None:
    """Run `work` in `threads` threads released together, and wait for all of them."""
    start = threading.Barrier(threads)

    def together() -> None:
        start.wait()
        work()

    running = [threading.Thread(target=together) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()


def send_forms_at_once(driver: SlackDriver, payloads: list[dict[str, str]]) -> list[Delivery]:
    """Deliver every form-encoded payload from a thread of its own, all released together."""
    waiting = list(payloads)
    deliveries: list[Delivery] = []

    def send() -> None:
        deliveries.append(driver.send_form(waiting.pop()))

    run_at_once(send, threads=len(payloads))
    return deliveries


class AnswerlessSlack:
    """Reads each request whole, then hangs up without answering: Slack received the message
    and the answer was lost on the way back."""

    def __init__(self) -> None:
        self.methods: list[str] = []  # the Web API methods called, in order
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/api/"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                head, body = data.split(b"\r\n\r\n", 1)
                length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                while len(body) < length:
                    body += conn.recv(65536)
                path = head.split(b" ", 2)[1].decode()
                self.methods.append(path.rpartition("/")[2])

    @property
    def requests(self) -> int:
        return len(self.methods)

    def close(self) -> None:
        self._listener.close()

    def __enter__(self) -> AnswerlessSlack:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@contextmanager
def answerless(app: App) -> Iterator[AnswerlessSlack]:
    """Within, `app`'s Web API calls reach a Slack that never answers; Bolt copies the
    client's base URL into each request's client."""
    with AnswerlessSlack() as slack:
        app.client.base_url = slack.url
        _retry_at_once(app)
        yield slack


def unused_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused."""
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port: int = unused.getsockname()[1]  # nothing listens there once it is closed
    return port


def out_of_reach(app: App) -> None:
    """From now on `app`'s Web API calls find nothing listening; Bolt copies the client's base
    URL into each request's client. Calls to response_url still reach the emulator."""
    app.client.base_url = f"http://127.0.0.1:{unused_port()}/api/"
    _retry_at_once(app)


def _retry_at_once(app: App) -> None:
    """`app`'s Web API calls whose connection broke are tried again (as often) at once.

    slack_sdk waits 0.5-1.5 s before it tries again: time that tests of what the app does
    with Slack out of reach only waited out, up to three seconds a test. Bolt gives each
    request's client the same handler objects as `app.client`'s."""
    for handler in app.client.retry_handlers:
        if isinstance(handler, ConnectionErrorRetryHandler):
            handler.interval_calculator = FixedValueRetryIntervalCalculator(0.0)
