"""One scheduler a host: gunicorn's workers run the jobs only while they hold the lease."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler

from bot.scheduler.jobs import schedule
from bot.scheduler.lease import HostLease, lock_path


def test_one_holder_at_a_time(tmp_path: Path) -> None:
    first, second = HostLease(tmp_path / "l.lock"), HostLease(tmp_path / "l.lock")
    assert first.held() and first.held()
    assert not second.held()
    first.release()
    assert second.held()
    assert not first.held()


def test_the_lease_passes_on_when_its_holder_dies(tmp_path: Path) -> None:
    path = tmp_path / "l.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from bot.scheduler.lease import HostLease;"
            f"assert HostLease(Path({str(path)!r})).held(); print('held', flush=True);"
            "time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    mine = HostLease(path)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert not mine.held()
        holder.kill()  # as SIGKILL or a crash would: the kernel drops the lock
        holder.wait(timeout=10)
        deadline = time.monotonic() + 5
        while not mine.held():
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
        mine.release()


def test_lock_files_are_per_database() -> None:
    one, other = lock_path("postgresql+psycopg://h/a"), lock_path("postgresql+psycopg://h/b")
    assert one != other and one == lock_path("postgresql+psycopg://h/a")


class CountingSender:
    def __init__(self) -> None:
        self.runs = 0
        self.took_over = 0

    def take_over(self) -> None:
        self.took_over += 1

    def send_due(self) -> Any:
        self.runs += 1
        return _Nothing()


class _Nothing:
    sent = failed = released = uncertain = 0


def test_jobs_run_only_where_the_lease_is_held(tmp_path: Path) -> None:
    path = tmp_path / "l.lock"
    elsewhere = HostLease(path)
    assert elsewhere.held()  # another worker has it
    sender, lease = CountingSender(), HostLease(path)
    scheduler = schedule(
        BlockingScheduler(timezone=UTC),
        sessions=None,  # type: ignore[arg-type]
        sender=sender,  # type: ignore[arg-type]
        clock=lambda: datetime(2026, 11, 23, tzinfo=UTC),
        lease=lease,
    )
    jobs = {job.id: job.func for job in scheduler.get_jobs()}
    jobs["tick"]()  # would fail on sessions=None had it run
    jobs["settle"]()  # so would this
    jobs["send"]()
    assert sender.runs == 0
    elsewhere.release()
    jobs["send"]()
    assert sender.runs == 1 and sender.took_over == 1
    jobs["send"]()
    assert sender.runs == 2 and sender.took_over == 1  # only on becoming the leader
    lease.release()
