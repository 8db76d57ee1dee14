"""What a run prints, and the raw figures `--json` writes."""

from __future__ import annotations

import os
import statistics
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bench._load import LoadResult
from bench._measure import Tally
from bench._servers import GunicornSettings
from bench._workloads import Workload

NOISY_OTHER_LOAD = 0.05
NOISY_SPEED_SPREAD = 1.3


def report(
    workload: Workload,
    info: Mapping[str, Any],
    settings: GunicornSettings,
    tallies: Mapping[str, Tally],
    probes: Sequence[float],
    credits: int,
    floor_rows: int,
    notes: int,
    confirmed: bool,
    celebrations: int = 0,
) -> bool:
    """Print the figures, the checks and the goals; True when the run is valid.

    `tallies`: the ack, the floor and goodwill (bench._servers). `floor_rows`: the rows the
    floor wrote. `notes`: the private confirmations (chat.postEphemeral) the emulator
    accepted, one per request of goodwill and of the floor when `confirmed`, none otherwise.
    `celebrations`: the messages (chat.postMessage) it accepted, one per request of goodwill
    when the workload is `celebrated`.
    """
    rounds = len(probes)
    quiet = "" if confirmed or not workload.confirmed else ", private confirmations off"
    print(f"Goodwill {workload.title}{quiet}, {info['date']}, code at {info['code']}")
    print(
        f"machine: {info['cpus']} CPUs, Python {info['python']}, PostgreSQL "
        f"{info['postgresql']}, gunicorn {info['gunicorn']}, slack_bolt {info['slack_bolt']}"
    )
    print(f"servers (all): gunicorn via bot.slack.web.GunicornServer, {settings.describe()}")
    told = ", then tells the reactor" if confirmed else ""
    posts = ", posting each thanks after answering" if workload.celebrated else ""
    print(
        "ack: bare Bolt App whose listeners only ack; floor: the bare App recording each "
        "request before it answers, one idempotent autocommit INSERT (primary key and two "
        f"secondary indexes, synchronous commit){told}; goodwill: bot.runtime.http_app "
        f"(build_app + wsgi_app, production settings: scheduler in each worker){posts}; one "
        "scratch PostgreSQL database"
    )
    print(
        f"client: 1 asyncio process (Protocol callbacks, no streams), {info['concurrency']} "
        "connections, keep-alive where the server allows it, requests built and signed before "
        "timing; latency = request written (or connection opened) -> last response byte read"
    )
    print(
        f"load per server: {info['warmup']} warm-up requests (not timed), then "
        f"{info['requests']} timed in {rounds} rounds, each a slice of every server in turn "
        "(the first server changing each round), so that all meet the same machine"
    )
    print(
        f"workload: {info['people']} people; {info['repeated_share']:.0%} of the timed requests "
        "from a giver to someone they credited earlier the same day, each time for another "
        "reason; every request allowed by the fair-use rules"
    )
    print()
    header = (
        f"{'server':<9} {'req/s':>7} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'max ms':>7}"
        f" {'conns':>6} {'client CPU':>10} {'server CPU/req':>14} {'db CPU/req':>10}"
        f" {'Slack CPU/req':>13}"
        f" {'machine busy':>12} {'other load':>10}"
    )
    print(header)
    print("-" * len(header))
    for kind, tally in tallies.items():
        timed = tally.timed
        count = len(timed.latencies)
        database = _per_request(tally.database_cpu, count) if tally.has_database else "n/a"
        print(
            f"{kind:<9} {timed.throughput:>7.0f} {timed.percentile(50) * 1e3:>7.2f}"
            f" {timed.percentile(90) * 1e3:>7.2f} {timed.percentile(99) * 1e3:>7.2f}"
            f" {max(timed.latencies) * 1e3:>7.2f} {timed.connections:>6}"
            f" {timed.client_cpu / timed.elapsed:>9.0%} {_per_request(tally.server_cpu, count):>14}"
            f" {database:>10} {_per_request(tally.slack_cpu, count):>13}"
            f" {tally.machine_busy:>12.0%} {tally.other_load:>10.0%}"
        )
    print(
        "(client CPU: share of one core; CPU/req: worker, PostgreSQL backend or Slack emulator "
        "CPU time per request; machine busy: share of all cores; other load: share of all "
        "cores used by processes outside the bench, which makes figures noisy)"
    )
    for kind, tally in tallies.items():
        by_round = " ".join(f"{result.throughput:.0f}" for result in tally.slices)
        total = sum(tally.worker_cpu.values()) or 1.0
        split = " / ".join(f"{seconds / total:.0%}" for seconds in tally.worker_cpu.values())
        print(f"{kind}: req/s by round {by_round}; workers' shares of the server CPU {split}")
    print(
        "CPU speed probe (ms of CPU for the same Python loop before each round; lower is "
        f"faster): {' '.join(f'{probe:.0f}' for probe in probes)}"
    )
    print()
    ack, floor, goodwill = tallies["ack"], tallies["floor"], tallies["goodwill"]
    ratio = goodwill.timed.throughput / floor.timed.throughput
    print(
        f"throughput goodwill/floor: {ratio:.2f}; against the bare ack: goodwill "
        f"{goodwill.timed.throughput / ack.timed.throughput:.2f}, floor "
        f"{floor.timed.throughput / ack.timed.throughput:.2f}"
    )
    spent = {kind: _machine_cpu_per_request(tally) for kind, tally in tallies.items()}
    goal = workload.floor_ratio_goal
    print(
        "machine CPU per request (all cores' busy time, other load included): "
        + ", ".join(f"{kind} {seconds * 1e3:.2f} ms" for kind, seconds in spent.items())
        + f"; {goal:.1f}x the floor's throughput leaves goodwill "
        f"{spent['floor'] / goal * 1e3:.2f} ms"
    )

    checks = []
    for kind, tally in tallies.items():
        answer, answers = _expected(workload, kind)
        answered = sum(answers(result) for result in _all(tally))
        checks.append((answered == _sent(tally), f"{kind} {answer}: {answered}/{_sent(tally)}"))
    sent, floor_sent = _sent(goodwill), _sent(floor)
    checks.append(
        (credits == sent, f"goodwill credits in the database: {credits} (expected {sent})")
    )
    checks.append(
        (
            floor_rows == floor_sent,
            f"floor rows in the database: {floor_rows} (expected {floor_sent})",
        )
    )
    expected_notes = sent + floor_sent if confirmed else 0
    checks.append(
        (
            notes == expected_notes,
            f"private confirmations Slack accepted: {notes} (expected {expected_notes})",
        )
    )
    if workload.celebrated:
        checks.append(
            (
                celebrations == sent,
                f"goodwill celebrations Slack accepted: {celebrations} (expected {sent})",
            )
        )
    for ok, text in checks:
        print(f"check {'OK  ' if ok else 'FAIL'} {text}")
    p99 = goodwill.timed.percentile(99)
    goals = [(ratio >= goal, f"goodwill throughput >= {goal:.1f}x the floor's: {ratio:.2f}x")]
    if workload.p99_goal_seconds is not None:
        limit = workload.p99_goal_seconds * 1e3
        goals.append((p99 * 1e3 <= limit, f"goodwill p99 <= {limit:.0f} ms: {p99 * 1e3:.2f} ms"))
    for ok, text in goals:
        print(f"goal  {'PASS' if ok else 'FAIL'} {text}")
    for tally in tallies.values():
        if tally.other_load > NOISY_OTHER_LOAD:
            print(
                f"warning: processes outside the bench used {tally.other_load:.0%} of the "
                f"machine during the {tally.kind} load; its figures are noisy. Run again on a "
                "quiet machine."
            )
    if max(probes) > NOISY_SPEED_SPREAD * min(probes):
        print(
            f"warning: the CPU speed probe varied from {min(probes):.0f} to {max(probes):.0f} ms: "
            "the machine itself ran at different speeds during the run (a shared VM?), so "
            "figures from one run to the next can differ by as much."
        )
    valid = all(ok for ok, _ in checks)
    if not valid:
        print("The run is NOT valid: some responses or rows were not as expected.")
    return valid


