"""What Slack writes on a Socket Mode connection, and the envelopes it waits on an ack for.

Shapes as Slack documents them: `hello` when a connection opens, `disconnect` with its reason,
and envelopes (`events_api`, `slash_commands`, `interactive`) carrying an `envelope_id` that the
app acknowledges with `{"envelope_id": …, "payload": …}`.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field

from slack_emulator.models import JsonDict

EVENTS_API = "events_api"
SLASH_COMMANDS = "slash_commands"
INTERACTIVE = "interactive"
DISCONNECT_REASONS = ("refresh_requested", "warning", "link_disabled")
# Interactions whose ack may carry an answer (view errors, a pushed view, options).
_ANSWERABLE = {"view_submission", "view_closed", "block_suggestion"}
_HOST = itertools.count(1)


def hello(num_connections: int, app_id: str, approximate_connection_time: int) -> str:
    return json.dumps(
        {
            "type": "hello",
            "num_connections": num_connections,
            "debug_info": {
                "host": f"applink-emulator-{next(_HOST)}",
                "build_number": 1,
                "approximate_connection_time": approximate_connection_time,
            },
            "connection_info": {"app_id": app_id},
        }
    )


def disconnect(reason: str) -> str:
    if reason not in DISCONNECT_REASONS:
        raise ValueError(f"Slack disconnects for {', '.join(DISCONNECT_REASONS)}, not {reason!r}")
    return json.dumps(
        {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-emulator"}}
    )


@dataclass
class Envelope:
    """One request Slack sends the app, and what became of it.

    `created` is when the person acted (Slack's 3-second clock starts there), `acked` when the
    first ack arrived; both from time.monotonic."""

    type: str
    payload: JsonDict
    accepts_response_payload: bool
    envelope_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created: float = field(default_factory=time.monotonic)
    retry_attempt: int = 0
    retry_reason: str = ""
    deliveries: int = 0  # times written on a connection
    last_sent: float | None = None
    acked: float | None = None
    ack_payload: JsonDict | None = None
    acks: int = 0  # acks received, a late one for an earlier delivery included
    timed_out: bool = False  # not acked in time and not to be sent again
    _done: threading.Event = field(default_factory=threading.Event, repr=False)

    @classmethod
    def for_request(cls, kind: str, payload: JsonDict) -> Envelope:
        if kind == EVENTS_API:
            answers = False
        elif kind == SLASH_COMMANDS:
            answers = True
        elif kind == INTERACTIVE:
            answers = payload.get("type") in _ANSWERABLE
        else:
            raise ValueError(f"not a Socket Mode envelope type: {kind!r}")
        return cls(kind, dict(payload), answers)

    def wire(self) -> str:
        return json.dumps(
            {
                "envelope_id": self.envelope_id,
                "payload": self.payload,
                "type": self.type,
                "accepts_response_payload": self.accepts_response_payload,
                "retry_attempt": self.retry_attempt,
                "retry_reason": self.retry_reason,
            }
        )

    def wait(self, timeout: float) -> bool:
        """True once acknowledged, False when `timeout` seconds pass first."""
        return self._done.wait(timeout)

    @property
    def latency(self) -> float | None:
        """Seconds from the person's action to the first ack."""
        return None if self.acked is None else self.acked - self.created

    def record_ack(self, payload: object) -> None:
        self.acks += 1
        if self.acked is None:
            self.acked = time.monotonic()
            self.ack_payload = payload if isinstance(payload, dict) else None
            self._done.set()

    @property
    def retried_by_slack(self) -> bool:
        # Slack retries Events API deliveries; a slash command or a click not acknowledged in
        # time is shown to the person as an error instead.
        return self.type == EVENTS_API
