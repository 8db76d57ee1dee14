"""The HTTP benches' workload: a day in a team, every request allowed by the fair-use rules."""

from __future__ import annotations

from collections import defaultdict

import pytest

from bench._load import EXCHANGES_PER_PAIR, REPEAT_GAP, Workforce
from bench._workspace import colleagues_for
from bot.ledger.credits import reason_key
from bot.models import Workspace
from bot.sandbox.seed import PEOPLE

WARMUP, TIMED = 500, 10_000  # the benches' defaults


def workforce_for(requests: int) -> Workforce:
    size = len(PEOPLE) + colleagues_for(requests)
    return Workforce(tuple(f"U{number:04d}" for number in range(size)))


def test_every_request_is_allowed_and_a_pair_comes_back_only_after_it_exchanged() -> None:
    total = WARMUP + TIMED
    workforce = workforce_for(total)
    reasons: dict[tuple[str, str], list[str | None]] = defaultdict(list)
    for number in range(total):
        thanker, helper, reason = workforce.thanks(number)
        assert thanker != helper
        first = workforce.first_of(number)
        if first != number:
            assert number - first >= REPEAT_GAP
            assert (thanker, helper) in reasons
            assert workforce.thanks(first)[:2] == (thanker, helper)
        else:
            assert (thanker, helper) not in reasons
        reasons[thanker, helper].append(reason_key(reason))
    cap = Workspace.__table__.c.pair_daily_cap.default.arg  # what a new workspace gets
    assert cap >= EXCHANGES_PER_PAIR
    assert max(len(keys) for keys in reasons.values()) == EXCHANGES_PER_PAIR
    assert all(len(set(keys)) == len(keys) for keys in reasons.values())
    assert len(reasons) == Workforce.pairs_needed(total)


@pytest.mark.parametrize(("warmup", "timed"), [(WARMUP, TIMED), (WARMUP, 600), (300, 2_000)])
def test_at_least_a_third_of_the_timed_requests_come_from_pairs_that_exchanged(
    warmup: int, timed: int
) -> None:
    numbers = range(warmup, warmup + timed)
    again = sum(Workforce.first_of(number) != number for number in numbers)
    assert again / timed >= 1 / 3


def test_too_few_people_is_an_error_not_a_repeat() -> None:
    workforce = Workforce(("U1", "U2", "U3"))
    with pytest.raises(ValueError, match="too few"):
        workforce.thanks(6)
