"""Likely helpers for an ask on PostgreSQL: 10,000 members, 1,000,000 credits.

    python -m bench.suggestions [--runs 300] [--members 10000] [--credits 1000000]
                                [--database-url postgresql+psycopg://…]

What is timed is the work done after an ask's acknowledgement (bot.suggestions.likely.suggest,
in a transaction rolled back so every run does it again): the full-text matches over open
offers, public thanks and listed skills, ranked, with every exclusion (bots, former members,
opted out, the asker, a private channel's outsiders, capacity), and the suggestions kept.
Baselines measured in the same run: the asker's open asks read through their index (a plain
indexed lookup of the same ask's author), and the ranked search alone, without exclusions
or anything kept. Goal (issue 22): p99 <= 50 ms for the whole.

The synthetic ledger's reasons are rewritten from a vocabulary of 1,000 topic words (the real
ones below and a long tail), two to a reason, evenly: each word is in about 0.2% of the
credits (some 2,000 of a million). The ranked rows are bounded however common a word is
(bot.suggestions.search.RECENT_THANKS), and so are the credits read: only the matches among
the newest credits, as far back as the ask's words need (bot.suggestions.recent), so that an
ask whose words are in several percent of all thanks reads about as much as this one. 2,000
members list skills and 500 have an open offer.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from datetime import UTC, datetime
from itertools import cycle

from sqlalchemy import select, text

from bench._ledger import SyntheticWorkspace, count_rows, generate
from bench._timing import HEADER, Timings, time_calls
from bench._workspace import ScratchDatabase
from bot.db import make_session_factory
from bot.models import FavorRequest
from bot.suggestions.likely import suggest
from bot.suggestions.search import matches

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
GOAL_P99_SECONDS = 0.050
TOPICS = (  # noqa: SIM905 (a paragraph of words reads better than a column)
    "postgres kubernetes terraform helm grafana kafka redis nginx python golang rust "
    "java typescript react css figma sql replication backup migration upgrade "
    "incident oncall review deploy rollback release invoice budget hiring onboarding "
    "interview roadmap design research survey accessibility security audit "
    "compliance billing pricing contract legal translation french spanish german "
    "slides keynote workshop podcast"
).split()
ASKS = (
    "a hand with the postgres replication upgrade",
    "someone who knows terraform and helm",
    "review my slides for the keynote",
    "help with a kafka incident postmortem",
    "french translation of the onboarding guide",
)


VOCABULARY = (*TOPICS, *(f"topic{n:04d}" for n in range(len(TOPICS), 1_000)))


def vary(engine: object, workspace: SyntheticWorkspace) -> None:
    """Reasons from VOCABULARY, skills for some, open offers for others (server-side)."""
    params = {"team": workspace.team_id, "topics": list(VOCABULARY), "prefix": workspace.prefix}
    n = len(VOCABULARY)
    with engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(
            text(
                "UPDATE credits SET reason = 'for the ' "
                f"|| (CAST(:topics AS text[]))[1 + (id * 7919) % {n}] || ' ' "
                f"|| (CAST(:topics AS text[]))[1 + (id * 104729 / {n}) % {n}]"
                " WHERE team_id = :team"
            ),
            params,
        )
        conn.execute(
            text(
                "INSERT INTO member_skills (team_id, user_id, skills)"
                " SELECT :team, :prefix || lpad(g::text, 7, '0'),"
                f" (CAST(:topics AS text[]))[1 + (g * 3) % {n}] || ', '"
                f" || (CAST(:topics AS text[]))[1 + (g * 11) % {n}]"
                " FROM generate_series(1, :members) AS g"
            ),
            {**params, "members": min(2_000, workspace.members - 1)},
        )
        conn.execute(
            text(
                "INSERT INTO favor_requests (public_id, team_id, kind, author_id, text,"
                " channel_id, in_public_channel, status, created_at)"
                " SELECT md5(g::text)::uuid::text, :team, 'offer',"
                " :prefix || lpad((g * 17 % :members)::text, 7, '0'),"
                f" 'happy to do ' || (CAST(:topics AS text[]))[1 + (g * 5) % {n}] || ' reviews',"
                " 'C0BENCH01', true, 'open', now()"
                " FROM generate_series(1, :offers) AS g"
            ),
            {**params, "members": workspace.members, "offers": min(500, workspace.members)},
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:  # type: ignore[attr-defined]
        conn.execute(text("VACUUM ANALYZE"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--credits", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    args = parser.parse_args(argv)
    workspace = SyntheticWorkspace("T0SUGGEST", args.members, args.credits, 1_000)

    with ScratchDatabase(args.database_url) as database:
        engine = database.require_engine()
        started = time.monotonic()
        generate(engine, workspace, NOW)
        vary(engine, workspace)
        generated = time.monotonic() - started
        sessions = make_session_factory(engine)
        asker = workspace.focus_id
        ask_ids = []
        with sessions.begin() as session:
            for words in ASKS:
                row = FavorRequest(
                    public_id=str(uuid.uuid4()),
                    team_id=workspace.team_id,
                    kind="ask",
                    author_id=asker,
                    text=words,
                    channel_id="C0BENCH01",
                    in_public_channel=True,
                    status="open",
                    created_at=NOW,
                )
                session.add(row)
                session.flush()
                ask_ids.append(row.public_id)
        asks, texts = cycle(ask_ids), cycle(ASKS)
        found: list[int] = []

        def suggestions() -> None:
            session = sessions()
            try:
                with session.begin():
                    result = suggest(session, NOW, workspace.team_id, next(asks))
                    assert result is not None
                    found.append(len(result[1]))
                    session.rollback()  # so the next run works it out again
            finally:
                session.close()

        def ranked_search_alone() -> None:
            with sessions() as session:
                matches(session, workspace.team_id, next(texts), "english", asker)

        def askers_open_asks() -> None:
            with sessions() as session:
                session.scalars(
                    select(FavorRequest.public_id).where(
                        FavorRequest.team_id == workspace.team_id,
                        FavorRequest.author_id == asker,
                        FavorRequest.status == "open",
                    )
                ).all()

        results: dict[str, Timings] = {
            "the asker's open asks (indexed)": time_calls(askers_open_asks, args.runs, args.warmup),
            "ranked search, no exclusions": time_calls(ranked_search_alone, args.runs, args.warmup),
            "suggestions for an ask": time_calls(suggestions, args.runs, args.warmup),
        }
        rows = count_rows(engine, workspace.team_id)
        version = database.server_version()

    print(
        f"Suggestions for an ask, {args.runs} runs after {args.warmup} warm-up,"
        f" PostgreSQL {version}"
    )
    print(f"{args.members:,} members, {rows:,} credits, generated in {generated:.1f} s")
    print(f"people suggested per ask: min {min(found)}, max {max(found)}")
    print(HEADER)
    for label, timings in results.items():
        print(timings.row(label))
    whole = results["suggestions for an ask"].percentile(99)
    ok = whole <= GOAL_P99_SECONDS
    print(f"{'PASS' if ok else 'FAIL'}  suggestions p99 <= 50 ms: {whole * 1e3:.2f} ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
