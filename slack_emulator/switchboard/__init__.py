"""Several emulated workspaces behind one Web API URL, as Slack serves every workspace at one.

Each `SlackEmulator` is one workspace with its own limits (a rate limit set on one is that
workspace's, as Slack's are). An app installed in several of them is configured with one API
URL: the switchboard serves it, and passes each call on to the workspace whose bot token it
carries (in the Authorization header or a `token` argument, as Slack accepts), answering with
that workspace's status, body and Retry-After. A token no workspace issued is `invalid_auth`;
the workspace itself checks the rest (an expired token, say).
"""

from __future__ import annotations

import json
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs

from slack_emulator.emulator import SlackEmulator

_PASSED_ON = ("Content-Type", "Authorization")


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away mid-request (a killed worker) is Slack's everyday, not a
        # fault of the switchboard's: no traceback for it.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class Switchboard:
    """One loopback URL for `workspaces`; `api_url` is what a WebClient's base_url takes."""

    def __init__(self, workspaces: Iterable[SlackEmulator]) -> None:
        self.workspaces = list(workspaces)
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> Switchboard:
        if self._server is not None:
            raise RuntimeError("the switchboard is already running")
        server = _Server(("127.0.0.1", 0), _handler(self._route))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, name="slack-switchboard", daemon=True).start()
        self._server = server
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def __enter__(self) -> Switchboard:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        if self._server is None:
            raise RuntimeError("start() the switchboard first")
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    def _route(self, token: str | None) -> SlackEmulator | None:
        if not token:
            return None
        for workspace in self.workspaces:
            # Tokens issued by OAuth (slack_emulator.oauth) carry their workspace's team ID.
            issued = (f"xoxb-{workspace.team_id}-", f"xoxe.xoxb-{workspace.team_id}-")
            if token == workspace.bot_token or token.startswith(issued):
                return workspace
        return None


def _handler(route: Callable[[str | None], SlackEmulator | None]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            workspace = route(_token(self.headers.get("Authorization"), body, self.path))
            if workspace is None:
                payload = json.dumps({"ok": False, "error": "invalid_auth"}).encode()
                self._answer(200, payload, {"Content-Type": "application/json"})
                return
            url = workspace.base_url + self.path
            headers = {name: self.headers[name] for name in _PASSED_ON if self.headers[name]}
            request = urllib.request.Request(url, data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    self._answer(response.status, response.read(), dict(response.headers))
            except urllib.error.HTTPError as error:
                with error:
                    self._answer(error.code, error.read(), dict(error.headers))

        do_GET = do_POST

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name in ("Content-Type", "Retry-After"):
                if name in headers:
                    self.send_header(name, headers[name])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def _token(authorization: str | None, body: bytes, path: str) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    query = path.partition("?")[2]
    for source in (query, body.decode("utf-8", "replace")):
        tokens = parse_qs(source).get("token")
        if tokens:
            return tokens[0]
    return None
