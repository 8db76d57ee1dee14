"""The nudge rules as one SQL statement per workspace (see bot/services/nudges.py).

First the members who may be nudged now (`eligible`: in working hours, not a bot, active, not
opted out, not nudged in seven days); then one pass over 90 days of credits that touch them,
grouped per (helper, helped) pair (`pairs`); from those, the pair rule (`heavy` pairs with
little coming `back`) and per-person counts (`stats`) for ask too and give back. The
statement returns every rule a person meets; the caller picks one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnClause, ColumnElement
from sqlalchemy.sql.selectable import CTE, CompoundSelect, Select

from bot.models import Credit, FavorRequest, Member, OutboxMessage, Workspace
from bot.services.balance import decayed_weight

PAIR, ASK_TOO, GIVE_BACK = "pair", "ask_too", "give_back"

PAIR_WINDOW = timedelta(days=90)
THANKED_WINDOW = timedelta(days=30)
HELPED_WINDOW = timedelta(days=30)  # ask too: people helped lately
QUIET_WINDOW = timedelta(days=60)  # ask too: nothing asked or received; give back: all of it
ONCE_A_WEEK = timedelta(days=7)
SAME_PAIR_GAP = timedelta(days=28)  # and the same ask too / give back

# A nudge that never reached the person does not count towards their rarity rules.
UNDELIVERED = ("failed", "expired")


def candidates_query(
    workspace: Workspace, now: datetime, zones: Sequence[str]
) -> CompoundSelect[*tuple[Any, ...]]:
    """Every nudge the workspace's members in `zones` could get now: one row per (person,
    rule), and per pair for the pair rule, as (kind, recipient_id, tz, about_id, given,
    returned, people)."""
    team_id = workspace.team_id
    nudged_this_week = (
        select(literal_column("1"))
        .where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.recipient_id == Member.user_id,
            OutboxMessage.kind == "nudge",
            OutboxMessage.due_at > now - ONCE_A_WEEK,
            OutboxMessage.status.not_in(UNDELIVERED),
        )
        .exists()
    )
    eligible = (
        select(Member.user_id, Member.tz)
        .where(
            Member.team_id == team_id,
            Member.tz.in_(zones),
            ~Member.is_bot,
            ~Member.is_deactivated,
            ~Member.nudges_opt_out,
            ~nudged_this_week,
        )
        .cte("eligible")
    )
    eligible_ids = select(eligible.c.user_id)

    # The one pass over the ledger: per (helper, helped) pair that touches someone eligible,
    # the decayed total, the latest credit and the latest thanks.
    decayed = decayed_weight(now, workspace.half_life_days)
    pairs = (
        select(
            Credit.helper_id,
            Credit.helped_id,
            func.sum(decayed).label("total"),
            func.max(Credit.created_at).label("last_at"),
            func.max(case((Credit.kind == "thanks", Credit.created_at))).label("last_thanks"),
        )
        .where(
            Credit.team_id == team_id,
            Credit.retracted_at.is_(None),
            Credit.created_at >= now - PAIR_WINDOW,
            Credit.created_at <= now,
            or_(Credit.helper_id.in_(eligible_ids), Credit.helped_id.in_(eligible_ids)),
        )
        .group_by(Credit.helper_id, Credit.helped_id)
        .cte("pairs")
    )
    return union_all(
        _pair_rows(workspace, now, eligible, pairs),
        *_people_rows(workspace, now, eligible, pairs),
    )


def _pair_rows(workspace: Workspace, now: datetime, eligible: CTE, pairs: CTE) -> Select[Any]:
    """Someone eligible (B) helped a lot by a person still here (A), not thanked lately, and
    with little coming back; A and B not the subject of a nudge lately."""
    team_id = workspace.team_id
    heavy = (
        select(pairs)
        .where(
            pairs.c.total >= workspace.nudge_pair_min_weight,
            or_(pairs.c.last_thanks.is_(None), pairs.c.last_thanks < now - THANKED_WINDOW),
            pairs.c.helped_id.in_(select(eligible.c.user_id)),
        )
        .cte("heavy")
    )
    # What came back, for the heavy pairs only: a small join instead of a self-join of all.
    back = (
        select(pairs.c.helper_id, pairs.c.helped_id, pairs.c.total)
        .where(
            tuple_(pairs.c.helped_id, pairs.c.helper_id).in_(
                select(heavy.c.helper_id, heavy.c.helped_id)
            )
        )
        .cte("back")
    )
    about = aliased(Member, name="about")
    returned = func.coalesce(back.c.total, 0.0)
    same_pair_lately = (
        select(literal_column("1"))
        .where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.kind == "nudge",
            OutboxMessage.due_at > now - SAME_PAIR_GAP,
            OutboxMessage.status.not_in(UNDELIVERED),
            or_(
                and_(
                    OutboxMessage.recipient_id == heavy.c.helped_id,
                    OutboxMessage.about_user_id == heavy.c.helper_id,
                ),
                and_(
                    OutboxMessage.recipient_id == heavy.c.helper_id,
                    OutboxMessage.about_user_id == heavy.c.helped_id,
                ),
            ),
        )
        .exists()
    )
    return (
        select(
            literal_column(f"'{PAIR}'").label("kind"),
            heavy.c.helped_id.label("recipient_id"),
            eligible.c.tz,
            heavy.c.helper_id.label("about_id"),
            cast(heavy.c.total, Float).label("given"),
            cast(returned, Float).label("returned"),
            cast(literal_column("0"), Integer).label("people"),
        )
        .select_from(heavy)
        .join(eligible, eligible.c.user_id == heavy.c.helped_id)
        .join(about, and_(about.team_id == team_id, about.user_id == heavy.c.helper_id))
        .outerjoin(
            back,
            and_(back.c.helper_id == heavy.c.helped_id, back.c.helped_id == heavy.c.helper_id),
        )
        .where(returned * 3 <= heavy.c.total, ~about.is_bot, ~about.is_deactivated)
        .where(~same_pair_lately)
    )


def _people_rows(
    workspace: Workspace, now: datetime, eligible: CTE, pairs: CTE
) -> tuple[Select[Any], Select[Any]]:
    """Ask too and give back, from each eligible person's counts: people they helped lately,
    people they helped at all, people who helped them."""
    eligible_ids = select(eligible.c.user_id)

    def counted(since: datetime) -> ColumnElement[Any]:
        return func.sum(case((pairs.c.last_at >= since, 1), else_=0))

    zero: ColumnClause[Any] = literal_column("0")
    as_helper = (
        select(
            pairs.c.helper_id.label("person"),
            counted(now - HELPED_WINDOW).label("helped_lately"),
            counted(now - QUIET_WINDOW).label("helped"),
            zero.label("helpers"),
        )
        .where(pairs.c.helper_id.in_(eligible_ids))
        .group_by(pairs.c.helper_id)
    )
    as_helped = (
        select(
            pairs.c.helped_id.label("person"),
            zero.label("helped_lately"),
            zero.label("helped"),
            counted(now - QUIET_WINDOW).label("helpers"),
        )
        .where(pairs.c.helped_id.in_(eligible_ids))
        .group_by(pairs.c.helped_id)
    )
    roles = union_all(as_helper, as_helped).subquery("roles")
    stats = (
        select(
            roles.c.person,
            func.sum(roles.c.helped_lately).label("helped_lately"),
            func.sum(roles.c.helped).label("helped"),
            func.sum(roles.c.helpers).label("helpers"),
        )
        .group_by(roles.c.person)
        .cte("stats")
    )
    asked_lately = (
        select(literal_column("1"))
        .where(
            FavorRequest.team_id == workspace.team_id,
            FavorRequest.author_id == stats.c.person,
            FavorRequest.kind == "ask",
            FavorRequest.created_at >= now - QUIET_WINDOW,
            FavorRequest.created_at <= now,
        )
        .exists()
    )

    def rows(kind: str, people: ColumnElement[Any]) -> Select[Any]:
        # The same encouragement twice in four weeks would nag, like the same pair would.
        same_kind_lately = (
            select(literal_column("1"))
            .where(
                OutboxMessage.team_id == workspace.team_id,
                OutboxMessage.recipient_id == stats.c.person,
                OutboxMessage.kind == "nudge",
                OutboxMessage.due_at > now - SAME_PAIR_GAP,
                OutboxMessage.status.not_in(UNDELIVERED),
                OutboxMessage.dedupe_key.contains(f":{kind}:", autoescape=True),
            )
            .exists()
        )
        return (
            select(
                literal_column(f"'{kind}'").label("kind"),
                stats.c.person.label("recipient_id"),
                eligible.c.tz,
                cast(null(), String).label("about_id"),
                cast(literal_column("0"), Float).label("given"),
                cast(literal_column("0"), Float).label("returned"),
                cast(people, Integer).label("people"),
            )
            .select_from(stats)
            .join(eligible, eligible.c.user_id == stats.c.person)
            .where(~same_kind_lately)
        )

    ask_too = rows(ASK_TOO, stats.c.helped_lately).where(
        stats.c.helped_lately >= max(1, workspace.nudge_ask_too_min_people),
        stats.c.helpers == 0,
        ~asked_lately,
    )
    give_back = rows(GIVE_BACK, stats.c.helpers).where(
        stats.c.helpers >= max(1, workspace.nudge_give_back_min_people),
        stats.c.helped == 0,
    )
    return ask_too, give_back
