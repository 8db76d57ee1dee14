"""Two scheduler workers on one PostgreSQL, several workspaces, each limited by Slack to N a second.

    python -m bench.workers [--messages 500] [--rate 10] [--workspaces 3] [--database-url …]

The real `python -m bot worker`, in OAuth mode (each workspace its own installed token), sends
scheduled DMs to emulated workspaces behind one Web API URL (slack_emulator.Switchboard), each
of which answers 429 with Retry-After beyond N calls in a second, as Slack limits each
workspace. The workers' pace is SLACK_MESSAGES_PER_SECOND=N. Three runs, on a scratch
database, each with a fresh batch of `--messages` DMs spread over the workspaces:

1. one worker alone (the baseline);
2. two workers: one leads (the advisory lock), the other waits to take over;
3. two workers, and the one leading is killed with SIGKILL part-way: the other takes over.

For each run and workspace: the delivered rate as a share of N (from the first accepted call
to the last, less the hand-over's gap in the third run, which is reported apart), 429s,
duplicates and lost messages. A message the killed worker was sending when it died is left
`sending` (later `uncertain`, never sent twice) and is counted apart, not as lost.

Goal (issue 20): every workspace at >= 90% of N, 0 duplicates, 0 lost, in every run.
"""

from __future__ import annotations

import argparse
import itertools
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import Engine, func, select, text

from bench._workspace import ScratchDatabase
from bot.db import make_session_factory
from bot.models import OutboxMessage
from bot.scheduler.lease import LOCK_CLASS
from bot.scheduler.planned import Planned, plan
from bot.slack.ids import BOT_SCOPES
from bot.slack.installations import installation_store
from slack_emulator import SlackEmulator, SlackUser, Switchboard

CLIENT_ID, CLIENT_SECRET = "111.222", "bench-client-secret"


@dataclass
class Run:
    label: str
    per_workspace: dict[str, int]
    rates: dict[str, float] = field(default_factory=dict)
    limited: dict[str, int] = field(default_factory=dict)
    duplicates: dict[str, int] = field(default_factory=dict)
    statuses: Counter[str] = field(default_factory=Counter)
    handover: float = 0.0

    @property
    def in_flight(self) -> int:
        return self.statuses["sending"] + self.statuses["uncertain"]

    @property
    def lost(self) -> int:
        return sum(self.per_workspace.values()) - self.statuses["sent"] - self.in_flight


def team_ids(count: int) -> list[str]:
    return [f"T0WORK{n:03d}" for n in range(count)]


def people(team_id: str, count: int) -> list[str]:
    # Distinct in every workspace: a DM's channel is the person's ID.
    return [f"U{team_id[-3:]}{n:05d}" for n in range(count)]


def install(database: ScratchDatabase, emulators: list[SlackEmulator], count: int) -> None:
    engine = database.require_engine()
    store = installation_store(CLIENT_ID, engine)
    sessions = make_session_factory(engine)
    for emulator in emulators:
        store.save(
            Installation(
                app_id="A0GOODWILL",
                team_id=emulator.team_id,
                bot_token=emulator.bot_token,
                bot_id="B0GOODWILL",
                bot_user_id="U0GOODWILL",
                bot_scopes=sorted(BOT_SCOPES),
                user_id="U0INSTALL",
            )
        )
        with sessions.begin() as session:
            session.execute(
                text("INSERT INTO workspaces (team_id, name, credit_emoji) VALUES (:t, :t, '[]')"),
                {"t": emulator.team_id},
            )
            # The recipients are members: the sender checks, as it must, that they still are.
            session.execute(
                text("INSERT INTO members (team_id, user_id, name) VALUES (:t, :u, :u)"),
                [{"t": emulator.team_id, "u": u} for u in people(emulator.team_id, count)],
            )


def fill_outbox(engine: Engine, per_workspace: dict[str, int], batch: str) -> None:
    """The batch's DMs, due now, interleaved across the workspaces as ticks would plan them."""
    now = datetime.now(UTC)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        for n in range(max(per_workspace.values())):
            for team_id, count in per_workspace.items():
                if n >= count:
                    continue
                user_id = people(team_id, count)[n]
                planned = Planned(
                    dedupe_key=f"prompt:{team_id}:{user_id}:{batch}",
                    kind="prompt",
                    channel_id=user_id,
                    recipient_id=user_id,
                    payload={"text": f"Who helped you this week? ({batch})"},
                    due_at=now,
                    expires_at=now + timedelta(hours=2),
                )
                plan(session, team_id, [planned])


def worker(database_url: str, api_url: str, rate: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env |= {
        "DATABASE_URL": database_url,
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SLACK_SIGNING_SECRET": "unused-by-the-worker",
        "SLACK_API_URL": api_url,
        "SLACK_MESSAGES_PER_SECOND": str(rate),
        "LOG_LEVEL": "WARNING",
    }
    with log.open("ab") as errors:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            start_new_session=True,
        )


def leader_pid(engine: Engine) -> int | None:
    """The process leading the scheduler, from its lease connection's application name."""
    with engine.connect() as conn:
        name = conn.scalar(
            text(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a"
                " ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted"
                " AND l.classid = :class"
            ),
            {"class": LOCK_CLASS},
        )
    return int(name.rsplit(":", 1)[1]) if name else None


def statuses(engine: Engine, batch: str) -> Counter[str]:
    with make_session_factory(engine)() as session:
        rows = session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.dedupe_key.like(f"%:{batch}"))
            .group_by(OutboxMessage.status)
        ).all()
    return Counter({status: count for status, count in rows})


