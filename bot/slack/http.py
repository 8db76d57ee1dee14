"""Web API calls over connections kept open between calls.

slack_sdk's WebClient sends every call through urllib, which opens a connection (to Slack, a
TCP and a TLS handshake: round trips before the call even starts) and closes it once the
answer is read; so does its WebhookClient, which posts to a response_url. `KeptAliveClient`
and `KeptAliveWebhookClient` keep each thread's connection to a host open for the next call,
as Slack's servers allow (HTTP/1.1), and otherwise answers slack_sdk as urllib does:
the same request on the wire, `HTTPError` for an answer that is not 2xx, `URLError` when the
request could not be sent, and the error itself when the answer was lost. So the retry
handlers (bot.slack.app.HarmlessConnectionRetry) tell a call that never left from one whose answer
went missing exactly as before.

A connection is only reused while it is fresh: idle for less than `IDLE_SECONDS`, not closed
by the server (nothing readable on it), and opened by this process (a fork's child opens its
own). Calls through a proxy keep urllib's path.
"""

from __future__ import annotations

import io
import os
import select
import threading
import time
import weakref
from collections import OrderedDict
from http.client import HTTPConnection, HTTPMessage, HTTPSConnection
from ssl import SSLContext
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import SplitResult, urlsplit
from urllib.request import Request

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient, WebhookResponse

# Servers drop idle connections after their own timeout (commonly 60 s or more at load
# balancers); reusing one near that moment can meet a connection the server is closing.
IDLE_SECONDS = 30.0
HOSTS_PER_THREAD = 4  # Slack's one API host, in practice; a few more for tests and GovSlack

_Key = tuple[str, str, int, SSLContext | None]


class KeptAliveClient(WebClient):
    """slack_sdk's WebClient, its calls sent over this thread's open connection to the host."""

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        parts = _reachable(url)
        if self.proxy is not None or parts is None:
            return super()._perform_urllib_http_request_internal(url, req)
        status, headers, body = _exchange(url, parts, req, self.ssl, self.timeout)
        if headers.get_content_type() == "application/gzip":  # admin.analytics.getFile
            return {"status": status, "headers": headers, "body": body}
        text = body.decode(headers.get_content_charset() or "utf-8")
        return {"status": status, "headers": headers, "body": text}


class KeptAliveWebhookClient(WebhookClient):
    """slack_sdk's WebhookClient (a response_url's posts), over a kept-alive connection."""

    def _perform_http_request_internal(self, url: str, req: Request) -> WebhookResponse:
        parts = _reachable(url)
        if self.proxy is not None or parts is None:
            answer: WebhookResponse = super()._perform_http_request_internal(url, req)
            return answer
        status, headers, body = _exchange(url, parts, req, self.ssl, self.timeout)
        text = body.decode(headers.get_content_charset() or "utf-8")
        # The headers as slack_sdk gives them here: the message itself, its names in any case.
        return WebhookResponse(url=url, status_code=status, body=text, headers=headers)  # type: ignore[arg-type]


def _reachable(url: str) -> SplitResult | None:
    """The URL's parts when it is one this module sends (HTTP or HTTPS), else None."""
    parts = urlsplit(url)
    return parts if parts.scheme.lower() in ("http", "https") else None


def _exchange(
    url: str, parts: SplitResult, req: Request, ssl: SSLContext | None, timeout: float
) -> tuple[int, HTTPMessage, bytes]:
    """One request and its whole answer, over this thread's connection to the host; raised
    as urllib raises: HTTPError for an answer that is not 2xx, URLError if the request did
    not get out, the error itself if the answer was lost."""
    connection = _connections.get(parts.scheme.lower(), parts, ssl, timeout)
    try:
        connection.request(
            req.get_method(), req.selector, body=req.data, headers=dict(req.header_items())
        )
    except OSError as error:
        connection.close()
        raise URLError(error) from error
    try:
        response = connection.getresponse()
        body = response.read()
    except BaseException:  # Slack may have done the call
        connection.close()
        raise
    _connections.used(connection)
    if not 200 <= response.status < 300:
        raise HTTPError(url, response.status, response.reason, response.headers, io.BytesIO(body))
    return response.status, response.headers, body


