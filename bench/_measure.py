"""One server's timed slices and the CPU they cost, added up over the rounds of a run."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bench._cpu import CLOCK_TICKS, cpu_seconds, machine_ticks, used_since
from bench._load import LoadResult, combine, run_load

PROBE_LOOPS = 300_000


def speed_probe(repeat: int = 3) -> float:
    """CPU milliseconds a fixed pure-Python loop takes (the best of `repeat`): the same work
    every time, so a change means the machine itself ran slower or faster (a shared VM's
    neighbours, clock changes)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        total = 0
        for number in range(PROBE_LOOPS):
            total += number * number
        best = min(best, time.process_time() - started)
    return best * 1e3


@dataclass
class Tally:
    kind: str
    workers: Sequence[int]
    # The PostgreSQL backends serving the server, looked up around each slice; None for the
    # baseline, which has no database.
    database_pids: Callable[[], list[int]] | None
    # The Slack emulator's process, which answers the bot's Web API calls.
    slack_pids: Sequence[int] = ()
    warmup: LoadResult | None = None
    slices: list[LoadResult] = field(default_factory=list)
    server_cpu: float = 0.0  # CPU seconds of the gunicorn workers during the timed slices
    worker_cpu: dict[int, float] = field(default_factory=dict)  # the same, worker by worker
    database_cpu: float = 0.0  # CPU seconds of the PostgreSQL backends serving them
    slack_cpu: float = 0.0  # CPU seconds of the Slack emulator meanwhile
    busy_cpu: float = 0.0  # CPU seconds every process on the machine used meanwhile
    busy_ticks: int = 0
    total_ticks: int = 0

    def run_slice(self, port: int, requests: Sequence[bytes], concurrency: int) -> LoadResult:
        server_before = cpu_seconds(self.workers)
        database_before = self._database_cpu()
        slack_before = cpu_seconds(self.slack_pids)
        busy_before, total_before = machine_ticks()
        result = run_load(port, requests, concurrency)
        busy_after, total_after = machine_ticks()
        server_after = cpu_seconds(self.workers)
        slack_after = cpu_seconds(self.slack_pids)
        # Connections opened during the slice (a pool growing) count from their start.
        database_after = self._database_cpu()
        self.slices.append(result)
        self.server_cpu += used_since(server_before, server_after)
        for pid, seconds in server_after.items():
            used = seconds - server_before.get(pid, seconds)
            self.worker_cpu[pid] = self.worker_cpu.get(pid, 0.0) + used
        self.database_cpu += used_since(database_before, database_after)
        self.slack_cpu += used_since(slack_before, slack_after)
        self.busy_ticks += busy_after - busy_before
        self.total_ticks += total_after - total_before
        self.busy_cpu += (busy_after - busy_before) / CLOCK_TICKS
        return result

    def _database_cpu(self) -> dict[int, float]:
        return cpu_seconds(self.database_pids()) if self.database_pids else {}

    @property
    def timed(self) -> LoadResult:
        return combine(self.slices)

    @property
    def has_database(self) -> bool:
        return self.database_pids is not None

    @property
    def machine_busy(self) -> float:
        """Share of all cores busy during the timed slices, 0..1."""
        return self.busy_ticks / max(1, self.total_ticks)

    @property
    def other_load(self) -> float:
        """Share of all cores that processes outside the bench used during the timed slices
        (other people's jobs on a shared machine): a high figure means noisy figures."""
        timed = self.timed
        ours = timed.client_cpu + self.server_cpu + self.database_cpu + self.slack_cpu
        return max(0.0, self.busy_cpu - ours) / ((os.cpu_count() or 1) * timed.elapsed)
