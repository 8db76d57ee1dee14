"""HTTP mode: Slack's requests checked on their raw bytes, then Bolt's WSGI adapter, served by
gunicorn (`python -m bot serve`, Procfile `web`).

Bolt's adapter decodes and parses a body before Bolt checks its signature, so a body that is
not UTF-8, not JSON, or has a timestamp that is not a number answered 500 with a traceback:
anyone could fill the logs. Here a request to /slack/events is refused before anything reads
it: 413 when it is larger than Slack ever sends, 401 unless slack_sdk's SignatureVerifier
finds it signed, recent and UTF-8. Bolt then verifies it again, as it always does, and a
signed body Bolt cannot make sense of is answered 400. The OAuth pages (GET /slack/install,
/slack/oauth_redirect) are not signed and go to Bolt as they are.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from gunicorn.app.base import BaseApplication
from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.request.internals import build_context
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

WsgiApp = Callable[..., Any]

EVENTS_PATH = "/slack/events"
# Slack's largest request is an interactivity payload carrying a whole view (at most 250 KB of
# JSON), form-encoded, which can nearly triple it.
MAX_BODY_BYTES = 1024 * 1024
# Seconds since the epoch: ten digits until 2286; anything longer is not a timestamp.
_MAX_TIMESTAMP_DIGITS = 12


class GunicornServer(BaseApplication):  # type: ignore[misc]
    """Runs a WSGI app under gunicorn, building it in each worker after the fork.

    Building after the fork gives each worker its own database connections; gunicorn's
    settings come from `options` and the usual GUNICORN_CMD_ARGS / WEB_CONCURRENCY.
    """

    def __init__(self, load_app: Callable[[], WsgiApp], options: dict[str, Any]) -> None:
        self._load_app = load_app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)
        cmd_args = self.cfg.get_cmd_args_from_env()
        if cmd_args:
            parsed = self.cfg.parser().parse_args(cmd_args)
            for key, value in vars(parsed).items():
                if value is not None and key in self.cfg.settings:
                    self.cfg.set(key.lower(), value)

    def load(self) -> WsgiApp:
        return self._load_app()


def wsgi_app(bolt_app: App) -> WsgiApp:
    """Every Slack request (commands, events, interactivity) at POST /slack/events."""
    # Bolt keeps the secret it verifies with; the same one is used here.
    return VerifiedRequests(_BoltHandler(bolt_app, path=EVENTS_PATH), bolt_app._signing_secret)


class VerifiedRequests:
    """The WSGI app: only requests Slack signed reach Bolt at POST /slack/events."""

    def __init__(self, bolt: SlackRequestHandler, signing_secret: str) -> None:
        if not signing_secret:
            raise ValueError("HTTP mode needs the app's signing secret to verify requests")
        self.bolt = bolt
        self.verifier = SignatureVerifier(signing_secret)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != EVENTS_PATH:
            return self.bolt(environ, start_response)  # the OAuth pages, and 404s
        length = _content_length(environ)
        if length is None:
            return _plain(start_response, "400 Bad Request", "Bad Request")
        if length > MAX_BODY_BYTES:
            # Refused unread: gunicorn closes the connection with the rest of the body in it.
            return _plain(start_response, "413 Request Entity Too Large", "Too large")
        body = environ["wsgi.input"].read(length) if length else b""
        if not self._signed(body, environ):
            return _plain(start_response, "401 Unauthorized", "Unauthorized")
        verified = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
        return self.bolt(verified, start_response)

    def _signed(self, body: bytes, environ: dict[str, Any]) -> bool:
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or ""
        signature = environ.get("HTTP_X_SLACK_SIGNATURE") or ""
        is_number = timestamp.isascii() and timestamp.isdigit()
        if not (is_number and len(timestamp) <= _MAX_TIMESTAMP_DIGITS and signature):
            log.debug("refused a request without a valid signature header")
            return False
        try:
            signed: bool = self.verifier.is_valid(body, timestamp, signature)
        except UnicodeDecodeError:  # Slack sends UTF-8, and signs the text
            signed = False
        if not signed:
            log.debug("refused a request whose signature does not match, or is stale")
        return signed


class _BoltHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, answering 400 to a signed body it cannot read."""

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        try:
            bolt_request = slack_request(
                request.get_body(), request.query_string, request.get_headers()
            )
        except Exception as error:  # Bolt's parsing assumes Slack's shapes throughout
            log.warning("a signed request Bolt cannot read, answered 400: %r", error)
            return BoltResponse(status=400, body="")
        response: BoltResponse = self.app.dispatch(bolt_request)
        return response


def slack_request(body: str, query: str, headers: dict[str, Any]) -> BoltRequest:
    """Bolt's request for `body`, read as Slack means it.

    Bolt reads any form whose text holds the word "payload" as an interactivity payload, and a
    slash command whose text or channel name says it ("/thanks @ann for the payload fix") then
    arrives empty and goes unanswered: such a form is read again as the fields it has.
    """
    request = BoltRequest(body=body, query=query, headers=headers)
    if not request.body and "payload" in body and not body.lstrip().startswith("{"):
        form = dict(parse_qsl(body, keep_blank_values=True))
        if "payload" not in form:
            request.body = form
            request.context = build_context(BoltContext(), form)
    return request


def _content_length(environ: dict[str, Any]) -> int | None:
    raw = environ.get("CONTENT_LENGTH") or "0"
    return int(raw) if raw.isascii() and raw.isdigit() else None


def _plain(start_response: Callable[..., Any], status: str, text: str) -> list[bytes]:
    body = text.encode()
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]
