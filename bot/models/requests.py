"""Asks and offers, and who answered them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
    func,
)
from sqlalchemy import text as sql  # `text` is a column's name here
from sqlalchemy.orm import Mapped, mapped_column

from bot.models._base import Base, BigIntPK, UTCDateTime

REQUEST_KINDS = ("ask", "offer")
REQUEST_STATUSES = ("open", "fulfilled", "withdrawn", "expired")
REQUEST_SIZES = ("small", "medium", "big")


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
    # The size said at the end of the text (bot.favours.parsing), the favour's at Done.
    size: Mapped[str] = mapped_column(String(8), default="small", server_default="small")
    channel_id: Mapped[str] = mapped_column(String(32))
    # Whether Slack said the channel was public when the request was posted; None when it did
    # not say (and for requests from before migration 0012), until bot.channels.kinds
    # asks again. Only a public channel's requests may be quoted elsewhere: the digest lists
    # them for its whole channel to read.
    in_public_channel: Mapped[bool | None] = mapped_column(Boolean)
    message_ts: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Its author is reminded once of the answers waiting (bot.asks.plan): due at `remind_at`
    # (a day after the first answer), done at `reminded_at`.
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who fulfilled an ask, or who took up an offer: the first of those credited (the
    # responses say who else, `FavorResponse.credited`).
    counterpart_id: Mapped[str | None] = mapped_column(String(32))
    credit_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("credits.id", ondelete="SET NULL"),
    )

    __table_args__ = (
        CheckConstraint("kind IN ('ask', 'offer')", name="kind_known"),
        CheckConstraint(
            "status IN ('open', 'fulfilled', 'withdrawn', 'expired')", name="status_known"
        ),
        CheckConstraint("size IN ('small', 'medium', 'big')", name="size_known"),
        Index("ix_favor_requests_team_author_status", "team_id", "author_id", "status"),
        Index("ix_favor_requests_team_status_created", "team_id", "status", "created_at"),
        # The open ones alone, for the tick's question: which workspace has a reminder or an
        # expiry due (bot.asks.plan.next_due), however many requests closed long ago.
        Index(
            "ix_favor_requests_open_due",
            "team_id",
            "created_at",
            "remind_at",
            postgresql_where=sql("status = 'open'"),
            sqlite_where=sql("status = 'open'"),
        ),
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
    # Picked by the author as one who helped (an ask) or who got it (an offer), and credited.
    credited: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
