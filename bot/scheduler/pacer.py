"""The sender's pace: turns handed out to any number of sending threads, one at a time, at
each workspace's own pace; with a shared pace (bot.scheduler.pace), across processes too."""

from __future__ import annotations

import copy
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryHandler, RetryState

from bot.scheduler.pace import SharedPace

log = logging.getLogger(__name__)

# Slack counts calls as they arrive, and the network delays some more than others: a call
# sent exactly a second after the one N calls before it can arrive less than a second after
# it, the (N+1)th in Slack's second, and be refused with a Retry-After of a second or two.
# N calls therefore take at least a second plus this margin.
JITTER_MARGIN = 0.03
# A turn taken up to this late (a slow commit, a busy machine) is made up by the next turns,
# at most twice the pace, instead of pushing every later turn back for good. A longer stall,
# or a sender that was idle, starts the schedule afresh: no burst follows it.
CATCH_UP = 0.1
# A shared pace is reserved in runs of about this many seconds' worth of turns: one write a
# workspace a second while it is busy, and a process that has fewer messages wastes at most
# that much of the workspace's time.
RUN_SECONDS = 1.0


@dataclass
class _Schedule:
    """One workspace's turns so far."""

    calls: int
    next_call: float = 0.0
    last_start: float = -math.inf
    recent: deque[float] = field(init=False)
    # The run of turns reserved in the shared pace: turns left, and when it starts and ends.
    run_turns: int = 0
    run_start: float = -math.inf
    run_end: float = -math.inf

    def __post_init__(self) -> None:
        self.recent = deque(maxlen=self.calls)


