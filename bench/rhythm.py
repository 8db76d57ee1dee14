"""The weekly rhythm's cost: this week's digest and every nudge, for a synthetic workspace of
10,000 members and 1,000,000 credits on PostgreSQL, against hand-written SQL aggregates
answering the same questions, measured in the same run.

    python -m bench.rhythm [--runs 5] [--database-url …]

Goodwill's side is `weekly_digest` plus `nudge_candidates`, the computations a tick runs for
a workspace (planning then only formats what they return). The hand-written side is plain
SQL, one statement per question, without the rarity and eligibility rules. Both run in a
child process whose peak resident memory is reported. Goals (issue 4): Goodwill <= 1 s,
<= 1.5 times the hand-written SQL, peak memory <= 200 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from bench._ledger import SyntheticWorkspace, generate
from bench._workspace import ScratchDatabase
from bot.db import make_engine, make_session_factory
from bot.digest.week import weekly_digest
from bot.models import Workspace
from bot.nudges.plan import nudge_candidates

# A Monday afternoon: the digest is due, and UTC, Oslo and New York are in working hours.
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
WEEK_END = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
BIG = SyntheticWorkspace("T0RHYTHM1", 10_000, 1_000_000, 10_000)
GOAL_SECONDS, GOAL_RATIO, GOAL_MB = 1.0, 1.5, 200

HAND_WRITTEN = {
    "week totals by kind": """
        SELECT kind, count(*) FROM credits
        WHERE team_id = :team AND created_at >= :start AND created_at < :end
          AND retracted_at IS NULL GROUP BY kind""",
    "people involved": """
        SELECT count(*) FROM (
          SELECT helper_id FROM credits WHERE team_id = :team AND created_at >= :start
            AND created_at < :end AND retracted_at IS NULL
          UNION SELECT helped_id FROM credits WHERE team_id = :team AND created_at >= :start
            AND created_at < :end AND retracted_at IS NULL) AS people""",
    "helpers by people helped": """
        SELECT helper_id, count(DISTINCT helped_id) AS n FROM credits
        WHERE team_id = :team AND created_at >= :start AND created_at < :end
          AND retracted_at IS NULL GROUP BY helper_id ORDER BY n DESC LIMIT 5""",
    "recent reasons": """
        SELECT helper_id, helped_id, kind, reason FROM credits
        WHERE team_id = :team AND created_at >= :start AND created_at < :end
          AND retracted_at IS NULL AND reason IS NOT NULL AND quotable
        ORDER BY created_at DESC LIMIT 200""",
    "new connections": """
        SELECT count(*) FROM (SELECT DISTINCT helper_id, helped_id FROM credits
          WHERE team_id = :team AND created_at >= :start AND created_at < :end
            AND retracted_at IS NULL) AS w
        WHERE NOT EXISTS (SELECT 1 FROM credits p WHERE p.team_id = :team
            AND p.helper_id = w.helper_id AND p.helped_id = w.helped_id
            AND p.created_at < :start AND p.retracted_at IS NULL)
          AND NOT EXISTS (SELECT 1 FROM credits p WHERE p.team_id = :team
            AND p.helper_id = w.helped_id AND p.helped_id = w.helper_id
            AND p.created_at < :start AND p.retracted_at IS NULL)""",
    "heavy pairs, 90 days": """
        SELECT helper_id, helped_id, total, last_thanks FROM (
          SELECT helper_id, helped_id,
                 sum(weight * power(0.5, (:now_epoch - extract(epoch FROM created_at))
                     / (86400.0 * 60))) AS total,
                 max(created_at) FILTER (WHERE kind = 'thanks') AS last_thanks
          FROM credits WHERE team_id = :team AND created_at >= :now - interval '90 days'
            AND retracted_at IS NULL
            AND helped_id IN (SELECT user_id FROM members WHERE team_id = :team
                              AND tz IN ('UTC', 'Europe/Oslo', 'America/New_York'))
          GROUP BY helper_id, helped_id) AS pairs
        WHERE total >= 3""",
    "people helped, 30 days": """
        SELECT helper_id, count(DISTINCT helped_id) FROM credits
        WHERE team_id = :team AND created_at >= :now - interval '30 days'
          AND retracted_at IS NULL
          AND helper_id IN (SELECT user_id FROM members WHERE team_id = :team
                            AND tz IN ('UTC', 'Europe/Oslo', 'America/New_York'))
        GROUP BY helper_id HAVING count(DISTINCT helped_id) >= 4""",
    "helped by, 60 days": """
        SELECT helped_id, count(DISTINCT helper_id) FROM credits
        WHERE team_id = :team AND created_at >= :now - interval '60 days'
          AND retracted_at IS NULL
          AND helped_id IN (SELECT user_id FROM members WHERE team_id = :team
                            AND tz IN ('UTC', 'Europe/Oslo', 'America/New_York'))
        GROUP BY helped_id HAVING count(DISTINCT helper_id) >= 4""",
}

# Some people the nudges are for, on top of the random ledger: 500 one-sided pairs (three
# big favours each in the last month), 100 people who helped many but received nothing for
# 60 days (ask too), and 100 who received from many but helped no one (give back).
NUDGE_WORTHY = (
    """INSERT INTO credits (team_id, helper_id, helped_id, kind, weight, reason, "values",
         source_key, created_at)
       SELECT :team, :prefix || lpad((2 * p)::text, 7, '0'),
              :prefix || lpad((2 * p + 1)::text, 7, '0'), 'favor', 3, 'a big favour ' || k,
              '[]', 'bench-pair:' || p || ':' || k, :now - make_interval(days => 3 * k + p % 20)
       FROM generate_series(1, 500) AS p, generate_series(1, 3) AS k""",
    """UPDATE credits SET retracted_at = :now WHERE team_id = :team
         AND created_at >= :now - interval '60 days'
         AND helped_id IN (SELECT :prefix || lpad(n::text, 7, '0')
                           FROM generate_series(8000, 8099) AS n)""",
    """UPDATE credits SET retracted_at = :now WHERE team_id = :team
         AND created_at >= :now - interval '60 days'
         AND helper_id IN (SELECT :prefix || lpad(n::text, 7, '0')
                           FROM generate_series(9000, 9099) AS n)""",
)


def child(database_url: str, runs: int, side: str) -> None:
    """Measure one side in a fresh process, so that its peak memory is its own."""
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    params = {
        "team": BIG.team_id,
        "start": WEEK_END - timedelta(days=7),
        "end": WEEK_END,
        "now": NOW,
        "now_epoch": NOW.timestamp(),
    }
    seconds, digest, nudged = [], [], 0
    for _ in range(runs + 1):  # the first run warms the caches and is not counted
        started = time.perf_counter()
        if side == "goodwill":
            with sessions.begin() as session:
                workspace = session.get(Workspace, BIG.team_id)
                assert workspace is not None
                weekly_digest(session, workspace, WEEK_END)
                digest.append(time.perf_counter() - started)
                nudged = len(nudge_candidates(session, workspace, NOW))
        else:
            with engine.connect() as conn:
                for statement in HAND_WRITTEN.values():
                    conn.execute(text(statement), params).all()
        seconds.append(time.perf_counter() - started)
    engine.dispose()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {"seconds": seconds[1:], "digest": digest[1:], "peak_mb": peak_mb, "nudged": nudged}
    print(json.dumps(figures))


def _measure(database_url: str, runs: int, side: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.rhythm", "--runs", str(runs), "--side", side]
    done = subprocess.run(
        [*command, "--child", database_url], capture_output=True, text=True, check=True
    )
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--side", default="goodwill", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.runs, args.side)
        return 0

    with ScratchDatabase(args.database_url) as database:
        started = time.monotonic()
        engine = database.require_engine()
        generate(engine, BIG, NOW)
        with engine.begin() as conn:
            for statement in NUDGE_WORTHY:
                conn.execute(
                    text(statement), {"team": BIG.team_id, "prefix": BIG.prefix, "now": NOW}
                )
        # The updates above leave dead rows and clear pages' all-visible bits: vacuum again,
        # as autovacuum would after them (see bench._ledger.generate).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE credits"))
        generated = time.monotonic() - started
        version = database.server_version()
        figures = {side: _measure(database.url, args.runs, side) for side in ("goodwill", "hand")}
    goodwill = statistics.median(figures["goodwill"]["seconds"])
    hand = statistics.median(figures["hand"]["seconds"])
    ratio = goodwill / hand
    print(
        f"Digest + nudges, {BIG.members:,} members, {BIG.credits:,} credits, PostgreSQL {version}"
    )
    print(
        f"synthetic data generated in {generated:.1f} s; "
        f"medians of {args.runs} runs after one warm-up"
    )
    print(f"  Goodwill (weekly_digest + nudge_candidates): {goodwill * 1e3:8.1f} ms")
    digest = statistics.median(figures["goodwill"]["digest"])
    print(f"    of which the digest:                       {digest * 1e3:8.1f} ms")
    print(f"  hand-written SQL, {len(HAND_WRITTEN)} statements:        {hand * 1e3:8.1f} ms")
    print(f"  ratio {ratio:.2f}; {figures['goodwill']['nudged']:,} people would be nudged now")
    peak = figures["goodwill"]["peak_mb"]
    print(f"  peak resident memory of Goodwill's measuring process: {peak:.0f} MB")
    print(f"  (the hand-written side's process: {figures['hand']['peak_mb']:.0f} MB)")
    checks = [
        (goodwill <= GOAL_SECONDS, f"digest + nudges <= 1 s: {goodwill:.3f} s"),
        (ratio <= GOAL_RATIO, f"<= 1.5x hand-written SQL: {ratio:.2f}x"),
        (peak <= GOAL_MB, f"peak memory <= 200 MB: {peak:.0f} MB"),
    ]
    for ok, text_ in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {text_}")
    return 0 if all(ok for ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
