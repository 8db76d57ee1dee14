"""The ledger's rules computed in plain Python from the rows, to hold the SQL against.

A random but reproducible workspace (`seed`), and for it what `/favor balance`, the nudges
and the digest's new connections must find: the same rules as bot/, written the slow
and obvious way (every credit in a list, loops and dicts), so that a rewrite of a query for
speed can be checked on both databases against something that is not a query.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bot.models import Credit, Member, OutboxMessage, Workspace
from tests.nudging import ask_row, outbox_nudge

TEAM = "T0ORACLE1"
ZONES = ("UTC", "Europe/Oslo", "America/New_York", "Asia/Singapore")
NOW = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # a Monday: UTC, Oslo, New York at work
GONE = "U0GONE999"  # credited before the members cache knew them; no members row
DAY = timedelta(days=1)


def person(number: int) -> str:
    return f"U0P{number:06d}"


CORE = [person(n) for n in range(30)]
GIVERS = [person(n) for n in range(30, 33)]  # help many lately, nothing came back in 60 days
TAKERS = [person(n) for n in range(33, 36)]  # helped by many lately, helped no one in 60 days
BOT, DEACTIVATED, OPTED_OUT = person(36), person(37), person(38)
NEWCOMERS = (person(40), person(41))  # first exchanged both ways round in the last week
EVERYONE = [*CORE, *GIVERS, *TAKERS, BOT, DEACTIVATED, OPTED_OUT, person(39), *NEWCOMERS]


@dataclass(frozen=True)
class Row:
    helper_id: str
    helped_id: str
    kind: str
    weight: int
    created_at: datetime
    retracted: bool


@dataclass
class Ledger:
    """What `seed` wrote, for the oracle to read."""

    credits: list[Row] = field(default_factory=list)
    members: dict[str, Member] = field(default_factory=dict)
    asks: list[tuple[str, datetime]] = field(default_factory=list)
    nudges: list[OutboxMessage] = field(default_factory=list)


def seed(session: Session, rng: random.Random) -> Ledger:
    """A workspace of 42 people, 1,500-odd credits over 200 days, some asks and nudges."""
    ledger = Ledger()
    session.add(Workspace(team_id=TEAM, name="Oracle", credit_emoji=["pray"]))
    session.flush()
    for number, user_id in enumerate(EVERYONE):
        member = Member(
            team_id=TEAM,
            user_id=user_id,
            name=user_id.lower(),
            tz=ZONES[number % len(ZONES)],
            is_bot=user_id == BOT,
            is_deactivated=user_id == DEACTIVATED,
            nudges_opt_out=user_id == OPTED_OUT,
        )
        session.add(member)
        ledger.members[user_id] = member

    def credit(
        helper: str, helped: str, at: datetime, weight: int, kind: str, sure: bool = False
    ) -> None:
        retracted = not sure and rng.random() < 0.1
        ledger.credits.append(Row(helper, helped, kind, weight, at, retracted))

    everyone = [*CORE, BOT, DEACTIVATED, OPTED_OUT, person(39), GONE]
    for _ in range(1200):
        helper, helped = rng.sample(everyone, 2)
        at = NOW - timedelta(seconds=rng.randrange(200 * 86_400))
        credit(helper, helped, at, rng.randint(1, 3), rng.choice(("thanks", "favor", "reaction")))
    for _ in range(20):  # at `now` exactly (full weight) and just after it
        helper, helped = rng.sample(CORE, 2)
        credit(helper, helped, NOW + timedelta(hours=rng.choice((0, 0, 2))), 3, "favor")
    for _ in range(12):  # one-sided pairs: several big favours in the last three weeks
        helper, helped = rng.sample(CORE, 2)
        for _ in range(rng.randint(1, 3)):
            credit(helper, helped, NOW - timedelta(seconds=rng.randrange(21 * 86_400)), 3, "favor")
    for giver in GIVERS:
        for helped in rng.sample(CORE, 5):
            at = NOW - timedelta(days=rng.randint(0, 29), hours=3)
            credit(giver, helped, at, 1, "favor", sure=True)
        credit(rng.choice(CORE), giver, NOW - 80 * DAY, 2, "thanks")
    for taker in TAKERS:
        for helper in rng.sample(CORE, 5):
            at = NOW - timedelta(days=rng.randint(0, 59), hours=5)
            credit(helper, taker, at, 1, "thanks", sure=True)
        credit(taker, rng.choice(CORE), NOW - 70 * DAY, 1, "favor")
    first, second = NEWCOMERS
    credit(second, first, NOW - 2 * DAY, 1, "thanks", sure=True)
    credit(first, second, NOW - 3 * DAY, 2, "favor", sure=True)
    rows = [
        {
            "team_id": TEAM,
            "helper_id": row.helper_id,
            "helped_id": row.helped_id,
            "kind": row.kind,
            "weight": row.weight,
            "reason": f"reason {number}",
            "values": [],
            "source_key": f"oracle:{number}",
            "created_at": row.created_at,
            "retracted_at": row.created_at + DAY if row.retracted else None,
        }
        for number, row in enumerate(ledger.credits)
    ]
    session.execute(insert(Credit), rows)

    for author, at in ((GIVERS[1], NOW - 10 * DAY), (GIVERS[2], NOW - 100 * DAY)):
        ledger.asks.append((author, at))
        session.add(ask_row(TEAM, author, at))
    planned = [  # recipient, kind, about, days ago, status
        (CORE[5], "pair", CORE[9], 3, "sent"),  # nudged this week: not again
        (CORE[6], "pair", CORE[9], 3, "failed"),  # never arrived: does not count
        (CORE[7], "pair", CORE[8], 20, "sent"),  # this pair, either way round, not again
        (GIVERS[0], "ask_too", None, 20, "sent"),  # nor this encouragement
        (TAKERS[0], "give_back", None, 40, "sent"),  # four weeks ago: may come again
    ]
    for recipient, kind, about, days, status in planned:
        message = outbox_nudge(
            TEAM, recipient, NOW - days * DAY, kind=kind, about=about, status=status
        )
        session.add(message)
        ledger.nudges.append(message)
    session.flush()
    return ledger


def decayed(row: Row, now: datetime, half_life_days: int) -> float:
    age = (now - row.created_at).total_seconds()
    return float(row.weight * 0.5 ** (age / (86_400.0 * half_life_days)))


def balances(
    ledger: Ledger, member_id: str, now: datetime, half_life_days: int, since: datetime | None
) -> dict[str, tuple[float, float]]:
    """Per counterpart: (given, received), decayed; retracted credits never count."""
    horizon = now - timedelta(days=100 * half_life_days)
    start = horizon if since is None else max(horizon, since)
    given: dict[str, float] = defaultdict(float)
    received: dict[str, float] = defaultdict(float)
    for row in ledger.credits:
        if row.retracted or row.created_at < start:
            continue
        if row.helper_id == member_id:
            given[row.helped_id] += decayed(row, now, half_life_days)
        elif row.helped_id == member_id:
            received[row.helper_id] += decayed(row, now, half_life_days)
    return {who: (given[who], received[who]) for who in given.keys() | received.keys()}


@dataclass(frozen=True)
class Settings:
    half_life_days: int
    pair_min_weight: int
    ask_too_min_people: int
    give_back_min_people: int


NudgeRow = tuple[str, str, str, str | None, float, float, int, datetime | None]


def nudge_rows(
    ledger: Ledger, settings: Settings, now: datetime, zones: list[str]
) -> list[NudgeRow]:
    """Every (kind, recipient, tz, about, given, returned, people, first_at) the nudge rules
    allow; first_at: the oldest credit a count of people counted."""
    delivered = [m for m in ledger.nudges if m.status not in ("failed", "expired")]
    members = ledger.members
    # Past their first three weeks with Goodwill: an exchange of theirs, still counting, then.
    settled = {
        person
        for row in ledger.credits
        if not row.retracted and row.created_at <= now - 21 * DAY
        for person in (row.helper_id, row.helped_id)
    }
    eligible = {
        user_id: m.tz
        for user_id, m in members.items()
        if m.tz in zones
        and not (m.is_bot or m.is_deactivated or m.nudges_opt_out)
        and not any(n.recipient_id == user_id and n.due_at > now - 7 * DAY for n in delivered)
        and user_id in settled
    }

    def oldest(user_id: str, own: str, days: int) -> datetime | None:
        return min(
            (
                row.created_at
                for row in window
                if getattr(row, own) == user_id and row.created_at >= now - days * DAY
            ),
            default=None,
        )

    window = [
        row
        for row in ledger.credits
        if not row.retracted and now - 90 * DAY <= row.created_at <= now
    ]
    total: dict[tuple[str, str], float] = defaultdict(float)
    last: dict[tuple[str, str], datetime] = {}
    thanked: dict[tuple[str, str], datetime] = {}
    for row in window:
        pair = (row.helper_id, row.helped_id)
        total[pair] += decayed(row, now, settings.half_life_days)
        last[pair] = max(last.get(pair, row.created_at), row.created_at)
        if row.kind == "thanks":
            thanked[pair] = max(thanked.get(pair, row.created_at), row.created_at)

    def lately(recipient: str, about: str | None, kind: str) -> bool:
        return any(
            n.due_at > now - 28 * DAY
            and (
                {n.recipient_id, n.about_user_id} == {recipient, about}
                if about
                else n.recipient_id == recipient and f":{kind}:" in n.dedupe_key
            )
            for n in delivered
        )

    found: list[NudgeRow] = []
    for (helper, helped), amount in total.items():
        about = members.get(helper)
        back = total.get((helped, helper), 0.0)
        thanks = thanked.get((helper, helped))
        if (
            helped in eligible
            and amount >= settings.pair_min_weight
            and (thanks is None or thanks < now - 30 * DAY)
            and back * 3 <= amount
            and about is not None
            and not (about.is_bot or about.is_deactivated)
            and not lately(helped, helper, "pair")
        ):
            found.append(("pair", helped, eligible[helped], helper, amount, back, 0, None))
    for user_id, tz in eligible.items():
        helped_lately = sum(1 for (a, _), t in last.items() if a == user_id and t >= now - 30 * DAY)
        helped = sum(1 for (a, _), t in last.items() if a == user_id and t >= now - 60 * DAY)
        helpers = sum(1 for (_, b), t in last.items() if b == user_id and t >= now - 60 * DAY)
        asked = any(a == user_id and now - 60 * DAY <= at <= now for a, at in ledger.asks)
        if (
            helped_lately >= max(1, settings.ask_too_min_people)
            and helpers == 0
            and not asked
            and not lately(user_id, None, "ask_too")
        ):
            since = oldest(user_id, "helper_id", 30)
            found.append(("ask_too", user_id, tz, None, 0.0, 0.0, helped_lately, since))
        if (
            helpers >= max(1, settings.give_back_min_people)
            and helped == 0
            and not lately(user_id, None, "give_back")
        ):
            since = oldest(user_id, "helped_id", 60)
            found.append(("give_back", user_id, tz, None, 0.0, 0.0, helpers, since))
    return sorted(found, key=lambda row: (row[0], row[1], row[3] or ""))


def first_time_pairs(ledger: Ledger, week_end: datetime) -> set[tuple[str, str]]:
    """(helper, helped) pairs of the week before `week_end` who never exchanged before it,
    either way round."""
    week_start = week_end - 7 * DAY
    live = [row for row in ledger.credits if not row.retracted]
    before = {(r.helper_id, r.helped_id) for r in live if r.created_at < week_start}
    week = {(r.helper_id, r.helped_id) for r in live if week_start <= r.created_at < week_end}
    return {(a, b) for a, b in week if (a, b) not in before and (b, a) not in before}


def new_connections(ledger: Ledger, week_end: datetime) -> list[tuple[str, str]]:
    """The digest's new connections: each pair once, as (helper, helped), or when both ways
    round are new, the way that sorts first; in that order."""
    chosen: dict[frozenset[str], tuple[str, str]] = {}
    for pair in sorted(first_time_pairs(ledger, week_end)):
        chosen.setdefault(frozenset(pair), pair)
    return sorted(chosen.values())
