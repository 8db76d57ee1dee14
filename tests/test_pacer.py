"""The pacer: turns for any number of threads, at the pace, one a channel interval per channel."""

from __future__ import annotations

import itertools
import threading

import pytest

from bot.jobs.pacer import Pacer
from tests.support import run_at_once


class FakeTime:
    """A monotonic clock that moves only when a caller sleeps or is slow."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)


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
