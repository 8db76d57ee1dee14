"""Fan-out of scheduled DMs: 5,000 messages to the emulator, which allows N a second.

    python -m bench.fanout [--messages 5000] [--rate 100] [--database-url …]

Two runs on a scratch PostgreSQL database, each sending the outbox through the real sender
in its own process (`python -m bot tick --at …`, paced by SLACK_MESSAGES_PER_SECOND=N):

1. a clean run: achieved rate against N, duplicates, lost messages;
2. a crash run: the sender is killed with SIGKILL part-way, then restarted (as a later tick,
   after the dead sender's lease), and the same counts are taken.

Goal (issue 4): achieved rate >= 90% of N, zero duplicates, zero lost — a message the
killed sender was in the middle of may be left 'uncertain' (never sent twice), and is
reported as such.
"""

from __future__ import annotations

import argparse
import itertools
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text

from bench._workspace import ScratchDatabase
from bot.db import make_session_factory
from bot.models import OutboxMessage
from bot.scheduler.outbox import SENDING_LEASE
from bot.scheduler.planned import Planned, plan
from slack_emulator import SlackEmulator, SlackUser

NOW = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
TEAM = "T0FANOUT1"


@dataclass
class Run:
    label: str
    messages: int
    delivered: int
    duplicates: int
    statuses: Counter[str]
    rate: float
    limited: int

    @property
    def lost(self) -> int:
        return self.messages - self.statuses["sent"] - self.statuses["uncertain"]


def people(count: int) -> list[str]:
    return [f"U0FAN{n:06d}" for n in range(count)]


def fill_outbox(database: ScratchDatabase, recipients: list[str], batch: str) -> None:
    sessions = make_session_factory(database.require_engine())
    with sessions.begin() as session:
        session.execute(
            text(
                "INSERT INTO workspaces (team_id, name, credit_emoji) VALUES (:t, 'Fan-out', '[]')"
                " ON CONFLICT DO NOTHING"
            ),
            {"t": TEAM},
        )
        # The recipients are members: the sender checks, as it must, that they still are.
        session.execute(
            text(
                "INSERT INTO members (team_id, user_id, name) VALUES (:t, :u, :u)"
                " ON CONFLICT DO NOTHING"
            ),
            [{"t": TEAM, "u": user_id} for user_id in recipients],
        )
        plan(
            session,
            TEAM,
            [
                Planned(
                    dedupe_key=f"prompt:{TEAM}:{user_id}:{batch}",
                    kind="prompt",
                    channel_id=user_id,
                    recipient_id=user_id,
                    payload={"text": f"Who helped you this week? ({batch})"},
                    due_at=NOW,
                    expires_at=NOW + timedelta(hours=2),
                )
                for user_id in recipients
            ],
        )


def sender_process(
    emulator: SlackEmulator, database_url: str, rate: int, at: datetime
) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env |= {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": emulator.bot_token,
        "SLACK_SIGNING_SECRET": "unused-by-the-sender",
        "SLACK_API_URL": emulator.api_url,
        "SLACK_MESSAGES_PER_SECOND": str(rate),
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "tick", "--at", at.isoformat()],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def measure(
    label: str,
    emulator: SlackEmulator,
    database: ScratchDatabase,
    batch: str,
    total: int,
    rate: int,
    kill_after: int | None,
) -> Run:
    emulator.reset()
    worker = sender_process(emulator, database.url, rate, NOW)
    if kill_after is not None:
        while _accepted(emulator) < kill_after:
            if worker.poll() is not None:
                raise RuntimeError(f"the sender ended early: {worker.communicate()[1]!r}")
            time.sleep(0.005)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        later = NOW + SENDING_LEASE + timedelta(minutes=1)
        worker = sender_process(emulator, database.url, rate, later)
    _, errors = worker.communicate(timeout=3600)
    if worker.returncode != 0:
        raise RuntimeError(f"the sender failed: {errors.decode()[-2000:]}")

    calls = emulator.calls_to("chat.postMessage")
    accepted = sorted(call.at for call in calls if call.ok)
    limited = sum(1 for call in calls if call.status == 429)
    # Achieved rate: messages accepted per second between the first and the last.
    span = accepted[-1] - accepted[0] if len(accepted) > 1 else 0.0
    if kill_after is not None:
        span -= _restart_gap(accepted)
    copies = Counter((m.channel, m.text) for m in emulator.messages() if batch in m.text)
    sessions = make_session_factory(database.require_engine())
    with sessions() as session:
        statuses = Counter(
            dict(
                session.execute(
                    select(OutboxMessage.status, func.count())
                    .where(OutboxMessage.dedupe_key.like(f"%:{batch}"))
                    .group_by(OutboxMessage.status)
                ).all()
            )
        )
    return Run(
        label=label,
        messages=total,
        delivered=len(copies),
        duplicates=sum(n - 1 for n in copies.values()),
        statuses=statuses,
        rate=(len(accepted) - 1) / span if span > 0 else 0.0,
        limited=limited,
    )


def _accepted(emulator: SlackEmulator) -> int:
    return sum(1 for call in emulator.calls_to("chat.postMessage") if call.ok)


def _restart_gap(accepted: list[float]) -> float:
    """The pause between the killed sender's last message and the restarted one's first."""
    gaps = [b - a for a, b in itertools.pairwise(accepted)]
    return max(gaps) if gaps else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--rate", type=int, default=100, help="N, the emulator's limit a second")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    args = parser.parse_args(argv)

    recipients = people(args.messages)
    runs: list[Run] = []
    with ScratchDatabase(args.database_url) as database, SlackEmulator(team_id=TEAM) as emulator:
        for user_id in recipients:
            emulator.add_user(SlackUser(user_id, TEAM, user_id.lower()))
        emulator.set_rate_limit("chat.postMessage", args.rate, 1.0)
        for label, batch, kill_after in (
            ("clean run", "clean", None),
            ("SIGKILL part-way, restart", "crash", args.messages * 2 // 5),
        ):
            fill_outbox(database, recipients, batch)
            runs.append(
                measure(label, emulator, database, batch, args.messages, args.rate, kill_after)
            )

    print(
        f"Fan-out of {args.messages:,} DMs, emulator limit {args.rate}/s, sender pace {args.rate}/s"
    )
    print(
        f"{'run':<28} {'msg/s':>7} {'% of N':>7} {'429s':>5} {'sent':>6} {'uncertain':>9} "
        f"{'dupes':>5} {'lost':>5}"
    )
    ok = True
    for run in runs:
        share = run.rate / args.rate * 100
        print(
            f"{run.label:<28} {run.rate:>7.1f} {share:>6.1f}% {run.limited:>5} "
            f"{run.statuses['sent']:>6} {run.statuses['uncertain']:>9} {run.duplicates:>5} "
            f"{run.lost:>5}"
        )
        ok &= share >= 90 and run.duplicates == 0 and run.lost == 0
        ok &= run.statuses["uncertain"] <= (1 if "SIGKILL" in run.label else 0)
    print(f"{'PASS' if ok else 'FAIL'}  rate >= 90% of N, no duplicates, nothing lost")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