def accepted(emulators: list[SlackEmulator]) -> int:
    return sum(call.ok for e in emulators for call in e.calls_to("chat.postMessage"))


def measure(
    label: str,
    batch: str,
    workers: int,
    kill_share: float | None,
    database: ScratchDatabase,
    emulators: list[SlackEmulator],
    api_url: str,
    rate: int,
    per_workspace: dict[str, int],
    log: Path,
) -> Run:
    engine = database.require_engine()
    for emulator in emulators:
        emulator.reset()
    processes = [worker(database.url, api_url, rate, log) for _ in range(workers)]
    try:
        deadline = time.monotonic() + 120
        while leader_pid(engine) is None:
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                raise RuntimeError(f"no worker took the lease; see {log}")
            time.sleep(0.1)
        fill_outbox(engine, per_workspace, batch)
        total = sum(per_workspace.values())
        if kill_share is not None:
            while accepted(emulators) < total * kill_share:
                time.sleep(0.01)
            killed = leader_pid(engine)
            victim = next(p for p in processes if p.pid == killed)
            os.killpg(victim.pid, signal.SIGKILL)
            victim.wait()
        deadline = time.monotonic() + 3600
        while statuses(engine, batch)["pending"]:
            if time.monotonic() > deadline or all(p.poll() is not None for p in processes):
                raise RuntimeError(f"the workers stopped before the outbox was empty; see {log}")
            time.sleep(0.2)
        time.sleep(1.0)  # a last answer on its way
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
    run = Run(label, per_workspace, statuses=statuses(engine, batch))
    for emulator in emulators:
        team_id = emulator.team_id
        calls = emulator.calls_to("chat.postMessage")
        times = sorted(call.at for call in calls if call.ok)
        span = times[-1] - times[0] if len(times) > 1 else 0.0
        if kill_share is not None:
            gap = max((b - a for a, b in itertools.pairwise(times)), default=0.0)
            run.handover = max(run.handover, gap)
            span -= max(0.0, gap - 1 / rate)  # one turn of the gap is the pace's own
        run.rates[team_id] = (len(times) - 1) / span if span > 0 else 0.0
        run.limited[team_id] = sum(1 for call in calls if call.status == 429)
        copies = Counter((m.channel, m.text) for m in emulator.messages() if f"({batch})" in m.text)
        run.duplicates[team_id] = sum(n - 1 for n in copies.values())
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500, help="DMs a run, in all")
    parser.add_argument("--rate", type=int, default=10, help="N: each workspace's limit a second")
    parser.add_argument("--workspaces", type=int, default=3)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    args = parser.parse_args(argv)

    teams = team_ids(args.workspaces)
    share, extra = divmod(args.messages, len(teams))
    per_workspace = {t: share + (n < extra) for n, t in enumerate(teams)}
    emulators = [SlackEmulator(team_id=t, bot_token=f"xoxb-{t}-bench") for t in teams]
    for emulator in emulators:
        for user_id in people(emulator.team_id, per_workspace[emulator.team_id]):
            emulator.add_user(SlackUser(user_id, emulator.team_id, user_id.lower()))
        emulator.set_rate_limit("chat.postMessage", args.rate, 1.0)
        emulator.start()
    log = Path(tempfile.mkstemp(prefix="bench-workers-", suffix=".log")[1])
    runs: list[Run] = []
    try:
        with ScratchDatabase(args.database_url) as database, Switchboard(emulators) as board:
            install(database, emulators, max(per_workspace.values()))
            for label, batch, workers, kill_share in (
                ("one worker (baseline)", "alone", 1, None),
                ("two workers", "two", 2, None),
                ("two, leader SIGKILLed", "killed", 2, 0.4),
            ):
                runs.append(
                    measure(
                        label,
                        batch,
                        workers,
                        kill_share,
                        database,
                        emulators,
                        board.api_url,
                        args.rate,
                        per_workspace,
                        log,
                    )
                )
    finally:
        for emulator in emulators:
            emulator.stop()

    print(
        f"{args.messages:,} scheduled DMs a run over {len(teams)} workspaces, each limited by "
        f"the emulator to {args.rate}/s; SLACK_MESSAGES_PER_SECOND={args.rate} (workers' log: "
        f"{log})"
    )
    print(
        f"{'run':<24} {'workspace':<10} {'msg/s':>6} {'% of N':>7} {'429s':>5} {'dupes':>5} "
        f"{'sent':>5} {'in flight':>9} {'lost':>5} {'hand-over':>9}"
    )
    ok = True
    for run in runs:
        for n, team_id in enumerate(teams):
            percent = run.rates[team_id] / args.rate * 100
            totals = (
                f"{run.statuses['sent']:>5} {run.in_flight:>9} {run.lost:>5} {run.handover:>8.1f}s"
                if n == 0
                else ""
            )
            print(
                f"{run.label if n == 0 else '':<24} {team_id:<10} {run.rates[team_id]:>6.1f} "
                f"{percent:>6.1f}% {run.limited[team_id]:>5} {run.duplicates[team_id]:>5} {totals}"
            )
            ok &= percent >= 90 and run.duplicates[team_id] == 0
        ok &= run.lost == 0 and run.in_flight <= (1 if "SIGKILL" in run.label else 0)
    print(f"{'PASS' if ok else 'FAIL'}  every workspace >= 90% of N, no duplicates, nothing lost")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
