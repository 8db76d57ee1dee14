"""`/favor insights` on PostgreSQL: 10,000 members, 1,000,000 credits over a year.

    python -m bench.insights [--runs 5] [--members 10000] [--credits 1000000]
                             [--database-url postgresql+psycopg://…]

What is timed is what the command does once the admin is checked: `team_insights` (every
figure of the last 4 and 12 weeks, for the workspace and each channel) and rendering the
message. The baseline, measured in the same run on the same data: one `count(*)` over the
same 12 weeks of credits, what reading those rows once costs; the insight's figures cost what
they add above it. Each is measured in a fresh child process, whose peak resident memory is
reported: the insight's must stay within 200 MB, which only holds if no credit is read into
Python. Goals (issue 22): p50 <= 2 s, peak memory <= 200 MB.

The synthetic ledger (bench._ledger) is spread here over 20 channels, and gets 20,000 asks
over the year, two in three answered after a few hours.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection

from sqlalchemy import func, select, text

from bench._ledger import SyntheticWorkspace, count_rows, generate
from bench._timing import HEADER, Timings, time_calls
from bench._workspace import ScratchDatabase
from bot.db import make_engine, make_session_factory
from bot.insights.blocks import insights_message
from bot.insights.period import LONGEST
from bot.insights.report import team_insights
from bot.models import Credit

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TEAM = "T0INSIGHT"
GOAL_SECONDS = 2.0
GOAL_PEAK_MB = 200.0
CHANNELS = 20
ASKS = 20_000


def _add_channels_and_asks(url: str, workspace: SyntheticWorkspace, asks: int) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE credits SET channel_id = 'C0BENCH' || lpad((id % :channels)::text, 2, '0')"
            ),
            {"channels": CHANNELS},
        )
        conn.execute(
            text(
                "INSERT INTO favor_requests (public_id, team_id, kind, author_id, text, size,"
                " channel_id, status, created_at)"
                " SELECT 'bench-ask-' || g, :team, 'ask',"
                " :prefix || lpad((g * 37 % :members)::text, 7, '0'), 'a hand, please', 'small',"
                " 'C0BENCH' || lpad((g % :channels)::text, 2, '0'), 'open',"
                " :now - make_interval(secs => (g * 7919 % 31536000))"
                " FROM generate_series(1, :asks) AS g"
            ),
            {
                "team": TEAM,
                "channels": CHANNELS,
                "now": NOW,
                "asks": asks,
                "prefix": workspace.prefix,
                "members": workspace.members,
            },
        )
        conn.execute(
            text(
                "INSERT INTO favor_responses (request_id, user_id, created_at)"
                " SELECT r.id, :prefix || lpad((r.id * 7 % :members)::text, 7, '0'),"
                " r.created_at + make_interval(secs => (r.id * 331 % 36000))"
                " FROM favor_requests AS r WHERE r.team_id = :team AND r.id % 3 <> 0"
            ),
            {"team": TEAM, "prefix": workspace.prefix, "members": workspace.members},
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def _measure(url: str, what: str, runs: int, pipe: Connection) -> None:
    """In a child process: time `what` `runs` times, after one warm-up; send the seconds and
    the process's peak resident memory."""
    engine = make_engine(url)
    sessions = make_session_factory(engine)

    def insights() -> None:
        with sessions() as session:
            insights_message(team_insights(session, TEAM, NOW))

    def baseline() -> None:
        with sessions() as session:
            session.scalar(
                select(func.count())
                .select_from(Credit)
                .where(
                    Credit.team_id == TEAM,
                    Credit.created_at >= NOW - timedelta(weeks=LONGEST),
                    Credit.created_at < NOW,
                )
            )

    timings = time_calls(insights if what == "insights" else baseline, runs, 1)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    pipe.send((timings.seconds, peak_mb))
    engine.dispose()


def _in_child(url: str, what: str, runs: int) -> tuple[Timings, float]:
    spawn = multiprocessing.get_context("spawn")
    receive, send = spawn.Pipe(duplex=False)
    child = spawn.Process(target=_measure, args=(url, what, runs, send))
    child.start()
    seconds, peak_mb = receive.recv()
    child.join()
    return Timings(seconds), peak_mb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--credits", type=int, default=1_000_000)
    parser.add_argument("--asks", type=int, default=ASKS)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    args = parser.parse_args(argv)
    workspace = SyntheticWorkspace(TEAM, args.members, args.credits, 10)

    with ScratchDatabase(args.database_url) as database:
        engine = database.require_engine()
        started = time.monotonic()
        generate(engine, workspace, NOW)
        _add_channels_and_asks(database.url, workspace, args.asks)
        generated = time.monotonic() - started
        version = database.server_version()
        total = count_rows(engine, TEAM)
        results = {
            "baseline: count(*) over 12 weeks": _in_child(database.url, "baseline", args.runs),
            "/favor insights": _in_child(database.url, "insights", args.runs),
        }

    print(f"/favor insights, {args.runs} runs after 1 warm-up, PostgreSQL {version}")
    print(f"{args.members:,} members, {total:,} credits, {args.asks:,} asks,", end=" ")
    print(f"generated in {generated:.1f} s")
    print(f"{HEADER} {'peak MB':>8}")
    for label, (timings, peak_mb) in results.items():
        print(f"{timings.row(label)} {peak_mb:>8.1f}")
    insight, peak = results["/favor insights"]
    base = results["baseline: count(*) over 12 weeks"][0]
    print(f"the figures above reading the rows once: {insight.median - base.median:.3f} s")
    checks = [
        (insight.median <= GOAL_SECONDS, f"p50 <= 2 s: {insight.median:.3f} s"),
        (peak <= GOAL_PEAK_MB, f"peak memory <= 200 MB: {peak:.1f} MB"),
    ]
    for ok, line in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {line}")
    return 0 if all(ok for ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
