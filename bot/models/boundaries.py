"""What a member keeps for themselves: when they are at capacity, and private notes about
colleagues. Neither is ever exported or shown to anyone else."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from bot.models._base import Base, UTCDateTime

NOTE_MAX = 280  # a short note, not a file on someone


class BusySpell(Base):
    """`/favor busy`: the member is at capacity until `until` (an instant, so it ends by
    itself: every reader compares it with now). `instead_id`: whom they named to ask instead."""

    __tablename__ = "busy_spells"

    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    instead_id: Mapped[str | None] = mapped_column(String(32))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())


class PrivateNote(Base):
    """`/favor note @someone …`: what `writer_id` keeps about `subject_id`, for their eyes only."""

    __tablename__ = "private_notes"

    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True
    )
    writer_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    text: Mapped[str] = mapped_column(String(NOTE_MAX))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())

    # Forget-me removes the notes about a person too: found by subject, not a scan.
    __table_args__ = (Index("ix_private_notes_team_id_subject", "team_id", "subject_id"),)
