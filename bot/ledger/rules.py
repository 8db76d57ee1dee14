"""The fair-use rules, written once, in SQL.

A credit from a giver to a helper is allowed when:

- the helper is a person the members cache knows (not a bot, not deactivated), not the giver;
- the giver is an active person the members cache knows;
- within the fair-use window, the giver has live credits to the helper fewer times than the
  workspace's daily cap, and none with the same reason (`credits.reason_key`).

`rules(people)` states each rule as a condition on one row of the members cache, the helper.
The insert (`guarded_insert`) writes each helper's credit where every rule holds for that
helper, whatever the others' rules say. For the helpers it did not write, bot.ledger.record
reads the same conditions, one by one (`explanation`), to tell the person which one failed.
Every parameter is bound, so each statement is built and compiled once.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import (
    Insert,
    Select,
    Table,
    and_,
    bindparam,
    case,
    exists,
    func,
    not_,
    select,
)

from bot.db import insert_for
from bot.models import Credit, Member, Workspace

_credits, _workspaces = Credit.__table__.c, Workspace.__table__.c
_members: Table = Member.__table__  # type: ignore[assignment]

# The columns a new credit is written with; each is a parameter of the same name
# (bot.ledger.credits.credit_row), but helper_id and source_key, which differ by helper.
INSERTED = (
    "team_id",
    "helper_id",
    "helped_id",
    "kind",
    "weight",
    "reason",
    "reason_key",
    "values",
    "channel_id",
    "message_ts",
    "quotable",
    "source_key",
    "created_at",
    "response_url",
)


def param(name: str) -> Any:
    """The bound parameter for the credits column `name`, typed as the column."""
    return bindparam(name, type_=_credits[name].type)


def helper_param(number: int) -> Any:
    return bindparam(f"helper_{number}", type_=_credits.helper_id.type)


def source_key_param(number: int) -> Any:
    return bindparam(f"source_key_{number}", type_=_credits.source_key.type)


def given_today(people: Any) -> Any:
    """How many live credits the giver gave the helper (a row of `people`) within the window:
    one probe of ix_credits_team_pair_created."""
    earlier = Credit.__table__.alias("earlier")
    return (
        select(func.count()).select_from(earlier).where(*_today(earlier, people)).scalar_subquery()
    )


def _today(earlier: Any, people: Any) -> tuple[Any, ...]:
    return (
        earlier.c.team_id == param("team_id"),
        earlier.c.helper_id == people.c.user_id,
        earlier.c.helped_id == param("helped_id"),
        earlier.c.retracted_at.is_(None),
        earlier.c.created_at > bindparam("since", type_=_credits.created_at.type),
    )


def rules(people: Any) -> dict[str, Any]:
    """Each rule, by name, as a condition on `people` (an alias of members: the helper)."""
    giver = _members.alias("giver")
    earlier = Credit.__table__.alias("earlier")
    cap = select(_workspaces.pair_daily_cap).where(_workspaces.team_id == param("team_id"))
    return {
        "not_the_giver": people.c.user_id != param("helped_id"),
        "a_person": and_(not_(people.c.is_bot), not_(people.c.is_deactivated)),
        "giver_a_person": exists().where(
            giver.c.team_id == param("team_id"),
            giver.c.user_id == param("helped_id"),
            not_(giver.c.is_bot),
            not_(giver.c.is_deactivated),
        ),
        # NULL, and so not allowed, before the workspace has its row.
        "under_cap": given_today(people) < cap.scalar_subquery(),
        "new_reason": ~exists().where(
            *_today(earlier, people), earlier.c.reason_key == param("reason_key")
        ),
    }


def _helpers_among(people: Any, helpers: int) -> tuple[Any, ...]:
    return (
        people.c.team_id == param("team_id"),
        people.c.user_id.in_([helper_param(number) for number in range(helpers)]),
    )


def _source_key(people: Any, helpers: int) -> Any:
    if helpers == 1:
        return source_key_param(0)
    return case(
        *((people.c.user_id == helper_param(n), source_key_param(n)) for n in range(helpers))
    )


@functools.cache
def guarded_insert(dialect: str, helpers: int, restore: bool) -> Insert:
    """INSERT ... SELECT each helper's credit WHERE every rule holds for that helper
    ON CONFLICT (source_key) DO NOTHING RETURNING source_key.

    `restore`: a retracted credit with the same key is brought back instead (a reaction put
    back), keeping the date it was first given; a live one is left as it is. Either way the
    conflict is decided on the row as committed, not as the statement's snapshot saw it.
    """
    people = _members.alias("people")
    conditions = [*_helpers_among(people, helpers), *rules(people).values()]
    if not restore:
        # None of the request's credits recorded before: a retry writes nothing, whichever
        # rules still hold, and is answered as the first delivery was.
        keys = [source_key_param(number) for number in range(helpers)]
        conditions.append(~exists().where(_credits.source_key.in_(keys)))
    shared = {name: param(name) for name in INSERTED}
    shared["helper_id"] = people.c.user_id
    shared["source_key"] = _source_key(people, helpers)
    rows = select(*(shared[name] for name in INSERTED)).where(*conditions)
    insert = insert_for(dialect, Credit.__table__).from_select(list(INSERTED), rows)
    if restore:
        insert = insert.on_conflict_do_update(
            index_elements=["source_key"],
            set_={"retracted_at": None},
            where=_credits.retracted_at.is_not(None),
        )
    else:
        insert = insert.on_conflict_do_nothing(index_elements=["source_key"])
    return insert.returning(_credits.source_key)  # type: ignore[no-any-return]


@functools.cache
def explanation(helpers: int) -> Select[Any]:
    """Each helper the members cache knows, with every rule's answer for them, by name."""
    people = _members.alias("people")
    answers = [condition.label(name) for name, condition in rules(people).items()]
    return select(
        people.c.team_id,
        people.c.user_id,
        people.c.name,
        people.c.real_name,
        people.c.display_name,
        people.c.is_bot,
        given_today(people).label("given_today"),
        *answers,
    ).where(*_helpers_among(people, helpers))
