"""initial ledger

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.models

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("digest_channel_id", sa.String(length=32), nullable=True),
        sa.Column("digest_weekday", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("digest_hour", sa.SmallInteger(), server_default="9", nullable=False),
        sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False),
        sa.Column("quiet_mentions", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("credit_emoji", sa.JSON(), nullable=False),
        sa.Column("pair_daily_cap", sa.SmallInteger(), server_default="5", nullable=False),
        sa.Column("half_life_days", sa.SmallInteger(), server_default="60", nullable=False),
        sa.Column(
            "created_at",
            bot.models.UTCDateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            bot.models.UTCDateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "digest_hour BETWEEN 0 AND 23", name=op.f("ck_workspaces_digest_hour_range")
        ),
        sa.CheckConstraint(
            "digest_weekday BETWEEN 0 AND 6", name=op.f("ck_workspaces_digest_weekday_range")
        ),
        sa.CheckConstraint(
            "half_life_days >= 1", name=op.f("ck_workspaces_half_life_days_positive")
        ),
        sa.CheckConstraint(
            "pair_daily_cap >= 1", name=op.f("ck_workspaces_pair_daily_cap_positive")
        ),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_workspaces")),
    )
    op.create_table(
        "credits",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("helper_id", sa.String(length=32), nullable=False),
        sa.Column("helped_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("weight", sa.SmallInteger(), server_default="1", nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("source_key", sa.String(length=255), nullable=False),
        sa.Column(
            "created_at",
            bot.models.UTCDateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("retracted_at", bot.models.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('thanks', 'favor', 'reaction')", name=op.f("ck_credits_kind_known")
        ),
        sa.CheckConstraint("helper_id <> helped_id", name=op.f("ck_credits_helper_is_not_helped")),
        sa.CheckConstraint("weight BETWEEN 1 AND 3", name=op.f("ck_credits_weight_range")),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_credits_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credits")),
        sa.UniqueConstraint("source_key", name=op.f("uq_credits_source_key")),
    )
    with op.batch_alter_table("credits", schema=None) as batch_op:
        batch_op.create_index("ix_credits_team_created", ["team_id", "created_at"], unique=False)
        batch_op.create_index(
            "ix_credits_team_helped_created", ["team_id", "helped_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_credits_team_helper_created", ["team_id", "helper_id", "created_at"], unique=False
        )

    op.create_table(
        "members",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("real_name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("display_name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("tz", sa.String(length=64), server_default="UTC", nullable=False),
        sa.Column("is_bot", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("is_deactivated", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("is_admin", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("is_owner", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("nudges_opt_out", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("prompts_opt_out", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "digest_mentions_opt_out", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.Column(
            "reaction_confirmations_off", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.Column(
            "synced_at",
            bot.models.UTCDateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_members_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_members")),
    )
    op.create_table(
        "processed_events",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column(
            "received_at",
            bot.models.UTCDateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_processed_events_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "event_id", name=op.f("pk_processed_events")),
    )
    with op.batch_alter_table("processed_events", schema=None) as batch_op:
        batch_op.create_index("ix_processed_events_received_at", ["received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("processed_events", schema=None) as batch_op:
        batch_op.drop_index("ix_processed_events_received_at")

    op.drop_table("processed_events")
    op.drop_table("members")
    with op.batch_alter_table("credits", schema=None) as batch_op:
        batch_op.drop_index("ix_credits_team_helper_created")
        batch_op.drop_index("ix_credits_team_helped_created")
        batch_op.drop_index("ix_credits_team_created")

    op.drop_table("credits")
    op.drop_table("workspaces")
