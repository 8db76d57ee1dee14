"""What the loopback server answers, in Slack's Web API wire format (`server` keeps the
connections and threads).

slack_sdk's WebClient POSTs every method (its `http_verb="GET"` is ignored by the urllib
client): form-encoded for most methods, JSON for chat.* and views.*, multipart for uploads;
the token rides in `Authorization: Bearer`. Other clients may use GET with a query string
or put `token` among form arguments, so all of these are read. Slack ignores a token inside
a JSON body, and so does this server. A file's bytes, in slack_sdk's `files_upload_v2`, are
POSTed raw to the upload URL that files.getUploadURLExternal handed out (/upload/v1/…).
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from slack_emulator.backend import Backend
from slack_emulator.files import FILES_PREFIX, UPLOAD_PREFIX, UPLOAD_URL_METHOD
from slack_emulator.methods import HANDLERS
from slack_emulator.models import Call, JsonDict, SlackEmulatorRejected
from slack_emulator.responses import RESPONSE_URL_PREFIX
from slack_emulator.server import EmulatorServer

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
RESPONSE_URL_METHOD = "response_url"
# Arguments that form-encoded requests carry as JSON text; decoded so the call log reads the same
# whichever way a client sent them.
_JSON_ARGS = ("blocks", "attachments", "view", "metadata", "files")


class _RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


def _form(raw: str) -> JsonDict:
    return {key: values[-1] for key, values in parse_qs(raw, keep_blank_values=True).items()}


def _multipart(raw: bytes, content_type: str) -> JsonDict:
    envelope = f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    message = BytesParser(policy=policy.HTTP).parsebytes(envelope)
    args: JsonDict = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        args[name] = data if part.get_filename() else data.decode("utf-8", "replace")
    return args


class _Handler(BaseHTTPRequestHandler):
    server: EmulatorServer
    # Keep-alive, as Slack's servers: every answer has a Content-Length. Nagle's algorithm
    # would hold the body, written after the headers, until the client's delayed ACK.
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def log_message(self, format: str, *args: Any) -> None:
        # The sandbox shares the terminal with people; the call log is the record instead.
        return

    def _route(self) -> None:
        url = urlsplit(self.path)
        if url.path.startswith(API_PREFIX):
            self._api(url.path.removeprefix(API_PREFIX), url.query)
        elif url.path.startswith(RESPONSE_URL_PREFIX):
            self._response_url(url.path)
        elif url.path.startswith(UPLOAD_PREFIX):
            self._upload(url.path)
        elif url.path.startswith(FILES_PREFIX) and self.command == "GET":
            self._download(url.path)
        else:
            self._read_body()
            self._send(404, {"ok": False, "error": "not_found"})

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _api(self, method: str, query: str) -> None:
        traffic = self.server.backend.traffic
        started = traffic.clock()
        args: JsonDict = {}
        status, headers = 200, {}
        try:
            args, token = self._arguments(query)
            body: JsonDict = {"ok": True, **self._answer(method, args, token)}
        except _RateLimited as limited:
            status, body = 429, {"ok": False, "error": "ratelimited"}
            headers["Retry-After"] = str(limited.retry_after)
        except SlackEmulatorRejected as rejected:
            body = rejected.to_json()
            if rejected.error == "unknown_method":
                body["req_method"] = method
        except Exception:
            logger.exception("Slack emulator failed on %s", method)
            status, body = 500, {"ok": False, "error": "fatal_error"}
        # Logged before answering, so a client that has its reply also finds the call recorded.
        traffic.record(Call(method, args, body["ok"], body.get("error"), status, started))
        # Done but not yet answered, as over a slow network: the client cannot tell it arrived.
        delay = traffic.latency(method)
        if delay > 0:  # sleep(0) still hands the interpreter lock to another thread
            time.sleep(delay)
        self._send(status, body, headers)

    def _answer(self, method: str, args: JsonDict, token: str | None) -> JsonDict:
        backend = self.server.backend
        handler = HANDLERS.get(method)
        oauth = backend.workspace.oauth
        if method == "oauth.v2.access" and oauth is not None:
            # The app authenticates with its client credentials here, not with a token.
            authorization = self.headers.get("Authorization")
            ws = backend.workspace
            return oauth.access(ws.identity, args, authorization, ws.clock())
        if method == "apps.connections.open":
            # Authenticated by the app-level token (xapp-), which no other method takes.
            socket_mode = backend.workspace.socket_mode
            if socket_mode is None:
                raise SlackEmulatorRejected("invalid_auth" if token else "not_authed")
            return socket_mode.open_url(token)
        if handler is None:
            raise SlackEmulatorRejected("unknown_method")
        if not token:
            raise SlackEmulatorRejected("not_authed")
        if token != backend.workspace.identity.bot_token:
            problem = "invalid_auth"
            if oauth is not None:
                problem = oauth.check_token(token, backend.workspace.clock()) or ""
            if problem:
                raise SlackEmulatorRejected(problem)
        # After authentication, as Slack checks scopes; before the quota, as nothing is done.
        refusal = backend.traffic.refusal(method)
        if refusal is not None:
            raise SlackEmulatorRejected(refusal)
        retry_after = backend.traffic.admit(method)
        if retry_after is not None:
            raise _RateLimited(retry_after)
        return handler(backend, args)

    def _arguments(self, query: str) -> tuple[JsonDict, str | None]:
        args = _form(query)
        raw = self._read_body()
        content_type = self.headers.get_content_type()
        charset = self.headers.get_content_charset() or "utf-8"
        if raw and content_type == "application/json":
            try:
                decoded = json.loads(raw.decode(charset))
            except (UnicodeDecodeError, ValueError):
                raise SlackEmulatorRejected("invalid_json") from None
            if not isinstance(decoded, dict):
                raise SlackEmulatorRejected("invalid_json")
            decoded.pop("token", None)
            args.update(decoded)
        elif raw and content_type == "multipart/form-data":
            args.update(_multipart(raw, self.headers.get("Content-Type", "")))
        elif raw:
            try:
                args.update(_form(raw.decode(charset)))
            except UnicodeDecodeError:
                raise SlackEmulatorRejected("invalid_form_data") from None
        token = args.pop("token", None)
        authorization = self.headers.get("Authorization", "")
        if authorization.lower().startswith("bearer "):
            token = authorization[len("bearer ") :].strip()
        for key in _JSON_ARGS:
            if isinstance(args.get(key), str):
                # Undecodable text stays as it is, so validation answers with Slack's format error.
                with contextlib.suppress(ValueError):
                    args[key] = json.loads(args[key])
        return args, token if isinstance(token, str) else None

    def _response_url(self, path: str) -> None:
        backend = self.server.backend
        started = backend.traffic.clock()
        raw = self._read_body()
        body: object = None
        # Anything but a JSON object is left for the responder to answer invalid_payload.
        with contextlib.suppress(UnicodeDecodeError, ValueError):
            body = json.loads(raw.decode("utf-8"))
        status = 200
        reply: JsonDict = {"ok": True}
        try:
            backend.responder.post(path, body)
        except SlackEmulatorRejected as rejected:
            status, reply = rejected.http_status, rejected.to_json()
        except Exception:
            logger.exception("Slack emulator failed on a response_url post")
            status, reply = 500, {"ok": False, "error": "fatal_error"}
        args = body if isinstance(body, dict) else {"body": body}
        error = reply.get("error")
        call = Call(RESPONSE_URL_METHOD, args, status == 200, error, status, started)
        backend.traffic.record(call)
        self._send(status, reply)

    def _upload(self, path: str) -> None:
        """The bytes of a file, POSTed to the URL files.getUploadURLExternal handed out."""
        traffic = self.server.backend.traffic
        started = traffic.clock()
        data = self._read_body()
        status, reply = self.server.backend.files.receive(path, data)
        error = None if status == 200 else reply.partition(":")[0]
        traffic.record(
            Call(UPLOAD_URL_METHOD, {"length": len(data)}, status == 200, error, status, started)
        )
        raw = reply.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _download(self, path: str) -> None:
        """A shared file's bytes, at its url_private, for a GET with the bot token."""
        authorization = self.headers.get("Authorization", "")
        token = authorization[len("bearer ") :].strip() if authorization else None
        ws = self.server.backend.workspace
        status, content_type, data = self.server.backend.files.download(ws, path, token)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send(self, status: int, body: JsonDict, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def serve(backend: Backend) -> EmulatorServer:
    """Answer Slack's Web API from `backend` on 127.0.0.1, on a thread of its own, until the
    server's `stop()`."""
    server = EmulatorServer(backend, _Handler)
    server.start()
    return server
