"""Benchmark: Socket Mode acknowledgement latency, steady and across Slack's disconnects.

    python -m bench.socket_mode [--requests N] [--rounds R] [--database-url URL]

Three subjects, each a process of its own against the emulator's Socket Mode (in this one):
`builtin`, a bare Bolt app (its /thanks listener only acks) on slack_sdk's built-in client,
Bolt's default SocketModeHandler and Goodwill's choice before bot.slack.socket_mode; `runner`,
the same bare app on bot.slack.socket_mode.SocketModeRunner; `goodwill`, the real
`python -m bot` in Socket Mode (SQLite in a scratch folder unless --database-url).

For each: `/thanks` commands with 16 in flight (each sent as the previous one is acked), p50
and p99 of the time from sending to ack, as Slack's 3-second clock counts it; then R rounds of
`refresh_requested` on every connection at once followed by 16 commands sent at once (the
requests that meet the reconnection); then R abrupt drops of every connection, `closed` (the
socket shut, no close frame) and `silent` (nothing passes any more, nothing says so): the time
until the subject holds its connections again, and the CPU seconds it burned meanwhile.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench._cpu import cpu_seconds
from bot.sandbox.payloads import SlackPayloads
from bot.sandbox.seed import PEOPLE, seed_workspace
from slack_emulator import SlackEmulator
from slack_emulator.socket_mode import Envelope, SocketMode

IN_FLIGHT = 16
ROOT = Path(__file__).resolve().parent.parent
GENERAL = "C0GENERAL"
DROP_WAIT = 90.0  # the built-in client takes about a minute: waited out, not cut short


class Subject:
    def __init__(self, name: str, links: int, command: list[str], env: dict[str, str]) -> None:
        self.name, self.links = name, links
        self.process = subprocess.Popen(
            command,
            env=env,
            cwd=env.get("BENCH_CWD"),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Thanks:
    """Sends one /thanks command, from each seeded person in turn to the next."""

    def __init__(self, emulator: SlackEmulator, socket_mode: SocketMode) -> None:
        self._payloads = SlackPayloads(emulator)
        self._socket_mode = socket_mode
        self._people = itertools.cycle([person[0] for person in PEOPLE])
        self._lock = threading.Lock()

    def __call__(self) -> Envelope:
        with self._lock:
            who, whom = next(self._people), next(self._people)
        fields = self._payloads.command_payload(who, "/thanks", f"<@{whom}> for a bench", GENERAL)
        return self._socket_mode.send_command(fields)


def connected(socket_mode: SocketMode, subject: Subject, timeout: float) -> float | None:
    """Seconds until the subject holds its connections, None past `timeout`."""
    started = time.monotonic()
    while socket_mode.open_connections < subject.links:
        if subject.process.poll() is not None:
            raise RuntimeError(f"{subject.name} exited with {subject.process.returncode}")
        if time.monotonic() - started > timeout:
            return None
        time.sleep(0.005)
    return time.monotonic() - started


def latencies(envelopes: Sequence[Envelope], timeout: float = 15.0) -> list[float]:
    """Each envelope's seconds to its ack; one never acked counts as `timeout`."""
    return [e.latency if e.wait(timeout) and e.latency is not None else timeout for e in envelopes]


