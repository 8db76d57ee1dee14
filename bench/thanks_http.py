"""Benchmark: `/thanks` over real HTTP, Goodwill against a bare Bolt app (`make bench`).

    python -m bench.thanks_http [--requests N] [--concurrency C] [--json PATH] ...

One run creates a scratch PostgreSQL database (dropped at the end), serves a seeded Slack
emulator on loopback, and then, for each server in turn (baseline, then goodwill), starts it as
a gunicorn subprocess on 127.0.0.1, waits until every worker has built its app, sends a warm-up
and then the timed load of pre-signed `/thanks` requests, and stops it. It prints latency
percentiles, throughput, CPU use, the checks on every response and on the ledger, and PASS or
FAIL against the performance goals. Figures are what was measured; nothing is adjusted.

Exit status: 0 when the run is valid (every response as expected, every credit in the
database) whether or not the goals are met; 1 when it is not.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gunicorn
import slack_bolt

from bench._cpu import CLOCK_TICKS, cpu_seconds, machine_ticks, used_since
from bench._load import LoadResult, Workforce, run_load, thanks_requests
from bench._servers import REPO_ROOT, AppConfig, BenchServer, GunicornSettings
from bench._workspace import ScratchDatabase, start_workspace
from bot.sandbox.emulator import SlackEmulator

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
GOAL_P99_SECONDS = 0.020
GOAL_THROUGHPUT_RATIO = 0.5
KINDS = ("baseline", "goodwill")
NOISY_OTHER_LOAD = 0.05


@dataclass(frozen=True)
class Measurement:
    kind: str
    warmup: LoadResult
    timed: LoadResult
    server_cpu: float | None  # CPU seconds of the gunicorn workers during the timed load
    worker_cpu: list[float]  # the same, worker by worker
    database_cpu: float | None  # CPU seconds of the PostgreSQL backends serving them
    machine_busy: float  # share of all cores busy during the timed load, 0..1
    machine_busy_cpu: float  # CPU seconds all processes used during the timed load

    @property
    def other_load(self) -> float:
        """Share of all cores that processes other than the bench's used meanwhile (other
        people's jobs on a shared machine): a high figure means a noisy measurement."""
        ours = self.timed.client_cpu + (self.server_cpu or 0.0) + (self.database_cpu or 0.0)
        capacity = (os.cpu_count() or 1) * self.timed.elapsed
        return max(0.0, self.machine_busy_cpu - ours) / capacity


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.thanks_http",
        description="Goodwill's /thanks over HTTP against a bare Bolt app, same gunicorn stack.",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=10_000,
        help="timed requests per server; each server's warm-up and timed load must finish "
        "within the 5 minutes Slack signatures are valid (default: %(default)s)",
    )
    parser.add_argument(
        "--warmup", type=int, default=500, help="untimed requests per server (default: %(default)s)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=16, help="concurrent connections (default: %(default)s)"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL,
        help="PostgreSQL server to create the scratch database on (env BENCH_DATABASE_URL)",
    )
    parser.add_argument("--json", type=Path, help="write the raw figures here")
    # Chosen by measurement on the 2-core machine: see docs/BENCHMARKS.md.
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (sync)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (1)")
    args = parser.parse_args(argv)
    if min(args.requests, args.concurrency, args.workers, args.threads) < 1 or args.warmup < 0:
        parser.error("counts must be positive")
    return args


def measure(
    kind: str,
    server: BenchServer,
    database: ScratchDatabase,
    emulator: SlackEmulator,
    workforce: Workforce,
    args: argparse.Namespace,
) -> Measurement:
    secret = server.config.signing_secret
    # Built and signed before any timing; Bolt accepts a signature for 5 minutes.
    total = args.warmup + args.requests
    warmup = thanks_requests(emulator, workforce, secret, server.port, range(args.warmup))
    timed = thanks_requests(emulator, workforce, secret, server.port, range(args.warmup, total))
    warmup_result = run_load(server.port, warmup, args.concurrency)
    workers = server.worker_pids

    def database_pids() -> list[int]:
        return database.backend_pids() if kind == "goodwill" else []

    server_before = cpu_seconds(workers)
    database_before = cpu_seconds(database_pids())
    busy_before, total_before = machine_ticks()
    result = run_load(server.port, timed, args.concurrency)
    busy_after, total_after = machine_ticks()
    server_after = cpu_seconds(workers)
    # Connections opened during the load (a pool growing) are counted from their start.
    database_after = cpu_seconds(database_pids())
    readable = len(server_before) == len(server_after) == len(workers)
    return Measurement(
        kind=kind,
        warmup=warmup_result,
        timed=result,
        server_cpu=used_since(server_before, server_after) if readable else None,
        worker_cpu=[server_after.get(pid, 0.0) - server_before.get(pid, 0.0) for pid in workers],
        database_cpu=used_since(database_before, database_after) if database_after else None,
        machine_busy=(busy_after - busy_before) / max(1, total_after - total_before),
        machine_busy_cpu=(busy_after - busy_before) / CLOCK_TICKS,
    )


