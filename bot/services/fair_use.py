"""The fair-use rules, and what they need to know before anyone is credited.

`standing` reads in one statement everything the rules need: the workspace's daily cap, the
people involved (from the members cache) and the giver's live credits to them over the last
day. `check_fair_use` then decides in Python, without another round trip.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, cast, null, select, union_all
from sqlalchemy.orm import Session

from bot.blocks.common import counted
from bot.errors import DailyLimitError, RepeatedReasonError
from bot.models import Credit, Member, Workspace, member_label
from bot.services.ledger import FAIR_USE_WINDOW, NewCredit, one_giver_at_a_time, reason_key
from bot.services.members import FetchUser, cache_unknown, ensure_workspace


@dataclass(frozen=True)
class Person:
    """A member as the rules before a credit see them, from the members cache."""

    user_id: str
    label: str
    is_bot: bool
    is_deactivated: bool
    reaction_confirmations_off: bool

    @property
    def can_receive_credit(self) -> bool:
        return not (self.is_bot or self.is_deactivated)


@dataclass(frozen=True)
class LiveCredit:
    """One of the giver's live credits: from the last day, or asked for by its source key."""

    helper_id: str
    reason_key: str | None
    source_key: str
    today: bool  # within the fair-use window


@dataclass(frozen=True)
class Standing:
    """What the rules need before `giver_id` credits others, read in one statement."""

    giver_id: str
    pair_daily_cap: int
    people: Mapping[str, Person]
    credits: tuple[LiveCredit, ...]

    def is_live(self, source_key: str) -> bool:
        return any(credit.source_key == source_key for credit in self.credits)


# The rows the rules need, in one round trip: one per person asked about (with the
# workspace's cap), then the giver's live credits to them from the last day, then those with
# the source keys asked about, however old. Each part gives PostgreSQL its own index
# conditions from the parameters alone, so the plan is sound even before the tables have
# statistics. Built from the tables, not the mapped classes: rows, not ORM objects.
_workspaces, _members, _credits = Workspace.__table__.c, Member.__table__.c, Credit.__table__.c
_PERSON_COLUMNS = (
    _members.user_id,
    _members.name,
    _members.real_name,
    _members.display_name,
    _members.is_bot,
    _members.is_deactivated,
    _members.reaction_confirmations_off,
)
_CREDIT_COLUMNS = (_credits.reason_key, _credits.source_key, _credits.created_at)


def _nothing(columns: Iterable[Any]) -> list[Any]:
    return [cast(null(), column.type).label(column.name) for column in columns]


def _live_credits(*conditions: Any) -> Select[Any]:
    return select(
        *_nothing([_workspaces.pair_daily_cap]),
        _credits.helper_id.label("user_id"),
        *_nothing(_PERSON_COLUMNS[1:]),
        *_CREDIT_COLUMNS,
    ).where(_credits.retracted_at.is_(None), *conditions)


_STANDING = union_all(
    select(_workspaces.pair_daily_cap, *_PERSON_COLUMNS, *_nothing(_CREDIT_COLUMNS))
    .select_from(
        Workspace.__table__.outerjoin(
            Member.__table__,
            and_(
                _members.team_id == _workspaces.team_id,
                _members.user_id.in_(bindparam("user_ids", expanding=True)),
            ),
        )
    )
    .where(_workspaces.team_id == bindparam("team_id")),
    _live_credits(
        _credits.team_id == bindparam("team_id"),
        _credits.helped_id == bindparam("giver_id"),
        _credits.helper_id.in_(bindparam("user_ids", expanding=True)),
        _credits.created_at > bindparam("since"),
    ),
    # A source key names one credit of one workspace: its unique index finds it.
    _live_credits(_credits.source_key.in_(bindparam("source_keys", expanding=True))),
)


def standing(
    session: Session,
    now: datetime,
    team_id: str,
    giver_id: str,
    receiver_ids: Iterable[str],
    fetch_user: FetchUser,
    source_keys: Sequence[str] = (),
) -> Standing:
    """The giver and the receivers as the members cache knows them, and the giver's day.

    Also the giver's live credits with `source_keys`, however old. The workspace's row is
    created the first time, and Slack is asked (users.info) only about people the cache has
    never seen; someone from another workspace is an UnknownMemberError.

    Read under the giver's lock, held until the transaction ends: the credits this
    transaction then records are decided on a day that no other check of theirs can change
    meanwhile.
    """
    one_giver_at_a_time(session, team_id, giver_id)
    since = now - FAIR_USE_WINDOW
    user_ids = list(dict.fromkeys((giver_id, *receiver_ids)))
    params = {
        "team_id": team_id,
        "giver_id": giver_id,
        "user_ids": user_ids,
        "source_keys": list(source_keys),
        "since": since,
    }
    rows = session.execute(_STANDING, params).all()
    if not rows:
        ensure_workspace(session, team_id)
        rows = session.execute(_STANDING, params).all()
    found = {row.user_id for row in rows if row.source_key is None and row.user_id is not None}
    missing = [user_id for user_id in user_ids if user_id not in found]
    if missing:
        cache_unknown(session, now, team_id, missing, fetch_user)
        rows = session.execute(_STANDING, params).all()
    return _standing_of(giver_id, since, rows)


def _standing_of(giver_id: str, since: datetime, rows: Sequence[Any]) -> Standing:
    people: dict[str, Person] = {}
    credits: dict[str, LiveCredit] = {}
    cap = 0
    for row in rows:
        if row.source_key is not None:
            # A credit of today asked for by its key comes back twice: once is enough.
            today = row.created_at > since
            credits[row.source_key] = LiveCredit(row.user_id, row.reason_key, row.source_key, today)
            continue
        cap = row.pair_daily_cap
        if row.user_id is not None:
            people[row.user_id] = Person(
                row.user_id,
                member_label(row.display_name, row.real_name, row.name, row.user_id),
                row.is_bot,
                row.is_deactivated,
                row.reaction_confirmations_off,
            )
    return Standing(giver_id, cap, people, tuple(credits.values()))


def check_fair_use(standing: Standing, credits: Sequence[NewCredit]) -> bool:
    """Refuse credit that looks like gaming the ledger, before anything is recorded.

    Within a day, one person may credit the same person at most `pair_daily_cap` times, and
    never twice with the same reason. Returns True when these very credits are already in the
    ledger (a retry or a double click), which is not gaming: the caller answers as before.
    """
    if not credits:
        return False
    if any(credit.helped_id != standing.giver_id for credit in credits):
        raise ValueError("the credits are not all from the giver the standing was read for")
    if any(standing.is_live(credit.source_key) for credit in credits):
        return True
    today = [row for row in standing.credits if row.today]
    for credit in credits:
        earlier = [row.reason_key for row in today if row.helper_id == credit.helper_id]
        if len(earlier) >= standing.pair_daily_cap:
            raise DailyLimitError(
                f"You've already credited <@{credit.helper_id}> {counted(len(earlier), 'time')} "
                "today, the most a day allows. It will count again tomorrow; until then, a "
                "message to them says it just as well."
            )
        wanted = reason_key(credit.reason)
        if wanted is not None and wanted in earlier:
            raise RepeatedReasonError(
                f"You already credited <@{credit.helper_id}> for that today. If they helped "
                "again, say what they did this time."
            )
    return False
