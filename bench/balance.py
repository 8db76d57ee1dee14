"""`/favor balance` latency: a member with 10,000 ledger rows, in a 1,000,000-row workspace
and in a 10,000-row one, on PostgreSQL, measured in the same run.

    python -m bench.balance [--runs 300] [--database-url postgresql+psycopg://…]

What is timed is what the listener does after parsing: one transaction running
`balance_for` (the per-counterpart decayed sums and the open asks and offers) and rendering
the private message with `balance_message`. Goals (issue 3): p99 <= 30 ms at 1,000,000 rows,
and the 1,000,000-row latency at most 1.5 times the 10,000-row latency (p50 ratio).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench._ledger import SyntheticWorkspace, count_rows, generate
from bench._timing import HEADER, Timings, time_calls
from bench._workspace import ScratchDatabase
from bot.balance.blocks import balance_message
from bot.balance.exchanges import balance_for
from bot.db import make_session_factory

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
GOAL_P99_SECONDS = 0.030
GOAL_RATIO = 1.5

BIG = SyntheticWorkspace("T0BIG0001", 10_000, 1_000_000, 10_000)
# The same member, with the same number of rows and counterparts, alone in a small workspace:
# only the rest of the workspace differs.
SMALL = SyntheticWorkspace("T0SMALL01", 10_000, 10_000, 10_000)


def _no_lookup(user_id: str) -> None:
    raise AssertionError(f"the bench's members are all cached; {user_id} was looked up")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    with ScratchDatabase(args.database_url) as database:
        engine = database.require_engine()
        started = time.monotonic()
        for workspace in (BIG, SMALL):
            generate(engine, workspace, NOW)
        generated = time.monotonic() - started
        sessions = make_session_factory(engine)
        results: dict[str, Timings] = {}
        rows: dict[str, tuple[int, int]] = {}
        for label, workspace in (("1,000,000-row workspace", BIG), ("10,000-row workspace", SMALL)):
            focus = workspace

            def one_balance(focus: SyntheticWorkspace = focus) -> None:
                with sessions.begin() as session:
                    summary = balance_for(
                        session, NOW, focus.team_id, focus.focus_id, None, _no_lookup
                    )
                    balance_message(summary)

            results[label] = time_calls(one_balance, args.runs, args.warmup)
            rows[label] = (
                count_rows(engine, focus.team_id),
                count_rows(engine, focus.team_id, focus.focus_id),
            )
        version = database.server_version()

    big, small = results["1,000,000-row workspace"], results["10,000-row workspace"]
    ratio = big.median / small.median
    print(f"/favor balance, {args.runs} runs after {args.warmup} warm-up, PostgreSQL {version}")
    print(f"synthetic data generated in {generated:.1f} s")
    for label, (total, mine) in rows.items():
        print(f"  {label}: {total:,} rows, {mine:,} of them the member's")
    print(HEADER)
    for label, timings in results.items():
        print(timings.row(label))
    checks = [
        (
            big.percentile(99) <= GOAL_P99_SECONDS,
            f"p99 at 1M rows <= 30 ms: {big.percentile(99) * 1e3:.2f} ms",
        ),
        (ratio <= GOAL_RATIO, f"p50 at 1M rows / p50 at 10k rows <= 1.5: {ratio:.2f}"),
    ]
    for ok, text in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                    "postgresql": version,
                    "rows": rows,
                    "ms": {k: sorted(v * 1e3 for v in t.seconds) for k, t in results.items()},
                    "ratio_p50": ratio,
                },
                indent=1,
            )
        )
    return 0 if all(ok for ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
