"""How the driver's signed requests reach the bot: to the Bolt app in-process
(`DispatchTransport`) or over HTTP to a running server (`HttpTransport`); and `sign`, the two
headers Slack adds to every request (`v0=` HMAC-SHA256 of `v0:{timestamp}:{body}`)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_sdk.signature import SignatureVerifier


@dataclass(frozen=True)
class Delivery:
    """What the bot answered to one delivery."""

    status: int
    body: str
    headers: Mapping[str, str]  # names in lower case

    def json(self) -> Any:
        return json.loads(self.body) if self.body else {}


class Transport(Protocol):
    def send(self, body: str, headers: dict[str, str]) -> Delivery: ...


class DispatchTransport:
    """Hands signed requests to `App.dispatch`, as Bolt's HTTP adapters do."""

    def __init__(self, app: App) -> None:
        self.app = app

    def send(self, body: str, headers: dict[str, str]) -> Delivery:
        response = self.app.dispatch(BoltRequest(body=body, headers=dict(headers)))
        flat = {name.lower(): values[0] for name, values in response.headers.items() if values}
        return Delivery(response.status, response.body, flat)


class HttpTransport:
    """POSTs signed requests to a server, e.g. http://127.0.0.1:3000/slack/events."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url
        self.timeout = timeout

    def send(self, body: str, headers: dict[str, str]) -> Delivery:
        request = urllib.request.Request(
            self.url, data=body.encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return Delivery(
                    response.status, response.read().decode(), _lower(response.headers.items())
                )
        except urllib.error.HTTPError as error:
            with error:
                return Delivery(error.code, error.read().decode(), _lower(error.headers.items()))


def _lower(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers}


def sign(signing_secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """The two headers Slack adds to every request it sends an app."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}