def machine() -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "gunicorn": gunicorn.__version__,
        "slack_bolt": slack_bolt.version.__version__,
        "code": code_revision(),
    }


def code_revision() -> str:
    """The commit measured, and whether bot/ or migrations/ differed from it (read-only git)."""
    git = ["git", "--no-optional-locks", "-C", str(REPO_ROOT)]
    try:
        head = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        changes = subprocess.run(
            [*git, "status", "--porcelain", "--", "bot", "migrations"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{head} with uncommitted changes in bot/ or migrations/" if changes else head


def _stop_on_sigterm(signum: int, frame: object) -> None:
    # Unwind as Ctrl-C does, so that the servers stop and the scratch database is dropped.
    print("bench: stopped by SIGTERM; stopping the servers, dropping the database", file=sys.stderr)
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    settings = GunicornSettings(args.worker_class, args.workers, args.threads)
    info = machine()
    measurements: dict[str, Measurement] = {}
    with ScratchDatabase(args.database_url) as database, tempfile.TemporaryDirectory() as tmp:
        info["postgresql"] = database.server_version()
        emulator, workforce = start_workspace(database, args.warmup + args.requests)
        try:
            config = AppConfig(
                emulator.api_url, emulator.bot_token, secrets.token_hex(16), database.url
            )
            for kind in KINDS:
                with BenchServer(kind, settings, config, Path(tmp)) as server:
                    measurements[kind] = measure(kind, server, database, emulator, workforce, args)
            credits = database.credit_count()
        finally:
            emulator.stop()
    valid = report(info, settings, args, measurements, credits)
    if args.json:
        args.json.write_text(json.dumps(raw(info, settings, args, measurements, credits), indent=1))
    return 0 if valid else 1


def report(
    info: dict[str, Any],
    settings: GunicornSettings,
    args: argparse.Namespace,
    measurements: dict[str, Measurement],
    credits: int,
) -> bool:
    """Print the figures and checks; True when the run is valid."""
    print(f"Goodwill /thanks over HTTP, {info['date']}, code at {info['code']}")
    print(
        f"machine: {info['cpus']} CPUs, Python {info['python']}, PostgreSQL "
        f"{info['postgresql']}, gunicorn {info['gunicorn']}, slack_bolt {info['slack_bolt']}"
    )
    print(f"server (both): gunicorn via bot.web.GunicornServer, {settings.describe()}")
    print(
        "baseline: bare Bolt App whose /thanks listener only acks; goodwill: bot.runtime.http_app "
        "(build_app + wsgi_app, production settings: scheduler in each worker), scratch PostgreSQL"
    )
    print(
        f"client: 1 asyncio process (Protocol callbacks, no streams), {args.concurrency} "
        "connections, keep-alive where the server allows it, requests built and signed before "
        "timing; latency = request written (or connection opened) -> last response byte read"
    )
    print(f"load: {args.warmup} warm-up (not timed) + {args.requests} timed requests per server")
    print()
    header = (
        f"{'server':<9} {'req/s':>7} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'max ms':>7}"
        f" {'conns':>6} {'client CPU':>10} {'server CPU/req':>14} {'db CPU/req':>10}"
        f" {'machine busy':>12} {'other load':>10}"
    )
    print(header)
    print("-" * len(header))
    for kind, m in measurements.items():
        t = m.timed
        count = len(t.latencies)
        print(
            f"{kind:<9} {t.throughput:>7.0f} {t.percentile(50) * 1e3:>7.2f}"
            f" {t.percentile(90) * 1e3:>7.2f} {t.percentile(99) * 1e3:>7.2f}"
            f" {max(t.latencies) * 1e3:>7.2f} {t.connections:>6}"
            f" {t.client_cpu / t.elapsed:>9.0%} {_per_request(m.server_cpu, count):>14}"
            f" {_per_request(m.database_cpu, count):>10} {m.machine_busy:>12.0%}"
            f" {m.other_load:>10.0%}"
        )
    print(
        "(client CPU: share of one core; CPU/req: worker or PostgreSQL backend CPU time per "
        "request; machine busy: share of all cores; other load: share of all cores used by "
        "processes outside the bench, which makes figures noisy)"
    )
    for kind, m in measurements.items():
        total = sum(m.worker_cpu) or 1.0
        split = " / ".join(f"{seconds / total:.0%}" for seconds in m.worker_cpu)
        print(f"{kind} workers' shares of the server CPU: {split}")
    print()
    baseline, goodwill = measurements["baseline"], measurements["goodwill"]
    ratio = goodwill.timed.throughput / baseline.timed.throughput
    print(f"throughput goodwill/baseline: {ratio:.2f}")

    checks = []
    baseline_ok = sum(r.ok_statuses() for r in (baseline.warmup, baseline.timed))
    baseline_all = len(baseline.warmup.statuses) + len(baseline.timed.statuses)
    checks.append((baseline_ok == baseline_all, f"baseline HTTP 200: {baseline_ok}/{baseline_all}"))
    replies = sum(r.in_channel_replies() for r in (goodwill.warmup, goodwill.timed))
    sent = len(goodwill.warmup.statuses) + len(goodwill.timed.statuses)
    checks.append(
        (replies == sent, f"goodwill HTTP 200 with response_type in_channel: {replies}/{sent}")
    )
    checks.append((credits == sent, f"credits in the database: {credits} (expected {sent})"))
    for ok, text in checks:
        print(f"check {'OK  ' if ok else 'FAIL'} {text}")
    p99 = goodwill.timed.percentile(99)
    goals = [
        (p99 <= GOAL_P99_SECONDS, f"goodwill p99 <= 20 ms: {p99 * 1e3:.2f} ms"),
        (ratio >= GOAL_THROUGHPUT_RATIO, f"goodwill throughput >= 50% of baseline: {ratio:.0%}"),
    ]
    for ok, text in goals:
        print(f"goal  {'PASS' if ok else 'FAIL'} {text}")
    for m in measurements.values():
        if m.other_load > NOISY_OTHER_LOAD:
            print(
                f"warning: processes outside the bench used {m.other_load:.0%} of the machine "
                f"during the {m.kind} load; its figures are noisy. Run again on a quiet machine."
            )
    valid = all(ok for ok, _ in checks)
    if not valid:
        print("The run is NOT valid: some responses or credits were not as expected.")
    return valid


def _per_request(seconds: float | None, count: int) -> str:
    return "n/a" if seconds is None else f"{seconds / count * 1e3:.2f} ms"


def raw(
    info: dict[str, Any],
    settings: GunicornSettings,
    args: argparse.Namespace,
    measurements: dict[str, Measurement],
    credits: int,
) -> dict[str, Any]:
    servers = {}
    for kind, m in measurements.items():
        t = m.timed
        servers[kind] = {
            "requests": len(t.latencies),
            "warmup_requests": len(m.warmup.latencies),
            "elapsed_s": t.elapsed,
            "requests_per_s": t.throughput,
            "latency_ms": {
                "p50": t.percentile(50) * 1e3,
                "p90": t.percentile(90) * 1e3,
                "p99": t.percentile(99) * 1e3,
                "max": max(t.latencies) * 1e3,
            },
            "connections_opened": t.connections,
            "client_cpu_s": t.client_cpu,
            "server_cpu_s": m.server_cpu,
            "worker_cpu_s": m.worker_cpu,
            "database_cpu_s": m.database_cpu,
            "machine_busy": m.machine_busy,
            "other_load": m.other_load,
            "statuses": {str(s): t.statuses.count(s) for s in sorted(set(t.statuses))},
            "in_channel_replies": t.in_channel_replies() if kind == "goodwill" else None,
            "latencies_ms": [round(value * 1e3, 4) for value in t.latencies],
        }
    return {
        "machine": info,
        "gunicorn": settings.options(),
        "concurrency": args.concurrency,
        "credits_in_database": credits,
        "servers": servers,
    }


if __name__ == "__main__":
    sys.exit(main())
