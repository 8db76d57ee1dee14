"""The ledger's tables. The schema itself changes only through Alembic (migrations/)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    false,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Named constraints, so that Alembic can drop and alter them by name on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CREDIT_KINDS = ("thanks", "favor", "reaction")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on both databases.

    PostgreSQL keeps the zone (timestamptz); SQLite has no such type and hands back naive
    values, so they are stored as UTC and read back with the UTC zone attached.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC timestamp column")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Workspace(Base):
    """A Slack workspace (team) and its settings."""

    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), default="", server_default="")
    digest_channel_id: Mapped[str | None] = mapped_column(String(32))
    digest_weekday: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    digest_hour: Mapped[int] = mapped_column(SmallInteger, default=9, server_default="9")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    quiet_mentions: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    credit_emoji: Mapped[list[str]] = mapped_column(
        JSON, default=lambda: ["pray", "raised_hands", "thankyou"]
    )
    pair_daily_cap: Mapped[int] = mapped_column(SmallInteger, default=5, server_default="5")
    half_life_days: Mapped[int] = mapped_column(SmallInteger, default=60, server_default="60")
    # "Who helped you this week?" — weekday (0 = Monday) and hour in each member's time zone.
    prompt_weekday: Mapped[int] = mapped_column(SmallInteger, default=4, server_default="4")
    prompt_hour: Mapped[int] = mapped_column(SmallInteger, default=15, server_default="15")
    # Nudge thresholds (DESIGN.md §2): imbalanced pair, ask too, give back.
    nudge_pair_min_weight: Mapped[int] = mapped_column(SmallInteger, default=3, server_default="3")
    nudge_ask_too_min_people: Mapped[int] = mapped_column(
        SmallInteger, default=4, server_default="4"
    )
    nudge_give_back_min_people: Mapped[int] = mapped_column(
        SmallInteger, default=4, server_default="4"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, server_default=func.now(), onupdate=func.now()
    )

    __table_args__ = (
        CheckConstraint("digest_weekday BETWEEN 0 AND 6", name="digest_weekday_range"),
        CheckConstraint("digest_hour BETWEEN 0 AND 23", name="digest_hour_range"),
        CheckConstraint("pair_daily_cap >= 1", name="pair_daily_cap_positive"),
        CheckConstraint("half_life_days >= 1", name="half_life_days_positive"),
        CheckConstraint("prompt_weekday BETWEEN 0 AND 6", name="prompt_weekday_range"),
        CheckConstraint("prompt_hour BETWEEN 0 AND 23", name="prompt_hour_range"),
    )


def member_label(display_name: str, real_name: str, name: str, user_id: str) -> str:
    """How a member is named in Goodwill's messages: as Slack shows them, best name first."""
    return display_name or real_name or name or user_id


class Member(Base):
    """Goodwill's cache of a workspace's Slack users, plus each person's own opt-outs."""

    __tablename__ = "members"

    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), default="", server_default="")
    real_name: Mapped[str] = mapped_column(String(255), default="", server_default="")
    display_name: Mapped[str] = mapped_column(String(255), default="", server_default="")
    tz: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    is_deactivated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    is_owner: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    nudges_opt_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    prompts_opt_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    digest_mentions_opt_out: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    reaction_confirmations_off: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())

    @property
    def label(self) -> str:
        return member_label(self.display_name, self.real_name, self.name, self.user_id)

    @property
    def can_receive_credit(self) -> bool:
        return not (self.is_bot or self.is_deactivated)


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
    # Makes every way of recording a credit idempotent: Slack retries and double clicks
    # arrive with the same key and are refused by the unique constraint.
    source_key: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

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

    # The sweep (bot.services.housekeeping) finds Slack's deliveries past retrying by type
    # and age; the other rows, once-only actions, stay.
    __table_args__ = (Index("ix_processed_events_type_received", "event_type", "received_at"),)


REQUEST_KINDS = ("ask", "offer")
REQUEST_STATUSES = ("open", "fulfilled", "withdrawn")


class FavorRequest(Base):
    """An ask ("I need …") or an offer ("I can give …") posted in a channel with a button."""

    __tablename__ = "favor_requests"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    # Goes into the message's button values before the row exists: the message is posted
    # first, and the row (with the message's ts) is written in one transaction afterwards.
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(8))
    author_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who fulfilled an ask, or who took up an offer.
    counterpart_id: Mapped[str | None] = mapped_column(String(32))
    credit_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("credits.id", ondelete="SET NULL"),
    )

    __table_args__ = (
        CheckConstraint("kind IN ('ask', 'offer')", name="kind_known"),
        CheckConstraint("status IN ('open', 'fulfilled', 'withdrawn')", name="status_known"),
        Index("ix_favor_requests_team_author_status", "team_id", "author_id", "status"),
        Index("ix_favor_requests_team_status_created", "team_id", "status", "created_at"),
    )


class FavorResponse(Base):
    """Someone answering an ask (I can help) or an offer (I'd like this); once per person."""

    __tablename__ = "favor_responses"

    request_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("favor_requests.id", ondelete="CASCADE"),
        primary_key=True,
    )
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    # The DM that told the request's author about this response, so it can be updated.
    dm_channel_id: Mapped[str | None] = mapped_column(String(32))
    dm_ts: Mapped[str | None] = mapped_column(String(32))


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


OUTBOX_KINDS = ("digest", "nudge", "prompt")
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
        CheckConstraint("kind IN ('digest', 'nudge', 'prompt')", name="kind_known"),
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
