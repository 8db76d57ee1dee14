"""The aggregate queries behind `/favor balance`, App Home, the nudges and the digest's new
connections agree, on both databases, with the rules computed in plain Python
(tests/ledger_oracle.py) on a random ledger: ties, retractions, credits at and after `now`,
members the cache never knew, opt-outs, bots, and nudges already sent or never delivered."""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.balance.exchanges import pair_balances, pair_page
from bot.digest.week import weekly_digest
from bot.models import Workspace
from bot.nudges.plan import working_zones
from bot.nudges.rules import candidates_query
from tests import ledger_oracle as oracle
from tests.ledger_oracle import GIVERS, NOW, TAKERS, TEAM, Ledger, Settings

SETTINGS = [Settings(60, 3, 4, 4), Settings(10, 2, 2, 2), Settings(1000, 1, 5, 3)]
# Monday afternoon (UTC, Oslo, New York at work), Tuesday morning (Singapore), a week on.
INSTANTS = [NOW, datetime(2026, 12, 1, 3, 0, tzinfo=UTC), NOW + timedelta(days=7, hours=-4)]


@pytest.fixture(params=[7, 2024])
def ledger(request: pytest.FixtureRequest, sessions: sessionmaker[Session]) -> Ledger:
    with sessions.begin() as session:
        return oracle.seed(session, random.Random(request.param))


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def counts(
    ledger: Ledger, member_id: str, now: datetime, half_life_days: int, since: datetime | None
) -> dict[str, tuple[int, int]]:
    """Per counterpart: how many times the member helped them, and they the member, within
    the same horizon as the sums; retracted credits never count."""
    horizon = now - timedelta(days=100 * half_life_days)
    start = horizon if since is None else max(horizon, since)
    given: Counter[str] = Counter()
    received: Counter[str] = Counter()
    for row in ledger.credits:
        if row.retracted or row.created_at < start:
            continue
        if row.helper_id == member_id:
            given[row.helped_id] += 1
        elif row.helped_id == member_id:
            received[row.helper_id] += 1
    return {who: (given[who], received[who]) for who in given.keys() | received.keys()}


def test_balances_agree(sessions: sessionmaker[Session], ledger: Ledger) -> None:
    members = [*oracle.CORE[:8], *GIVERS, *TAKERS, oracle.BOT, oracle.GONE]
    with sessions() as session:
        for member_id in members:
            for half_life, since in ((60, None), (7, NOW - timedelta(days=90))):
                expected = oracle.balances(ledger, member_id, NOW, half_life, since)
                found = pair_balances(session, TEAM, member_id, NOW, half_life, since=since)
                assert {p.counterpart_id for p in found} == set(expected)
                times = counts(ledger, member_id, NOW, half_life, since)
                for pair in found:
                    given, received = expected[pair.counterpart_id]
                    assert close(pair.given, given) and close(pair.received, received)
                    assert (pair.times_given, pair.times_received) == times[pair.counterpart_id]
                # Largest first, then by ID; the page counts over everyone.
                ranked = sorted(expected, key=lambda who: (-sum(expected[who]), who))
                page = pair_page(session, TEAM, member_id, NOW, half_life, limit=5, since=since)
                assert [p.counterpart_id for p in page.pairs] == ranked[:5]
                assert page.total == len(expected)
                assert page.helped == sum(1 for g, _ in expected.values() if g > 0)
                assert page.helping == sum(1 for _, r in expected.values() if r > 0)
                for pair in page.pairs:
                    assert (pair.times_given, pair.times_received) == times[pair.counterpart_id]
                for other in ranked[:2]:
                    [one] = pair_balances(
                        session, TEAM, member_id, NOW, half_life, counterpart=other, since=since
                    )
                    assert one.counterpart_id == other
                    assert close(one.given, expected[other][0])
                    assert close(one.received, expected[other][1])


@pytest.mark.parametrize("settings", SETTINGS)
def test_nudge_rules_agree(
    sessions: sessionmaker[Session], ledger: Ledger, settings: Settings
) -> None:
    with sessions.begin() as session:
        workspace = session.get(Workspace, TEAM)
        assert workspace is not None
        workspace.half_life_days = settings.half_life_days
        workspace.nudge_pair_min_weight = settings.pair_min_weight
        workspace.nudge_ask_too_min_people = settings.ask_too_min_people
        workspace.nudge_give_back_min_people = settings.give_back_min_people
    kinds: set[str] = set()
    with sessions() as session:
        workspace = session.get(Workspace, TEAM)
        assert workspace is not None
        for now in INSTANTS:
            zones = working_zones(session, TEAM, now)
            expected = oracle.nudge_rows(ledger, settings, now, zones)
            found = sorted(
                (tuple(row) for row in session.execute(candidates_query(workspace, now, zones))),
                key=lambda row: (row[0], row[1], row[3] or ""),
            )
            assert [row[:4] + row[6:] for row in found] == [row[:4] + row[6:] for row in expected]
            for got, want in zip(found, expected, strict=True):
                assert close(got[4], want[4]) and close(got[5], want[5])
            kinds |= {row[0] for row in expected}
    # The ledger is built so that every rule has someone to nudge.
    assert kinds == {"pair", "ask_too", "give_back"}


def test_new_connections_agree(sessions: sessionmaker[Session], ledger: Ledger) -> None:
    with sessions() as session:
        workspace = session.get(Workspace, TEAM)
        assert workspace is not None
        both_ways = 0
        for weeks in range(6):
            week_end = NOW - timedelta(weeks=weeks)
            expected = oracle.new_connections(ledger, week_end)
            data = weekly_digest(session, workspace, week_end)
            assert data.new_connection_count == len(expected)
            assert data.new_connections == expected[:5]
            first = oracle.first_time_pairs(ledger, week_end)
            both_ways += sum(1 for a, b in first if (b, a) in first)
    # Some pair was new both ways round in the same week: shown once, the way that sorts first.
    assert both_ways > 0
