"""Likely helpers for an ask: the skills people list, the suggestions an asker got, and the
private notes that let a suggested person know (bot.suggestions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from bot.models._base import Base, UTCDateTime

# The full-text pieces each database keeps beside these tables (migration 0025): PostgreSQL's
# GIN expression indexes, SQLite's FTS5 tables and the triggers that keep them in step. The
# models do not declare them (neither dialect could create the other's), so the comparison of
# models and migrations leaves them out by these names.
FULL_TEXT_INDEXES = (
    "ix_credits_reason_search",
    "ix_favor_requests_offer_search",
    "ix_member_skills_search",
)
FULL_TEXT_TABLES = ("credits_search", "favor_requests_search", "member_skills_search")


class MemberSkills(Base):
    """The skills someone chose to list (`/favor skills terraform, SQL reviews`), as typed."""

    __tablename__ = "member_skills"

    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    skills: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())


class AskSuggestions(Base):
    """The people suggested to an ask's author, once per ask: the key that keeps a replayed
    or retried suggestion from being sent twice, and what the author's button may act on."""

    __tablename__ = "ask_suggestions"

    request_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("favor_requests.id", ondelete="CASCADE"),
        primary_key=True,
    )
    # [{"user_id": …, "why": …}], best first.
    people: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())


class SuggestionNote(Base):
    """A private note that told a suggested person about an ask: once per ask and person, and
    counted for the weekly limit on the notes a person gets."""

    __tablename__ = "suggestion_notes"

    request_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("favor_requests.id", ondelete="CASCADE"),
        primary_key=True,
    )
    helper_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())

    __table_args__ = (
        Index("ix_suggestion_notes_team_helper_created", "team_id", "helper_id", "created_at"),
    )
