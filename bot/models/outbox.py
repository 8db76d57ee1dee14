"""Scheduled messages, each sent once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.models._base import Base, BigIntPK, UTCDateTime

OUTBOX_KINDS = ("digest", "nudge", "prompt", "ask")  # ask: an ask's reminder or expiry
OUTBOX_STATUSES = ("pending", "sending", "sent", "failed", "uncertain", "expired")


class OutboxMessage(Base):
    """A scheduled message: written once by a tick (dedupe_key), sent once by a sender.

    pending -> sending (claimed) -> sent | failed (Slack refused for good, `error` says why)
    pending -> expired (its grace period passed before it could be sent)
    sending -> uncertain (the sender died after claiming it: it may or may not have reached
    Slack, and sending it again could post it twice, so it is left for a person to check)
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE")
    )
    # e.g. "digest:T123:C456:2026-W48" — the same message can never be planned twice.
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    # A channel ID, or a user ID for a direct message from the app.
    channel_id: Mapped[str] = mapped_column(String(32))
    # Who the message is to (DMs) and whom it is about (a nudge's other person).
    recipient_id: Mapped[str | None] = mapped_column(String(32))
    about_user_id: Mapped[str | None] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Past this instant the message is no longer relevant (a Monday digest on Thursday).
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    slack_channel_id: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())

    __table_args__ = (
        CheckConstraint("kind IN ('digest', 'nudge', 'prompt', 'ask')", name="kind_known"),
        CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'uncertain', 'expired')",
            name="status_known",
        ),
        # The sender's query: what is pending and due, oldest first.
        Index("ix_outbox_status_due", "status", "due_at"),
        # Nudge rules look back at what a person was recently sent.
        Index(
            "ix_outbox_team_recipient_kind_created", "team_id", "recipient_id", "kind", "created_at"
        ),
    )


class WorkspacePace(Base):
    """Each workspace's sending pace, shared by every process that sends (bot.scheduler.pace).

    Instants are seconds since the epoch by the database's clock, which every host shares,
    where the hosts' own clocks may differ.
    """

    __tablename__ = "workspace_pace"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # The end of the last run of turns a sender reserved: the next run starts no earlier.
    turns_until: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    # Slack answered 429: nothing is sent to the workspace before this (its Retry-After).
    not_before: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