def raw(
    info: Mapping[str, Any],
    settings: GunicornSettings,
    tallies: Mapping[str, Tally],
    probes: Sequence[float],
    credits: int,
    floor_rows: int,
) -> dict[str, Any]:
    servers = {}
    for kind, tally in tallies.items():
        timed = tally.timed
        servers[kind] = {
            "requests": len(timed.latencies),
            "elapsed_s": timed.elapsed,
            "requests_per_s": timed.throughput,
            "latency_ms": _latency_ms(timed.percentile, max(timed.latencies)),
            "rounds": [
                {
                    "requests": len(result.latencies),
                    "requests_per_s": result.throughput,
                    "latency_ms": _latency_ms(result.percentile, max(result.latencies)),
                }
                for result in tally.slices
            ],
            "connections_opened": timed.connections,
            "client_cpu_s": timed.client_cpu,
            "server_cpu_s": tally.server_cpu,
            "worker_cpu_s": list(tally.worker_cpu.values()),
            "database_cpu_s": tally.database_cpu if tally.has_database else None,
            "slack_emulator_cpu_s": tally.slack_cpu,
            "machine_busy": tally.machine_busy,
            "machine_cpu_per_request_s": _machine_cpu_per_request(tally),
            "other_load": tally.other_load,
            "statuses": {str(s): timed.statuses.count(s) for s in sorted(set(timed.statuses))},
            "latencies_ms": [round(value * 1e3, 4) for value in timed.latencies],
        }
    return {
        "machine": dict(info),
        "gunicorn": settings.options(),
        "speed_probe_ms": list(probes),
        "speed_probe_median_ms": statistics.median(probes),
        "credits_in_database": credits,
        "floor_rows_in_database": floor_rows,
        "servers": servers,
    }


def _expected(workload: Workload, kind: str) -> tuple[str, Callable[[LoadResult], int]]:
    """What a server's answers should be, in words, and how many of a slice's are."""
    if kind == "ack":
        return "HTTP 200", LoadResult.ok_statuses
    if kind == "goodwill" and workload.goodwill_answered is not None:
        return workload.goodwill_answer, workload.goodwill_answered
    return workload.answer, workload.answered


def _machine_cpu_per_request(tally: Tally) -> float:
    """Seconds of CPU the whole machine was busy for, per timed request."""
    return tally.machine_busy * (os.cpu_count() or 1) / tally.timed.throughput


def _all(tally: Tally) -> list[LoadResult]:
    return [tally.warmup, *tally.slices] if tally.warmup else list(tally.slices)


def _sent(tally: Tally) -> int:
    """Requests sent to the server, warm-up included."""
    return sum(len(result.statuses) for result in _all(tally))


def _latency_ms(percentile: Callable[[float], float], longest: float) -> dict[str, float]:
    return {
        "p50": percentile(50) * 1e3,
        "p90": percentile(90) * 1e3,
        "p99": percentile(99) * 1e3,
        "max": longest * 1e3,
    }


def _per_request(seconds: float, count: int) -> str:
    return f"{seconds / count * 1e3:.2f} ms"