def kept_alive(client: WebClient) -> KeptAliveClient:
    """`client`'s settings (token, URL, timeout, TLS, retry handlers…) in a KeptAliveClient."""
    if isinstance(client, KeptAliveClient):
        return client
    return KeptAliveClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        ssl=client.ssl,
        proxy=client.proxy,
        headers=client.headers,
        team_id=client.default_params.get("team_id"),
        logger=client.logger,
        retry_handlers=list(client.retry_handlers),
    )


class RequestClients:
    """The KeptAliveClient of each request, one per token, shared by the requests that carry it.

    Bolt builds a new WebClient for every request, so that a listener that changes its
    client's token cannot change another request's; no Goodwill listener changes its client.
    Copying it into a KeptAliveClient for every request would build a second client each
    time; this keeps the copy and hands it to every later request with the same token,
    workspace and Slack URL. Each thread keeps its own connection (`_connections`), so
    requests on several threads share the client, not a connection. At most `size` are
    kept, the least recently used dropped first (an app installed in many workspaces).
    """

    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._clients: OrderedDict[tuple[Any, ...], KeptAliveClient] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, client: WebClient) -> KeptAliveClient:
        key = (client.token, client.base_url, client.default_params.get("team_id"))
        with self._lock:
            kept = self._clients.get(key)
            if kept is not None:
                self._clients.move_to_end(key)
                return kept
        kept = kept_alive(client)
        with self._lock:
            self._clients[key] = kept
            while len(self._clients) > self._size:
                self._clients.popitem(last=False)
        return kept


class _Connections(threading.local):
    """This thread's open connections, one per host, the least recently used closed first;
    closed too when the thread ends (its `_Pool` is then released)."""

    def __init__(self) -> None:
        self.pool = _Pool()

    def get(
        self, scheme: str, parts: SplitResult, ssl: SSLContext | None, timeout: float
    ) -> HTTPConnection:
        if self.pool.pid != os.getpid():
            self.pool = _Pool()  # a fork's child: its parent's sockets are not its own to use
        return self.pool.get(scheme, parts, ssl, timeout)

    def used(self, connection: HTTPConnection) -> None:
        self.pool.last_used[connection] = time.monotonic()


class _Pool:
    def __init__(self) -> None:
        self.pid = os.getpid()
        self.open: OrderedDict[_Key, HTTPConnection] = OrderedDict()
        self.last_used: dict[HTTPConnection, float] = {}
        weakref.finalize(self, _close_all, self.open)

    def get(
        self, scheme: str, parts: SplitResult, ssl: SSLContext | None, timeout: float
    ) -> HTTPConnection:
        host = parts.hostname or ""
        port = parts.port or (443 if scheme == "https" else 80)
        key: _Key = (scheme, host, port, ssl if scheme == "https" else None)
        connection = self.open.get(key)
        if connection is None:
            connection = (
                HTTPSConnection(host, port, timeout=timeout, context=ssl)
                if scheme == "https"
                else HTTPConnection(host, port, timeout=timeout)
            )
            self.open[key] = connection
            while len(self.open) > HOSTS_PER_THREAD:
                _, oldest = self.open.popitem(last=False)
                self.last_used.pop(oldest, None)
                oldest.close()
        else:
            self.open.move_to_end(key)
            if not self._fresh(connection):
                connection.close()  # the next request opens a new one
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        return connection

    def _fresh(self, connection: HTTPConnection) -> bool:
        if connection.sock is None:
            return True  # closed already: request() connects anew
        idle = time.monotonic() - self.last_used.get(connection, float("-inf"))
        return idle < IDLE_SECONDS and not _readable(connection.sock)


def _close_all(connections: OrderedDict[_Key, HTTPConnection]) -> None:
    for connection in connections.values():
        connection.close()


def _readable(sock: Any) -> bool:
    """Something to read on a connection between calls: the server closed it (or broke the
    protocol); either way it is not fit for another request. poll, not select: a descriptor
    above 1024 is fine."""
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


_connections = _Connections()
