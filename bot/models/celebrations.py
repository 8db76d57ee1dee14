"""The thanks messages the bot posted, kept so that taking a thanks back can edit them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from bot.models._base import Base, UTCDateTime

# How a celebration reads: one reason for everyone (a /thanks, the "Thank for this" form),
# or each person with what they did (the weekly prompt's public thanks).
CELEBRATION_LAYOUTS = ("thanks", "prompt")


class Celebration(Base):
    """A message that celebrates thanks in a channel, and what it showed: written after the
    post, apart from the credits, and found from any of them. Never exported."""

    __tablename__ = "celebrations"

    # The credits' source_key without its last part, the helper: `thanks:{team}:{request}`.
    thanks_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE")
    )
    thanker_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(32))
    layout: Mapped[str] = mapped_column(String(16))
    # The people named one by one, in the message's order.
    named: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The user groups thanked as teams: [{"id", "handle", "members"}], `members` those
    # credited as part of the group, so that it is shown while any of their thanks stands.
    groups: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())

    __table_args__ = (
        CheckConstraint("layout IN ('thanks', 'prompt')", name="layout_known"),
        # Forget-me finds a thanker's celebrations without a scan of the workspace's.
        Index("ix_celebrations_team_id_thanker", "team_id", "thanker_id"),
    )
