"""Each member's channels, as Slack last listed them and as its events changed them since.

Slack is asked (bot.slack.api.member_channels) when the list is older than its freshness or a
channel was joined since; a channel left is taken off the list at once. A reading that began
before the member left a channel may still list it, and is not kept; one that began before
they joined a channel is kept, and read again at the next Home.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, null, or_, text
from sqlalchemy.orm import Session

from bot.db import dialect_of, insert_for, insert_new
from bot.members.cache import ensure_workspace
from bot.models import MemberChannelList


@dataclass(frozen=True)
class StoredChannels:
    channel_ids: frozenset[str]
    read_at: datetime | None  # None: a channel was joined since, to be read again

    def read_within(self, now: datetime, fresh_for: timedelta) -> bool:
        return self.read_at is not None and timedelta(0) <= now - self.read_at < fresh_for


def stored_channels(session: Session, team_id: str, user_id: str) -> StoredChannels | None:
    row = session.get(MemberChannelList, (team_id, user_id))
    if row is None:
        return None
    return StoredChannels(frozenset(row.channel_ids), row.read_at)


def keep_reading(
    session: Session,
    team_id: str,
    user_id: str,
    channel_ids: frozenset[str],
    read_at: datetime,
) -> frozenset[str]:
    """Keep what Slack listed in a reading begun at `read_at`, unless the member left a
    channel since then (and joined none after): the reading may still list it. A reading
    begun before they joined one is kept, to be read again at the next Home. Returns the
    channels as now known.

    One statement, and on PostgreSQL a commit that does not wait for the disk: the list is
    Slack's to give again, and a reading lost in a crash of the database is read again at
    the next Home. (The events' changes are not: they are what Slack will not send twice.)
    """
    dialect = dialect_of(session)
    if dialect == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    row = {"team_id": team_id, "user_id": user_id, "channel_ids": sorted(channel_ids)}
    kept = session.execute(_keep_reading_statement(dialect), {**row, "read_at": read_at}).all()
    if kept:
        return channel_ids
    stored = stored_channels(session, team_id, user_id)
    return stored.channel_ids if stored is not None else frozenset()


@functools.cache
def _keep_reading_statement(dialect: str) -> Any:
    table = MemberChannelList.__table__
    insert = insert_for(dialect, table)
    read_at = insert.excluded.read_at
    return insert.on_conflict_do_update(
        index_elements=[table.c.team_id, table.c.user_id],
        set_={
            "channel_ids": insert.excluded.channel_ids,
            "read_at": case((table.c.joined_at >= read_at, null()), else_=read_at),
        },
        # A join since the last leave: the next reading is read again whatever it finds.
        where=or_(
            table.c.left_at.is_(None),
            table.c.left_at < read_at,
            table.c.joined_at >= table.c.left_at,
        ),
    ).returning(table.c.user_id)


def left_channel(
    session: Session, team_id: str, user_id: str, channel_id: str, now: datetime
) -> None:
    """The member left `channel_id`, or was removed: its asks leave their Home at once."""
    row = _locked(session, team_id, user_id)
    row.channel_ids = [kept for kept in row.channel_ids if kept != channel_id]
    row.left_at = now


def joined_channel(session: Session, team_id: str, user_id: str, now: datetime) -> None:
    """The member joined a channel: their channels are read again when their Home is next
    shown. (Slack does not promise to deliver events in order: a join taken as is could
    follow the leave it came before.)"""
    row = _locked(session, team_id, user_id)
    row.read_at = None
    row.joined_at = now


def forget_channels(session: Session, team_id: str, user_id: str) -> None:
    """/favor forget-me: Goodwill no longer knows where they are."""
    session.execute(
        delete(MemberChannelList).where(
            MemberChannelList.team_id == team_id, MemberChannelList.user_id == user_id
        )
    )


def _locked(session: Session, team_id: str, user_id: str) -> MemberChannelList:
    """The member's row, created empty (never read) if missing, locked for this transaction:
    an event and a reading at the same moment take turns."""
    ensure_workspace(session, team_id)  # an event may come before the first sync
    never_read: dict[str, Any] = {"team_id": team_id, "user_id": user_id, "channel_ids": []}
    insert_new(session, MemberChannelList, [never_read], ["team_id", "user_id"])
    found = session.get(MemberChannelList, (team_id, user_id), with_for_update=True)
    assert found is not None  # inserted above, or there already
    return found
