"""What the app knows of channels themselves, apart from who is in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from bot.models._base import Base, UTCDateTime


class ChannelArchival(Base):
    """A channel archived, brought back or deleted, as its latest event said
    (bot.channels.archival). Lists meant for others (the digest's open asks, the
    asks on a Home) leave out what was posted in an archived channel: its buttons no longer
    answer. A channel with no row was never heard archived."""

    __tablename__ = "channel_archival"

    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    archived: Mapped[bool] = mapped_column(Boolean)
    # Deleted for good: no later event brings it back.
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # When Slack said so (the event's time): Slack does not promise to deliver events in
    # order, and an older one changes nothing.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