def closed_loop(send: Callable[[], Envelope], requests: int) -> list[float]:
    """`requests` commands, IN_FLIGHT at a time, each sent when one before it is acked."""
    left = itertools.count()
    results: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        while next(left) < requests:
            [seconds] = latencies([send()])
            with lock:
                results.append(seconds)

    threads = [threading.Thread(target=worker) for _ in range(IN_FLIGHT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def measure(
    subject: Subject,
    socket_mode: SocketMode,
    send: Callable[[], Envelope],
    args: argparse.Namespace,
) -> dict[str, object]:
    if connected(socket_mode, subject, 60) is None:
        raise RuntimeError(f"{subject.name} did not connect")
    closed_loop(send, IN_FLIGHT * 2)  # warm-up
    steady = closed_loop(send, args.requests)
    refresh: list[float] = []
    for _ in range(args.rounds):
        socket_mode.disconnect("refresh_requested")
        refresh += latencies([send() for _ in range(IN_FLIGHT)])
        connected(socket_mode, subject, 30)
        time.sleep(0.2)
    drops: list[tuple[str, float | None, float]] = []
    pid = subject.process.pid
    for kind, cut in (("closed", socket_mode.drop), ("silent", socket_mode.silence)):
        for _ in range(args.rounds):
            before = cpu_seconds([pid])[pid]
            cut()
            took = connected(socket_mode, subject, DROP_WAIT)
            drops.append((kind, took, cpu_seconds([pid])[pid] - before))
            latencies([send()])  # served again
    return {"steady": steady, "refresh": refresh, "drops": drops}


def _ms(values: Sequence[float], q: int) -> str:
    if len(values) < 2:
        return f"{values[0] * 1000:.1f}" if values else "-"
    return f"{statistics.quantiles(values, n=100, method='inclusive')[q - 1] * 1000:.1f}"


def report(name: str, figures: dict[str, object]) -> None:
    steady, refresh = figures["steady"], figures["refresh"]
    drops = figures["drops"]
    assert isinstance(steady, list) and isinstance(refresh, list) and isinstance(drops, list)
    print(
        f"{name:9} steady p50 {_ms(steady, 50):>7} ms  p99 {_ms(steady, 99):>7} ms | "
        f"after refresh p50 {_ms(refresh, 50):>7} ms  p99 {_ms(refresh, 99):>7} ms  "
        f"max {max(refresh, default=0) * 1000:7.1f} ms"
    )
    for kind, took, cpu in drops:
        shown = f"{took:.2f} s" if took is not None else f"not within {DROP_WAIT:.0f} s"
        print(f"{'':9} {kind} drop: connected again after {shown}, {cpu:.2f} CPU s meanwhile")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", help="Goodwill's database (a scratch SQLite file)")
    parser.add_argument("--only", choices=["builtin", "runner", "goodwill"], action="append")
    args = parser.parse_args(argv)
    print(
        f"Socket Mode ack latency, {IN_FLIGHT} in flight, {args.requests} steady requests, "
        f"{args.rounds} refresh rounds of {IN_FLIGHT} and {args.rounds} drops; "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    )
    for name in args.only or ["builtin", "runner", "goodwill"]:
        with tempfile.TemporaryDirectory() as folder, SlackEmulator() as emulator:
            seed_workspace(emulator)
            socket_mode = emulator.enable_socket_mode(ack_timeout=10.0)
            subject = start(name, emulator, socket_mode, folder, args.database_url)
            try:
                send = Thanks(emulator, socket_mode)
                report(name, measure(subject, socket_mode, send, args))
            finally:
                subject.stop()
    return 0


def start(
    name: str, emulator: SlackEmulator, socket_mode: SocketMode, folder: str, url: str | None
) -> Subject:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env |= {
        "PYTHONPATH": str(ROOT),
        "BENCH_CWD": folder,
        "SLACK_API_URL": emulator.api_url,
        "SLACK_BOT_TOKEN": emulator.bot_token,
        "SLACK_APP_TOKEN": socket_mode.app_token,
    }
    if name == "goodwill":
        env |= {
            "DATABASE_URL": url or f"sqlite:///{folder}/goodwill.db",
            "GOODWILL_PSEUDONYM_KEY": "bench-socket-mode-pseudonym-key",
            "SCHEDULER_ENABLED": "false",
            "LOG_LEVEL": "WARNING",
        }
        return Subject(name, 2, [sys.executable, "-m", "bot"], env)
    command = [sys.executable, "-m", "bench._socket_mode_app", name]
    return Subject(name, 1 if name == "builtin" else 2, command, env)


if __name__ == "__main__":
    sys.exit(main())
