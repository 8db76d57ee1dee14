"""Channels archived, brought back or deleted, as their events say.

What was posted in an archived channel can still be read there, but its buttons no longer
answer, and nobody new is likely to pass by: the digest's open asks and a Home's asks nearby
leave it out (bot.asks.requests.in_a_live_channel). Slack does not promise to deliver
events in order, so each carries its time, and an older one than the channel's last changes
nothing. A deletion is for good.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_
from sqlalchemy.orm import Session

from bot.db import dialect_of, insert_for
from bot.members.cache import ensure_workspace
from bot.models import ChannelArchival


def channel_archived(
    session: Session, team_id: str, channel_id: str, at: datetime, *, archived: bool
) -> None:
    """The channel was archived (or, `archived` False, brought back) at `at`."""
    _record(session, team_id, channel_id, at, archived=archived, deleted=False)


def channel_deleted(session: Session, team_id: str, channel_id: str, at: datetime) -> None:
    """The channel was deleted: archived for good, whatever arrives after."""
    _record(session, team_id, channel_id, at, archived=True, deleted=True)


def _record(
    session: Session, team_id: str, channel_id: str, at: datetime, *, archived: bool, deleted: bool
) -> None:
    ensure_workspace(session, team_id)  # an event may come before the first sync
    table = ChannelArchival.__table__
    insert = insert_for(dialect_of(session), table).values(
        team_id=team_id, channel_id=channel_id, archived=archived, deleted=deleted, changed_at=at
    )
    new = insert.excluded
    session.execute(
        insert.on_conflict_do_update(
            index_elements=[table.c.team_id, table.c.channel_id],
            set_={"archived": new.archived, "deleted": new.deleted, "changed_at": new.changed_at},
            # A deletion always holds; anything else only when newer, and never after one.
            where=new.deleted | and_(~table.c.deleted, table.c.changed_at <= new.changed_at),
        )
    )
