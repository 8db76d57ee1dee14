"""The sender's pace: turns handed out to any number of sending threads, one at a time."""

from __future__ import annotations

import copy
import math
import threading
import time
from collections import deque
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryHandler, RetryState

# Slack counts calls as they arrive, and the network delays some more than others: a call
# sent exactly a second after the one N calls before it can arrive less than a second after
# it, the (N+1)th in Slack's second, and be refused with a Retry-After of a second or two.
# N calls therefore take at least a second plus this margin.
JITTER_MARGIN = 0.03
# A turn taken up to this late (a slow commit, a busy machine) is made up by the next turns,
# at most twice the pace, instead of pushing every later turn back for good. A longer stall,
# or a sender that was idle, starts the schedule afresh: no burst follows it.
CATCH_UP = 0.1


class Pacer:
    """Spaces calls: at most `per_second` overall, and one per `channel_interval` a channel.

    Turns follow a schedule 1/per_second apart; a turn taken late by up to CATCH_UP leaves
    the schedule where it was, and the next turns catch up on it, never closer than half the
    interval. And any N = floor(per_second) calls in a row span at least N/per_second seconds
    plus JITTER_MARGIN, so never more than N in a second as Slack counts them: the pace is
    about per_second / (1 + JITTER_MARGIN) however the sender's own work varies.

    Threads book turns instead of sleeping under a lock: booking is instant, so a thread
    that is waiting for its turn never holds up another that is booking the next one. A
    thread that has chosen a message claims its channel first, so that no other thread picks
    the same channel while it gets the message ready, and books its turn when it is ready.
    """

    def __init__(
        self,
        per_second: float,
        channel_interval: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.per_second = per_second
        self.interval = 1.0 / per_second
        self.channel_interval = channel_interval
        self.monotonic = monotonic
        self.sleep = sleep
        self._lock = threading.Lock()
        self._next_call = 0.0
        self._last_start = -math.inf
        self._channel_free_at: dict[str, float] = {}
        self._claimed: set[str] = set()
        calls = max(1, math.floor(per_second))
        self._window = calls / per_second + JITTER_MARGIN
        self._recent: deque[float] = deque(maxlen=calls)

    def busy_channels(self) -> set[str]:
        """Channels claimed, or whose last turn was less than `channel_interval` ago."""
        with self._lock:
            return self._busy(self.monotonic()) | self._claimed

    def until_a_channel_is_free(self) -> float | None:
        """Seconds until the first channel busy since its last turn is free again, if any."""
        with self._lock:
            now = self.monotonic()
            busy = self._busy(now)
            if not busy:
                return None
            return max(0.0, min(self._channel_free_at[c] for c in busy) - now)

    def claim(self, channel_id: str) -> None:
        """Keep `channel_id` busy until its turn is booked (or the claim released)."""
        with self._lock:
            self._claimed.add(channel_id)

    def release(self, channel_id: str) -> None:
        """The claimed channel gets no turn after all (its message is not to be sent)."""
        with self._lock:
            self._claimed.discard(channel_id)

    def book(self, channel_id: str) -> float:
        """Take the next turn, in `channel_id`; return the seconds to wait before it comes."""
        with self._lock:
            now = self.monotonic()
            scheduled = self._next_call
            if now - scheduled > CATCH_UP:
                scheduled = now
            start = max(
                now,
                scheduled,
                self._last_start + self.interval / 2,
                self._channel_free_at.get(channel_id, 0.0),
            )
            if len(self._recent) == self._recent.maxlen:
                start = max(start, self._recent[0] + self._window)
            if start - scheduled > CATCH_UP:
                scheduled = start
            # From the schedule, not the moment the caller wakes: oversleeping by a little
            # does not add up over thousands of turns.
            self._recent.append(start)
            self._last_start = start
            self._next_call = scheduled + self.interval
            self._channel_free_at[channel_id] = start + self.channel_interval
            self._claimed.discard(channel_id)
            return start - now

    def wait_turn(self, channel_id: str) -> None:
        self.sleep(self.book(channel_id))

    def pause(self, seconds: float) -> None:
        """Start no turn for `seconds`: Slack said it is over its limit."""
        with self._lock:
            self._next_call = max(self._next_call, self.monotonic() + seconds)

    def watching(self, client: WebClient) -> WebClient:
        """`client`, unchanged but for telling this pacer when Slack answers 429.

        slack_sdk's RateLimitErrorRetryHandler waits out Retry-After (plus up to a second) and
        sends the call again, outside the pacer. Other threads, still at the full pace, would
        leave that retry no room in Slack's count, be refused in turn, and retry too; so
        every thread pauses until the retry has gone.
        """
        watched = copy.copy(client)  # the caller's client, shared with the app, stays as it is
        watched.retry_handlers = [_RateLimitWatch(self), *client.retry_handlers]
        return watched

    def _busy(self, now: float) -> set[str]:
        busy = {c for c, free_at in self._channel_free_at.items() if free_at > now}
        if len(busy) != len(self._channel_free_at):
            self._channel_free_at = {c: self._channel_free_at[c] for c in busy}
        return busy


class _RateLimitWatch(RetryHandler):
    """Retries nothing itself; tells the pacer, then lets the next handler wait and retry."""

    def __init__(self, pacer: Pacer) -> None:
        super().__init__(max_retry_count=1_000_000)  # look at every answer, however many
        self.pacer = pacer

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None and response.status_code == 429:
            # The retry comes within Retry-After plus a second (slack_sdk adds up to one).
            self.pacer.pause(_retry_after(response) + 1.0)
        return False


def _retry_after(response: HttpResponse) -> float:
    for name, values in response.headers.items():
        if name.lower() == "retry-after":
            value = values[0] if isinstance(values, list) else values
            try:
                return max(0.0, float(value))
            except ValueError:
                break
    return 1.0
