"""How the emulator answers, apart from what: the log of every call, and the rate limits,
latency and refusals a test sets up, as Slack's would be across the internet.

Every request runs on its own server thread, so all of it sits behind one lock.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from slack_emulator.models import Call


@dataclass
class _Quota:
    calls: int
    per_seconds: float
    admitted: deque[float] = field(default_factory=deque)


class Traffic:
    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._calls: list[Call] = []
        self._quotas: dict[str, _Quota] = {}
        self._latency: dict[str, float] = {}
        self._refusals: dict[str, str] = {}

    def record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)

    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def set_rate_limit(self, method: str, calls: int, per_seconds: float) -> None:
        if calls < 0 or per_seconds <= 0:
            raise ValueError("a rate limit needs calls >= 0 and per_seconds > 0")
        with self._lock:
            self._quotas[method] = _Quota(calls, per_seconds)

    def clear_rate_limit(self, method: str) -> None:
        with self._lock:
            self._quotas.pop(method, None)

    def set_latency(self, method: str, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("latency cannot be negative")
        with self._lock:
            self._latency[method] = seconds

    def latency(self, method: str) -> float:
        with self._lock:
            return self._latency.get(method, 0.0)

    def refuse(self, method: str, error: str) -> None:
        with self._lock:
            self._refusals[method] = error

    def clear_refusal(self, method: str) -> None:
        with self._lock:
            self._refusals.pop(method, None)

    def refusal(self, method: str) -> str | None:
        """The error every call of `method` is answered with, if it is refused."""
        with self._lock:
            return self._refusals.get(method)

    def admit(self, method: str) -> int | None:
        """None when the call may go ahead, else Slack's Retry-After in whole seconds."""
        with self._lock:
            quota = self._quotas.get(method)
            if quota is None:
                return None
            now = self.clock()
            while quota.admitted and quota.admitted[0] <= now - quota.per_seconds:
                quota.admitted.popleft()
            if len(quota.admitted) < quota.calls:
                quota.admitted.append(now)
                return None
            oldest = quota.admitted[0] if quota.admitted else now
            return max(1, math.ceil(oldest + quota.per_seconds - now))

    def reset(self) -> None:
        """Forget the calls and the refusals; rate limits start afresh, latency stays."""
        with self._lock:
            self._calls.clear()
            self._refusals.clear()
            for quota in self._quotas.values():
                quota.admitted.clear()
