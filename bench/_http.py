"""HTTP benchmarks: Slack requests over real HTTP, Goodwill against the durable floor.

    python -m bench.thanks_http [--requests N] [--concurrency C] [--json PATH] ...
    python -m bench.reactions_http [...]

One run creates a scratch PostgreSQL database (dropped at the end), serves a seeded Slack
emulator on loopback, and starts three gunicorn subprocesses on 127.0.0.1 with the same
settings (bench._servers): the bare ack, the durable floor (a bare Bolt app that records each
request durably before it answers) and goodwill (the real app). Once every worker of each has
built its app, it builds and signs every request of the workload (bench._workloads), warms
the servers up, and sends the timed load in rounds, each a slice of every server in turn, so
that all meet the same machine. It prints latency percentiles, throughput, CPU use, the
checks on every response and on the database, and PASS or FAIL against the performance
goals, which compare goodwill with the floor. Figures are what was measured; nothing is
adjusted. docs/BENCHMARKS.md explains the method and the settings.

Exit status: 0 when the run is valid (every response as expected, every credit in the
database) whether or not the goals are met; 1 when it is not.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import os
import platform
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gunicorn
import slack_bolt

from bench._emulator_process import EmulatorProcess
from bench._load import run_load
from bench._measure import Tally, speed_probe
from bench._report import raw, report
from bench._servers import (
    FLOOR_SCHEMA,
    FLOOR_TABLE,
    REPO_ROOT,
    AppConfig,
    BenchServer,
    GunicornSettings,
    application_name,
)
from bench._workloads import Workload
from bench._workspace import ScratchDatabase, colleagues_for, start_workspace
from bot.sandbox.seed import TEAM_ID

# In the order of the first round; the goals compare goodwill with the floor.
SERVERS = ("ack", "floor", "goodwill")

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# Bolt refuses a request signed more than 5 minutes ago; stop short of that.
SIGNATURE_WINDOW_SECONDS = 280


def parse_args(workload: Workload, argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=f"python -m bench.{workload.name}_http",
        description=f"Goodwill's {workload.title} against the durable floor, same gunicorn stack.",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=10_000,
        help="timed requests per server; the whole load must finish within the 5 minutes "
        "Slack signatures are valid (default: %(default)s)",
    )
    parser.add_argument(
        "--warmup", type=int, default=500, help="untimed requests per server (default: %(default)s)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="timed rounds, each a slice of every server (default: %(default)s)",
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
    if workload.confirmed:
        parser.add_argument(
            "--confirmations",
            choices=("on", "off"),
            default="on",
            help="off: every member has turned the private confirmations off, and the floor "
            "sends none, which measures what they cost (default: %(default)s, as members start)",
        )
    # Chosen by measurement on the 2-core machine: see docs/BENCHMARKS.md.
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (sync)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (1)")
    args = parser.parse_args(argv)
    counts = (args.requests, args.rounds, args.concurrency, args.workers, args.threads)
    if min(counts) < 1 or args.warmup < 0 or args.rounds > args.requests:
        parser.error("counts must be positive, and --rounds at most --requests")
    return args


def main(workload: Workload, argv: list[str] | None = None) -> int:
    args = parse_args(workload, argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    settings = GunicornSettings(args.worker_class, args.workers, args.threads)
    info = machine(args)
    total = args.warmup + args.requests
    with ScratchDatabase(args.database_url) as database, ExitStack() as stack:
        info["postgresql"] = database.server_version()
        database.create(FLOOR_SCHEMA)
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        colleagues = colleagues_for(total)
        served = stack.enter_context(EmulatorProcess(colleagues))
        emulator, workforce = start_workspace(database, served, colleagues)
        info["people"] = len(workforce.people)
        confirmed = workload.confirmed and args.confirmations == "on"
        if workload.confirmed and not confirmed:
            database.turn_confirmations_off()
        stack.callback(emulator.stop)
        secret = secrets.token_hex(16)
        servers = {}
        for kind in SERVERS:
            url = database.url_for(application_name(kind))
            config = AppConfig(served.api_url, emulator.bot_token, secret, url, confirmed)
            servers[kind] = stack.enter_context(BenchServer(kind, settings, config, workdir))
        tallies = {
            kind: Tally(
                kind,
                server.worker_pids,
                None
                if kind == "ack"
                else functools.partial(database.backend_pids, application_name(kind)),
                [served.pid],
            )
            for kind, server in servers.items()
        }
        # Every request is built and signed before anything is timed. Each server gets the
        # same sequence, sent in the order of the workforce's day: the warm-up, then each
        # round the next stretch of it, so that a pair that exchanged earlier did so before.
        # Only goodwill's and the floor's are recorded, each in its own table.
        signed_at = time.monotonic()
        warmups, slices = {}, {}
        for kind, server in servers.items():
            requests = workload.build(emulator, workforce, secret, server.port, range(total))
            warmups[kind] = requests[: args.warmup]
            timed = requests[args.warmup :]
            bounds = [len(timed) * number // args.rounds for number in range(args.rounds + 1)]
            slices[kind] = [timed[start:end] for start, end in itertools.pairwise(bounds)]
        for kind, server in servers.items():
            tallies[kind].warmup = run_load(server.port, warmups[kind], args.concurrency)
        probes = []
        for number in range(args.rounds):
            probes.append(speed_probe())
            # Each round starts with the next server, so that none always follows the same
            # one, whose writes may set off a checkpoint or an autovacuum in the next's time.
            turn = number % len(SERVERS)
            for kind in (*SERVERS[turn:], *SERVERS[:turn]):
                if time.monotonic() - signed_at > SIGNATURE_WINDOW_SECONDS:
                    raise SystemExit(
                        "bench: the load outlasted the 5 minutes Slack signatures are valid; "
                        "run again with fewer --requests"
                    )
                tallies[kind].run_slice(servers[kind].port, slices[kind][number], args.concurrency)
        credits = database.credit_count(TEAM_ID)
        floor_rows = database.row_count(FLOOR_TABLE)
        notes = served.accepted("chat.postEphemeral")
        # Goodwill posts each /thanks's celebration after answering: wait for the last ones.
        celebrations = (
            served.wait_until_accepted("chat.postMessage", total) if workload.celebrated else 0
        )
    timed_numbers = range(args.warmup, total)
    again = sum(workforce.first_of(number) != number for number in timed_numbers)
    info["repeated_share"] = again / args.requests
    valid = report(
        workload,
        info,
        settings,
        tallies,
        probes,
        credits,
        floor_rows,
        notes,
        confirmed,
        celebrations,
    )
    if args.json:
        figures = raw(info, settings, tallies, probes, credits, floor_rows)
        args.json.write_text(json.dumps(figures, indent=1))
    return 0 if valid else 1


def machine(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "gunicorn": gunicorn.__version__,
        "slack_bolt": slack_bolt.version.__version__,
        "code": code_revision(),
        "requests": args.requests,
        "warmup": args.warmup,
        "concurrency": args.concurrency,
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
