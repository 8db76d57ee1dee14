"""The pacer: turns for any number of threads, never more than N in a second as Slack counts."""

from __future__ import annotations

import itertools
import threading

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry import HttpRequest, HttpResponse, RateLimitErrorRetryHandler, RetryState

from bot.scheduler.pacer import JITTER_MARGIN, Pacer
from tests.support import run_at_once


class FakeTime:
    """A monotonic clock that moves only when a caller sleeps or is slow."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)


def take_turns(pacer: Pacer, time: FakeTime, count: int, slow_every: int = 0) -> list[float]:
    """Start `count` calls one after another; every `slow_every`th caller is 25 ms late."""
    starts = []
    for n in range(count):
        if slow_every and n % slow_every == slow_every - 1:
            time.now += 0.025  # a slow commit before this turn was asked for
        pacer.wait_turn(f"C{n}")
        starts.append(time.now)
    return starts


def test_no_two_calls_closer_than_the_pace_and_no_n_plus_one_in_a_second() -> None:
    time = FakeTime()
    starts = take_turns(Pacer(100, 0.0, time.monotonic, time.sleep), time, 500)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.01 - 1e-9
    # Any 101 calls span more than a second, with room for the network to delay one.
    assert (
        min(b - a for a, b in zip(starts, starts[100:], strict=False)) >= 1 + JITTER_MARGIN - 1e-9
    )
    # ...and that margin is all it costs.
    assert starts[-1] - starts[0] <= 5 * (1 + JITTER_MARGIN)


def test_slow_moments_are_made_up_and_the_pace_holds() -> None:
    time = FakeTime()
    # One caller in ten is 25 ms late: 250 ms a second, far more than the margin.
    starts = take_turns(Pacer(100, 0.0, time.monotonic, time.sleep), time, 500, slow_every=10)
    assert starts[-1] - starts[0] <= 5 * (1 + JITTER_MARGIN) + 0.03
    # Catching up goes at most twice the pace, and never past N in a second.
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.005 - 1e-9
    assert (
        min(b - a for a, b in zip(starts, starts[100:], strict=False)) >= 1 + JITTER_MARGIN - 1e-9
    )


def test_no_burst_after_a_long_stall_or_an_idle_sender() -> None:
    time = FakeTime()
    pacer = Pacer(100, 0.0, time.monotonic, time.sleep)
    take_turns(pacer, time, 10)
    time.now += 5.0  # idle, or a long stall
    starts = take_turns(pacer, time, 10)
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.01 - 1e-9


@pytest.mark.parametrize("per_second", [0.5, 2.5, 5.0])
def test_slow_paces_keep_their_spacing(per_second: float) -> None:
    time = FakeTime()
    starts = take_turns(Pacer(per_second, 0.0, time.monotonic, time.sleep), time, 12)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 1 / per_second - 1e-9
    assert starts[-1] - starts[0] <= 11 / per_second + 11 * JITTER_MARGIN + 1e-9


def test_one_turn_a_channel_interval_in_each_channel() -> None:
    time = FakeTime()
    pacer = Pacer(100, 1.0, time.monotonic, time.sleep)
    assert pacer.book("C1") == 0.0
    assert pacer.busy_channels() == {"C1"}
    assert pacer.until_a_channel_is_free() == pytest.approx(1.0)
    # Another channel only waits for the overall pace...
    assert pacer.book("C2") == pytest.approx(0.01)
    # ...the same channel for its own interval.
    assert pacer.book("C1") == pytest.approx(1.0)
    time.now = 2.5
    assert pacer.busy_channels() == set() and pacer.until_a_channel_is_free() is None


def test_threads_booking_at_once_get_distinct_spaced_turns() -> None:
    time = FakeTime()  # frozen: every turn is booked ahead, none is slept through
    pacer = Pacer(50, 0.0, time.monotonic, lambda _seconds: None)
    turns: list[float] = []
    lock = threading.Lock()

    def book() -> None:
        mine = [pacer.book(f"C{threading.get_ident()}") for _ in range(200)]
        with lock:
            turns.extend(mine)

    run_at_once(book, 8)
    turns.sort()
    assert len(turns) == 1600
    assert min(b - a for a, b in itertools.pairwise(turns)) >= 1 / 50 - 1e-9


def test_a_claimed_channel_is_busy_until_its_turn_is_booked_or_released() -> None:
    time = FakeTime()
    pacer = Pacer(100, 1.0, time.monotonic, time.sleep)
    pacer.claim("C1")
    assert pacer.busy_channels() == {"C1"}
    assert pacer.until_a_channel_is_free() is None  # no turn taken yet: no time to wait for
    pacer.release("C1")
    assert pacer.busy_channels() == set()
    pacer.claim("C1")
    assert pacer.book("C1") == 0.0
    assert pacer.busy_channels() == {"C1"} and pacer.until_a_channel_is_free() == 1.0


def test_slack_answering_429_pauses_every_turn_until_the_retry_has_gone() -> None:
    time = FakeTime()
    pacer = Pacer(100, 0.0, time.monotonic, time.sleep)
    client = WebClient(token="xoxb-test")
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    watched = pacer.watching(client)
    # The caller's client is left as it was; the watched one looks first, retries nothing.
    assert len(client.retry_handlers) == 2 and len(watched.retry_handlers) == 3
    assert watched.retry_handlers[1:] == client.retry_handlers
    watch = watched.retry_handlers[0]
    request = HttpRequest(method="POST", url="https://slack.com/api/chat.postMessage", headers={})
    limited = HttpResponse(status_code=429, headers={"Retry-After": "2"})
    assert not watch.can_retry(state=RetryState(), request=request, response=limited)
    # slack_sdk retries within Retry-After plus a second: no other turn before then.
    assert pacer.book("C1") == pytest.approx(3.0)
    ok = HttpResponse(status_code=200, headers={})
    assert not watch.can_retry(state=RetryState(), request=request, response=ok)
    assert pacer.book("C2") == pytest.approx(3.01)  # an answer that is no 429 pauses nothing


def test_each_workspace_has_a_pace_of_its_own() -> None:
    time = FakeTime()
    pacer = Pacer(10, 0.0, time.monotonic, time.sleep)
    assert pacer.book("C1", "T1") == 0.0
    assert pacer.book("C2", "T2") == 0.0  # not behind the other workspace's turn
    assert pacer.book("C3", "T1") == pytest.approx(0.1)
    assert pacer.until_turn("T1") == pytest.approx(0.2) and pacer.until_turn("T3") == 0.0
    pacer.pause(5.0, "T2")  # Slack refused the second workspace: the first goes on
    assert pacer.book("C4", "T2") == pytest.approx(5.0)
    assert pacer.book("C5", "T1") == pytest.approx(0.2)
