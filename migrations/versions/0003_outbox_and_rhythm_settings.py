"""outbox and rhythm settings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.models

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("dedupe_key", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("recipient_id", sa.String(length=32), nullable=True),
        sa.Column("about_user_id", sa.String(length=32), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("due_at", bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("claimed_at", bot.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("sent_at", bot.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("slack_ts", sa.String(length=32), nullable=True),
        sa.Column("slack_channel_id", sa.String(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            bot.models.UTCDateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('digest', 'nudge', 'prompt')", name=op.f("ck_outbox_kind_known")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'uncertain', 'expired')",
            name=op.f("ck_outbox_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_outbox_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_dedupe_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_status_due", ["status", "due_at"], unique=False)
        batch_op.create_index(
            "ix_outbox_team_recipient_kind_created",
            ["team_id", "recipient_id", "kind", "created_at"],
            unique=False,
        )

    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("prompt_weekday", sa.SmallInteger(), server_default="4", nullable=False)
        )
        batch_op.add_column(
            sa.Column("prompt_hour", sa.SmallInteger(), server_default="15", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "nudge_pair_min_weight", sa.SmallInteger(), server_default="3", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "nudge_ask_too_min_people", sa.SmallInteger(), server_default="4", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "nudge_give_back_min_people", sa.SmallInteger(), server_default="4", nullable=False
            )
        )
        batch_op.create_check_constraint("prompt_weekday_range", "prompt_weekday BETWEEN 0 AND 6")
        batch_op.create_check_constraint("prompt_hour_range", "prompt_hour BETWEEN 0 AND 23")


def downgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_constraint("prompt_hour_range", type_="check")
        batch_op.drop_constraint("prompt_weekday_range", type_="check")
        batch_op.drop_column("nudge_give_back_min_people")
        batch_op.drop_column("nudge_ask_too_min_people")
        batch_op.drop_column("nudge_pair_min_weight")
        batch_op.drop_column("prompt_hour")
        batch_op.drop_column("prompt_weekday")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_team_recipient_kind_created")
        batch_op.drop_index("ix_outbox_status_due")

    op.drop_table("outbox")
