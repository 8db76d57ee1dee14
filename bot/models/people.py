"""Workspaces and their members, as Slack last said."""

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
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, validates
from sqlalchemy.orm.attributes import flag_modified

from bot.models._base import Base, UTCDateTime


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
    # The largest Slack user group `/thanks @group` credits, member by member. The database's
    # default alone: rows written by earlier revisions' tests through this model leave it out.
    group_thanks_max: Mapped[int] = mapped_column(SmallInteger, server_default="25")
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
    # Asks and offers still open this many days after they were posted expire (bot.asks.plan).
    # The database's default only: rows written as older revisions knew them still insert.
    ask_expiry_days: Mapped[int] = mapped_column(SmallInteger, server_default="14")
    # The language an ask is matched in against what people offer, were thanked for and list
    # (bot.suggestions.search): a PostgreSQL text search configuration's name.
    search_language: Mapped[str] = mapped_column(String(32), server_default="english")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, server_default=func.now(), onupdate=func.now()
    )
    # When a tick next has something to do for the workspace (bot/scheduler/tick.py): it reads
    # only the workspaces whose time has come. None: as soon as possible (a new workspace, or
    # settings that changed), the tick then works out the next time.
    next_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_prompt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_nudge_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @validates("digest_channel_id", "digest_weekday", "digest_hour", "timezone")
    def _digest_moved(self, _key: str, value: object) -> object:
        self._plan_again("next_digest_at")
        return value

    @validates("prompt_weekday", "prompt_hour")
    def _prompts_moved(self, _key: str, value: object) -> object:
        self._plan_again("next_prompt_at")
        return value

    @validates(
        "half_life_days",
        "nudge_pair_min_weight",
        "nudge_ask_too_min_people",
        "nudge_give_back_min_people",
    )
    def _nudge_rules_changed(self, _key: str, value: object) -> object:
        self._plan_again("next_nudge_at")
        return value

    def _plan_again(self, column: str) -> None:
        setattr(self, column, None)
        # Written even when it was None already as read: a tick may have stored a time from
        # the old settings since.
        flag_modified(self, column)

    __table_args__ = (
        Index("ix_workspaces_next_digest_at", "next_digest_at"),
        Index("ix_workspaces_next_prompt_at", "next_prompt_at"),
        Index("ix_workspaces_next_nudge_at", "next_nudge_at"),
        CheckConstraint("digest_weekday BETWEEN 0 AND 6", name="digest_weekday_range"),
        CheckConstraint("digest_hour BETWEEN 0 AND 23", name="digest_hour_range"),
        CheckConstraint("pair_daily_cap >= 1", name="pair_daily_cap_positive"),
        CheckConstraint("half_life_days >= 1", name="half_life_days_positive"),
        CheckConstraint("group_thanks_max >= 1", name="group_thanks_max_positive"),
        CheckConstraint("prompt_weekday BETWEEN 0 AND 6", name="prompt_weekday_range"),
        CheckConstraint("prompt_hour BETWEEN 0 AND 23", name="prompt_hour_range"),
        CheckConstraint("ask_expiry_days >= 1", name="ask_expiry_days_positive"),
    )


# A member who asked to be forgotten is in the ledger under a pseudonym shaped like a user ID
# (bot.privacy.forgotten), which Slack would show raw: everywhere, they are named this instead.
PSEUDONYM_PREFIX = "UFORGOTTEN"
FORMER_MEMBER = "a former member"


def is_pseudonym(user_id: str) -> bool:
    return user_id.startswith(PSEUDONYM_PREFIX)


def member_label(display_name: str, real_name: str, name: str, user_id: str) -> str:
    """How a member is named in Goodwill's messages: as Slack shows them, best name first."""
    if is_pseudonym(user_id):
        return FORMER_MEMBER
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
    # "Suggest me as a helper" turned off: never among an ask's likely helpers.
    suggestions_opt_out: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())

    # `/favor bob …` suggests @bob: one probe by name, one by display name (bot.favours.names).
    __table_args__ = (
        Index("ix_members_team_name", "team_id", "name"),
        Index("ix_members_team_display_name", "team_id", "display_name"),
    )

    @property
    def label(self) -> str:
        return member_label(self.display_name, self.real_name, self.name, self.user_id)

    @property
    def can_receive_credit(self) -> bool:
        return not (self.is_bot or self.is_deactivated)


class MemberChannelList(Base):
    """The channels a member is in that the app may see, as Slack last listed them
    (users.conversations), for the asks and offers on their Home; kept up to date between
    readings by member_joined_channel and member_left_channel (bot.channels.member_channels).
    Shared by every process, so that a member removed from a private channel stops seeing
    its asks at once, whichever process heard of it."""

    __tablename__ = "member_channels"

    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # When Slack listed them; None once a channel was joined since, to be read again.
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the member last left a channel (member_left_channel): a reading begun before then
    # may still list it, and is not kept.
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When they last joined one: a reading begun before then may miss it, and is kept to be
    # read again.
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
