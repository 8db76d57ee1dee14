"""channel_archival: channels archived or deleted leave the digest's open asks

The digest listed every open ask from a public channel, those in channels archived (or
deleted) since, whose buttons no longer answer. The channel_archive, group_archive,
channel_unarchive, group_unarchive, channel_deleted and group_deleted events now record a
channel's state here, with the event's time, so that an event delivered late changes
nothing.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.models

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_archival",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("changed_at", bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_channel_archival_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "channel_id", name=op.f("pk_channel_archival")),
    )


def downgrade() -> None:
    op.drop_table("channel_archival")
