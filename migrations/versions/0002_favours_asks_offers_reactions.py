"""favours asks offers reactions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.models

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reaction_marks",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=False),
        sa.Column("reactor_id", sa.String(length=32), nullable=False),
        sa.Column("emoji", sa.String(length=100), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column(
            "created_at",
            bot.models.UTCDateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_reaction_marks_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "team_id",
            "channel_id",
            "message_ts",
            "reactor_id",
            "emoji",
            name=op.f("pk_reaction_marks"),
        ),
    )
    op.create_table(
        "favor_requests",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("public_id", sa.String(length=36), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        sa.Column(
            "created_at",
            bot.models.UTCDateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("closed_at", bot.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("counterpart_id", sa.String(length=32), nullable=True),
        sa.Column("credit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.CheckConstraint("kind IN ('ask', 'offer')", name=op.f("ck_favor_requests_kind_known")),
        sa.CheckConstraint(
            "status IN ('open', 'fulfilled', 'withdrawn')",
            name=op.f("ck_favor_requests_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["credit_id"],
            ["credits.id"],
            name=op.f("fk_favor_requests_credit_id_credits"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_favor_requests_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_favor_requests")),
        sa.UniqueConstraint("public_id", name=op.f("uq_favor_requests_public_id")),
    )
    with op.batch_alter_table("favor_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_favor_requests_team_author_status", ["team_id", "author_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_favor_requests_team_status_created",
            ["team_id", "status", "created_at"],
            unique=False,
        )

    op.create_table(
        "favor_responses",
        sa.Column(
            "request_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column(
            "created_at",
            bot.models.UTCDateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("dm_channel_id", sa.String(length=32), nullable=True),
        sa.Column("dm_ts", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["favor_requests.id"],
            name=op.f("fk_favor_responses_request_id_favor_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", "user_id", name=op.f("pk_favor_responses")),
    )


def downgrade() -> None:
    op.drop_table("favor_responses")
    with op.batch_alter_table("favor_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_favor_requests_team_status_created")
        batch_op.drop_index("ix_favor_requests_team_author_status")

    op.drop_table("favor_requests")
    op.drop_table("reaction_marks")
