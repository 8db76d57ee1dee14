"""Timing helpers shared by the in-process benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timings:
    seconds: list[float]

    def percentile(self, percent: float) -> float:
        ordered = sorted(self.seconds)
        index = min(len(ordered) - 1, max(0, round(percent / 100 * len(ordered)) - 1))
        return ordered[index]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def row(self, label: str) -> str:
        ms = [self.percentile(p) * 1e3 for p in (50, 90, 99, 100)]
        return f"{label:<34} " + " ".join(f"{value:>8.2f}" for value in ms)


HEADER = f"{'':<34} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}"


def time_calls(call: Callable[[], object], runs: int, warmup: int) -> Timings:
    for _ in range(warmup):
        call()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return Timings(seconds)
