"""Who is at capacity, and until when. Services: they take a session and `now`, never commit.

A spell ends by itself: it is a row with an `until` instant, and every reader compares that
with now (`not_busy`, `busy_among`), so nothing has to run when it ends. `/favor available`
removes the row.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from bot.busy.parsing import (
    MAX_DAYS,
    BusyFor,
    ForDays,
    ThisWeek,
    UntilDay,
    UntilTomorrow,
    UntilWeekday,
)
from bot.db import upsert
from bot.errors import InputError, NotAPersonError, SelfCreditError
from bot.members.cache import FetchUser, resolve_members
from bot.models import BusySpell
from bot.scheduler.calendar import zone
from bot.thanks.parsing import USER_MENTION


@dataclass(frozen=True)
class Busy:
    """A member at capacity: until when, and whom they named to ask instead."""

    user_id: str
    until: datetime
    instead_id: str | None


def not_busy(member: Any, now: datetime) -> Any:
    """A SQL condition: `member` (the `Member` model or an alias of it) is not at capacity at
    `now`. For queries that choose people to ask for help (suggestions, nudges to give)."""
    return ~exists().where(
        BusySpell.team_id == member.team_id,
        BusySpell.user_id == member.user_id,
        BusySpell.until > now,
    )


def busy_status(session: Session, team_id: str, user_id: str, now: datetime) -> Busy | None:
    """The member's spell at capacity, if it lasts beyond `now`."""
    return busy_among(session, team_id, (user_id,), now).get(user_id)


def is_busy(session: Session, team_id: str, user_id: str, now: datetime) -> bool:
    return busy_status(session, team_id, user_id, now) is not None


def busy_among(
    session: Session, team_id: str, user_ids: Collection[str], now: datetime
) -> dict[str, Busy]:
    """Those of `user_ids` at capacity at `now`, by ID."""
    if not user_ids:
        return {}
    rows = session.scalars(
        select(BusySpell).where(
            BusySpell.team_id == team_id,
            BusySpell.user_id.in_(sorted(set(user_ids))),
            BusySpell.until > now,
        )
    )
    return {row.user_id: Busy(row.user_id, row.until, row.instead_id) for row in rows}


def busy_mentioned(
    session: Session, team_id: str, text: str, author_id: str, now: datetime
) -> list[Busy]:
    """Those mentioned in `text` (an ask) who are at capacity at `now`, in the order named:
    the author reached for them, and hears privately who may help instead."""
    named = dict.fromkeys(m.group(1) for m in USER_MENTION.finditer(text))
    named.pop(author_id, None)
    away = busy_among(session, team_id, named, now)
    return [away[user_id] for user_id in named if user_id in away]


def set_busy(
    session: Session,
    now: datetime,
    team_id: str,
    user_id: str,
    until: BusyFor,
    instead_id: str | None,
    fetch_user: FetchUser,
) -> Busy:
    """Mark the member at capacity (again: a new spell replaces the last)."""
    ids = (user_id,) if instead_id is None else (user_id, instead_id)
    members = resolve_members(session, team_id, ids, fetch_user, now)
    if instead_id is not None:
        if instead_id == user_id:
            raise SelfCreditError("Name someone else to ask instead: you're the one who's busy.")
        named = members[instead_id]
        if not named.can_receive_credit:
            raise NotAPersonError(
                f"{named.label} is a bot or no longer here. Name a colleague instead, or no one."
            )
    end = busy_until(now, members[user_id].tz, until)
    row = {
        "team_id": team_id,
        "user_id": user_id,
        "until": end,
        "instead_id": instead_id,
        "set_at": now,
    }
    upsert(session, BusySpell, [row], ["team_id", "user_id"], ["until", "instead_id", "set_at"])
    return Busy(user_id, end, instead_id)


def set_available(session: Session, now: datetime, team_id: str, user_id: str) -> bool:
    """End the member's spell at capacity; whether there was one still running."""
    running = is_busy(session, team_id, user_id, now)
    session.execute(
        delete(BusySpell).where(BusySpell.team_id == team_id, BusySpell.user_id == user_id)
    )
    return running


def forget_busy(session: Session, team_id: str, member_id: str) -> None:
    """Forget-me: their spell goes, and they are no longer named by anyone else's."""
    session.execute(
        delete(BusySpell).where(BusySpell.team_id == team_id, BusySpell.user_id == member_id)
    )
    session.execute(
        update(BusySpell)
        .where(BusySpell.team_id == team_id, BusySpell.instead_id == member_id)
        .values(instead_id=None)
    )


def busy_until(now: datetime, tz: str | None, until: BusyFor) -> datetime:
    """The instant a spell ends, worked out in the member's own time zone. InputError for a
    day that has passed or is too far off."""
    today = now.astimezone(zone(tz)).date()
    if isinstance(until, ForDays):
        return now + timedelta(days=until.days)
    if isinstance(until, ThisWeek):
        last = today + timedelta(days=6 - today.weekday())
    elif isinstance(until, UntilTomorrow):
        last = today + timedelta(days=1)
    elif isinstance(until, UntilWeekday):
        last = today + timedelta(days=(until.weekday - today.weekday()) % 7)
    else:
        assert isinstance(until, UntilDay)
        last = until.day
        if last < today:
            raise InputError("That date has passed. Pick a day from today on.")
        if last > today + timedelta(days=MAX_DAYS):
            raise InputError(f"That's more than {MAX_DAYS} days away. Pick a nearer day.")
    return _day_ends(last, tz)


def _day_ends(day: date, tz: str | None) -> datetime:
    """Midnight after `day`, in `tz`, as a UTC instant."""
    following = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone(tz))
    return following.astimezone(UTC)
