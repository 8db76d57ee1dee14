"""A reaction credited in one statement when the rules plainly allow it (PostgreSQL).

A credit emoji on a colleague's message needs three rows (the delivery, the mark, the credit
or its restoration) and every check of `reactions.reaction_added`. On PostgreSQL one statement
does it: data-modifying CTEs write the three only if the event is new and plainly fair;
otherwise it writes nothing and the caller runs the full path, which explains or records
whatever the rules allow. "Plainly": the reactor and the author are active people in the
members cache, the reactor has credited the author fewer times today than the cap, and no
removal of this emoji arrived before this add (bot.services.reactions compares their times). The
same statement tells whether the emoji is one of the workspace's credit emoji (most reactions
are not, and write nothing), so that a reaction takes one round trip either way. SQLite,
in-process, has no round trips to save and takes the full path.

The credit is written as `ledger.record_or_restore` writes it: a new row, or the retracted row
brought back, or nothing when it is live (another emoji of the same person already credits
the message). Races with the full path stay safe: checking the day's cap takes the reactor's
advisory lock before the delivery is written, the lock the full path takes first, so a
removal waits for this statement's commit and then sees its mark, and two credits from the
same person never both take the day's last place; and the upsert decides on the credit row
as committed, not as the statement's snapshot saw it, so a credit retracted meanwhile is
restored rather than left retracted.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import (
    String,
    and_,
    any_,
    bindparam,
    case,
    exists,
    func,
    inspect,
    literal,
    null,
    select,
)
from sqlalchemy.dialects.postgresql import insert

from bot.models import Credit, Member, ProcessedEvent, ReactionMark, Workspace
from bot.services.emoji_names import emoji_names
from bot.services.ledger import (
    FAIR_USE_WINDOW,
    all_active,
    giver_lock_key,
    restoring,
    room_today,
    sql_param,
)
from bot.services.reaction_events import NOTHING, Reaction, ReactionOutcome
from bot.statements import Runner


def react_at_once(run: Runner, now: datetime, reaction: Reaction) -> ReactionOutcome | None:
    """The reaction's outcome when one statement settles it; None when the full path must.

    A reaction with an emoji that is not a credit emoji is settled here too, writing nothing.
    """
    if run.dialect != "postgresql":
        return None
    params = {
        "team_id": reaction.team_id,
        "event_id": reaction.event_id,
        "event_type": reaction.event_type,
        "reactor_id": reaction.reactor_id,
        "author_id": reaction.author_id,
        "channel_id": reaction.channel_id,
        "message_ts": reaction.message_ts,
        "emoji": reaction.emoji,
        "emoji_names": " ".join(emoji_names(reaction.emoji)),
        "source_key": reaction.source_key,
        "lock_key": giver_lock_key(reaction.team_id, reaction.reactor_id),
        "now": now,
        "since": now - FAIR_USE_WINDOW,
    }
    (row,) = run.rows(_statement(), params)
    if row.counts is None:
        return None  # a workspace new to Goodwill: the full path creates its row
    if not row.counts:
        return NOTHING
    if not row.delivered:
        return None  # not plainly fair, or a delivery seen before: the full path decides
    if not row.credited:
        return NOTHING  # a concurrent delivery credited this message first
    return ReactionOutcome(credited=True, confirm=not row.quiet)


@functools.cache
def _statement() -> Any:
    events, marks = ProcessedEvent.__table__.c, ReactionMark.__table__.c
    credits, members, workspaces = Credit.__table__.c, Member.__table__.c, Workspace.__table__.c
    team = sql_param(events.team_id)
    reactor = sql_param(members.user_id, "reactor_id")
    author = sql_param(members.user_id, "author_id")
    source_key = sql_param(credits.source_key)
    # The workspace's credit emoji as `emoji_names.base_emoji` reads them: Slack's emoji names are
    # ASCII, where lower() is casefold(); anything but a list (JSON's null) counts as none.
    emoji = workspaces.credit_emoji
    listed = case((func.json_typeof(emoji) == "array", emoji))
    stored = func.json_array_elements_text(listed).table_valued("name")
    base = func.lower(func.btrim(func.split_part(stored.c.name, "::", 1), ":"))
    # Under any of its names: a `thumbsup` listed counts a `+1` (bot.services.emoji_names).
    # The names go as one space-separated text, split here: as an array parameter they cost
    # about 20 µs more of the worker's CPU a reaction (psycopg adapts a list item by item).
    names = func.string_to_array(bindparam("emoji_names", type_=String), literal(" "))
    one_of_them = exists().select_from(stored).where(base == any_(names))
    counts = select(one_of_them).where(workspaces.team_id == team).scalar_subquery()
    # A credit emoji, both are active people the members cache knows, and the reactor is
    # under the day's cap (which takes their lock). The emoji comes first: for any other emoji
    # nothing else is read, and no lock taken.
    room = room_today("postgresql", team, reactor, [author], null())
    # A removal of this emoji that arrived first: the full path tells whether this add is older.
    removed_first = exists().where(
        marks.team_id == team,
        marks.channel_id == sql_param(marks.channel_id),
        marks.message_ts == sql_param(marks.message_ts),
        marks.reactor_id == reactor,
        marks.emoji == sql_param(marks.emoji),
        marks.removed_ts.is_not(None),
    )
    plainly_fair = and_(counts, all_active(team, [reactor, author]), ~removed_first, room)
    now = sql_param(events.received_at, "now")
    delivered = (
        insert(ProcessedEvent)
        .from_select(
            ["team_id", "event_id", "event_type", "received_at"],
            select(team, sql_param(events.event_id), sql_param(events.event_type), now).where(
                plainly_fair
            ),
        )
        .on_conflict_do_nothing(index_elements=["team_id", "event_id"])
        .returning(events.event_id)
        .cte("delivered")
    )
    went_through = exists().select_from(delivered)
    marked = (
        insert(ReactionMark)
        .from_select(
            [
                "team_id",
                "channel_id",
                "message_ts",
                "reactor_id",
                "emoji",
                "author_id",
                "created_at",
            ],
            select(
                team,
                sql_param(marks.channel_id),
                sql_param(marks.message_ts),
                reactor,
                sql_param(marks.emoji),
                author,
                now,
            ).where(went_through),
        )
        # A mark already there stays as it is, and the credit follows as on the full path; a
        # removal that arrived first (recorded while this statement waited for the lock) is
        # left alone, and no row comes back.
        .on_conflict_do_update(
            index_elements=list(inspect(ReactionMark).primary_key),
            set_={"author_id": author},
            where=marks.removed_ts.is_(None),
        )
        .returning(marks.emoji)
        .cte("marked")
    )
    row = insert(Credit).from_select(
        [
            "team_id",
            "helper_id",
            "helped_id",
            "kind",
            "weight",
            "values",
            "channel_id",
            "message_ts",
            "source_key",
            "created_at",
        ],
        select(
            team,
            author,
            reactor,
            literal("reaction"),
            literal(1),
            literal([], type_=credits["values"].type),
            sql_param(marks.channel_id),
            sql_param(marks.message_ts),
            source_key,
            now,
        ).where(exists().select_from(marked)),
    )
    credited = restoring(row).returning(credits.id).cte("credited")
    quiet = (
        select(members.reaction_confirmations_off)
        .where(members.team_id == team, members.user_id == reactor)
        .scalar_subquery()
    )
    return select(
        went_through.label("delivered"),
        exists().select_from(credited).label("credited"),
        quiet.label("quiet"),
        counts.label("counts"),
    )
