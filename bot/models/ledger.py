"""The ledger: credits, the events already counted, the reactions that count."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.models._base import Base, BigIntPK, UTCDateTime

CREDIT_KINDS = ("thanks", "favor", "reaction")


class Credit(Base):
    """One help edge, helper -> helped. Append-only: undo sets `retracted_at`."""

    __tablename__ = "credits"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE")
    )
    helper_id: Mapped[str] = mapped_column(String(32))
    helped_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    weight: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")
    reason: Mapped[str | None] = mapped_column(Text)
    # The reason as the fair-use rule compares it (a digest of its case-folded words), so
    # that the database can tell "the same reason today" without the words themselves.
    reason_key: Mapped[str | None] = mapped_column(String(32))
    values: Mapped[list[str]] = mapped_column(JSON, default=list)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    # Whether the reason was shown where the whole workspace may read it (a /thanks in a public
    # channel, a weekly-prompt thanks celebrated in the digest channel, a fulfilled ask from
    # a public channel, a favour shared there with Thank publicly), so that the digest may
    # quote it. False: it stays private (a favour logged privately, a private thanks,
    # anything in a private channel, a reaction). None: shown in a channel Slack would not
    # describe just then; bot.channels.kinds asks again, and until it knows, it is not
    # quoted. (A None older than a month before migration 0015 meant private, as False.)
    quotable: Mapped[bool | None] = mapped_column(Boolean, default=False, server_default=false())
    # Makes every way of recording a credit idempotent: Slack retries and double clicks
    # arrive with the same key and are refused by the unique constraint.
    source_key: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The response_url of the /thanks that celebrated this credit in its channel: taking the
    # credit back says so there through it, while Slack keeps it alive (bot.favours.undo).
    response_url: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("helper_id <> helped_id", name="helper_is_not_helped"),
        CheckConstraint("weight BETWEEN 1 AND 3", name="weight_range"),
        CheckConstraint("kind IN ('thanks', 'favor', 'reaction')", name="kind_known"),
        # Balances and histories read one member's edges in time order, per direction;
        # the digest reads a workspace's week. A member's credits lie all over the table, so
        # on PostgreSQL these two also carry what balances and nudges read (migration 0006):
        # they answer from the index alone. SQLite has no INCLUDE and ignores it.
        Index(
            "ix_credits_team_helper_created",
            "team_id",
            "helper_id",
            "created_at",
            postgresql_include=["helped_id", "weight", "retracted_at"],
        ),
        Index(
            "ix_credits_team_helped_created",
            "team_id",
            "helped_id",
            "created_at",
            postgresql_include=["helper_id", "weight", "kind", "retracted_at"],
        ),
        Index("ix_credits_team_created", "team_id", "created_at"),
        # "Have these two exchanged before?" (the digest's new connections, the nudges' pairs):
        # one index-only probe on PostgreSQL (migration 0007).
        Index(
            "ix_credits_team_pair_created",
            "team_id",
            "helper_id",
            "helped_id",
            "created_at",
            postgresql_include=["weight", "retracted_at"],
        ),
        # The credits whose channel Slack has not described yet, by date, for the job that
        # asks (and the NULLs from before migration 0015, which it never reaches).
        Index(
            "ix_credits_unsettled",
            "created_at",
            postgresql_where=text("quotable IS NULL"),
            sqlite_where=text("quotable IS NULL"),
        ),
    )


class ProcessedEvent(Base):
    """Events API deliveries already handled, so that Slack's retries do nothing twice."""

    __tablename__ = "processed_events"

    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True
    )
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())

    # The sweep (bot.scheduler.housekeeping) finds Slack's deliveries past retrying by type
    # and age; the other rows, once-only actions, stay.
    __table_args__ = (Index("ix_processed_events_type_received", "event_type", "received_at"),)


class ReactionMark(Base):
    """A credit emoji someone put on a message; the credit lasts while one of theirs remains.

    A row with `removed_ts` is no emoji but the record of a removal that arrived before its
    add (Slack retries a failed delivery later, so an add can come after its own removal):
    an add older than it changes nothing.
    """

    __tablename__ = "reaction_marks"

    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    message_ts: Mapped[str] = mapped_column(String(32), primary_key=True)
    reactor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    emoji: Mapped[str] = mapped_column(String(100), primary_key=True)
    author_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    # The removal's `event_ts`, as Slack sent it, when the removal came first.
    removed_ts: Mapped[str | None] = mapped_column(String(32))

    # Removal records are few among the marks: the sweep finds the old ones without a scan.
    __table_args__ = (
        Index(
            "ix_reaction_marks_removals",
            "created_at",
            postgresql_where=text("removed_ts IS NOT NULL"),
            sqlite_where=text("removed_ts IS NOT NULL"),
        ),
    )