class Pacer:
    """Spaces calls: at most `per_second` a workspace, and one per `channel_interval` a channel.

    In each workspace, turns follow a schedule 1/per_second apart; a turn taken late by up
    to CATCH_UP leaves the schedule where it was, and the next turns catch up on it, never
    closer than half the interval. And any N = floor(per_second) calls in a row span at least
    N/per_second seconds plus JITTER_MARGIN, so never more than N in a second as Slack counts
    them: the pace is about per_second / (1 + JITTER_MARGIN) however the sender's own work
    varies.

    Threads book turns instead of sleeping under a lock: booking is instant, so a thread
    that is waiting for its turn never holds up another that is booking the next one. A
    thread that has chosen a message claims its channel first, so that no other thread picks
    the same channel while it gets the message ready, and books its turn when it is ready.

    With a `shared` pace, a workspace's turns also fall in runs reserved there, a second's
    worth at a time: other processes' runs come before or after, never during, so together
    they keep to one pace. A turn that would start after its run has ended waits for the next.
    """

    def __init__(
        self,
        per_second: float,
        channel_interval: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        shared: SharedPace | None = None,
    ) -> None:
        self.per_second = per_second
        self.interval = 1.0 / per_second
        self.channel_interval = channel_interval
        self.monotonic = monotonic
        self.sleep = sleep
        self.shared = shared
        self._lock = threading.Lock()
        self._schedules: dict[str, _Schedule] = {}
        self._channel_free_at: dict[str, float] = {}
        self._claimed: set[str] = set()
        self._calls = max(1, math.floor(per_second))
        self._window = self._calls / per_second + JITTER_MARGIN
        # N turns a run, spaced as the window spaces them: runs end to end keep to the window.
        self._run_turns = max(self._calls, math.floor(per_second * RUN_SECONDS))
        self._run_seconds = self._run_turns * self._window / self._calls

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

    def until_turn(self, team_id: str = "") -> float:
        """About how long a turn booked now in the workspace would wait (for choosing)."""
        with self._lock:
            schedule = self._schedules.get(team_id)
            if schedule is None:
                return 0.0
            now = self.monotonic()
            return max(0.0, schedule.next_call - now, schedule.last_start + self.interval / 2 - now)

    def claim(self, channel_id: str) -> None:
        """Keep `channel_id` busy until its turn is booked (or the claim released)."""
        with self._lock:
            self._claimed.add(channel_id)

    def release(self, channel_id: str) -> None:
        """The claimed channel gets no turn after all (its message is not to be sent)."""
        with self._lock:
            self._claimed.discard(channel_id)

    def book(self, channel_id: str, team_id: str = "") -> float:
        """Take the workspace's next turn, in `channel_id`; return the seconds to wait for it."""
        with self._lock:
            schedule = self._schedule(team_id)
            now = self.monotonic()
            scheduled = schedule.next_call
            if now - scheduled > CATCH_UP:
                scheduled = now
            start = max(
                now,
                scheduled,
                schedule.last_start + self.interval / 2,
                self._channel_free_at.get(channel_id, 0.0),
            )
            if len(schedule.recent) == schedule.recent.maxlen:
                start = max(start, schedule.recent[0] + self._window)
            if self.shared is not None:
                start = self._in_a_run(schedule, team_id, start)
            if start - scheduled > CATCH_UP:
                scheduled = start
            # From the schedule, not the moment the caller wakes: oversleeping by a little
            # does not add up over thousands of turns.
            schedule.recent.append(start)
            schedule.last_start = start
            schedule.next_call = scheduled + self.interval
            self._channel_free_at[channel_id] = start + self.channel_interval
            self._claimed.discard(channel_id)
            return max(0.0, start - self.monotonic())

    def wait_turn(self, channel_id: str, team_id: str = "") -> None:
        self.sleep(self.book(channel_id, team_id))

    def pause(self, seconds: float, team_id: str = "") -> None:
        """Start no turn in the workspace for `seconds`: Slack said it is over its limit."""
        with self._lock:
            schedule = self._schedule(team_id)
            schedule.next_call = max(schedule.next_call, self.monotonic() + seconds)

    def watching(self, client: WebClient, team_id: str = "") -> WebClient:
        """`client`, unchanged but for telling this pacer when Slack answers 429.

        slack_sdk's RateLimitErrorRetryHandler waits out Retry-After (plus up to a second) and
        sends the call again, outside the pacer. Other threads, still at the full pace, would
        leave that retry no room in Slack's count, be refused in turn, and retry too; so
        every thread pauses the workspace until the retry has gone, and with a shared pace
        every other process does too.
        """
        watched = copy.copy(client)  # the caller's client, shared with the app, stays as it is
        watched.retry_handlers = [_RateLimitWatch(self, team_id), *client.retry_handlers]
        return watched

    def _schedule(self, team_id: str) -> _Schedule:
        schedule = self._schedules.get(team_id)
        if schedule is None:
            schedule = self._schedules[team_id] = _Schedule(self._calls)
        return schedule

    def _in_a_run(self, schedule: _Schedule, team_id: str, start: float) -> float:
        """`start`, or later: within a run of turns reserved in the shared pace."""
        if schedule.run_turns > 0 and start < schedule.run_end:
            schedule.run_turns -= 1
            return max(start, schedule.run_start)
        assert self.shared is not None
        try:
            wait = self.shared.reserve(team_id, self._run_seconds)
        except Exception:
            # Leading, this process is almost surely the only sender: its own pace holds.
            log.warning("the shared pace of %s could not be reserved", team_id, exc_info=True)
            return start
        schedule.run_start = self.monotonic() + wait
        schedule.run_end = schedule.run_start + self._run_seconds
        schedule.run_turns = self._run_turns - 1
        return max(start, schedule.run_start)

    def _busy(self, now: float) -> set[str]:
        busy = {c for c, free_at in self._channel_free_at.items() if free_at > now}
        if len(busy) != len(self._channel_free_at):
            self._channel_free_at = {c: self._channel_free_at[c] for c in busy}
        return busy


class _RateLimitWatch(RetryHandler):
    """Retries nothing itself; tells the pacer, then lets the next handler wait and retry."""

    def __init__(self, pacer: Pacer, team_id: str) -> None:
        super().__init__(max_retry_count=1_000_000)  # look at every answer, however many
        self.pacer = pacer
        self.team_id = team_id

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
            retry_after = _retry_after(response)
            self.pacer.pause(retry_after + 1.0, self.team_id)
            if self.pacer.shared is not None:
                try:
                    self.pacer.shared.hold_off(self.team_id, retry_after + 1.0)
                except Exception:
                    log.warning("Slack's Retry-After could not be shared", exc_info=True)
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
