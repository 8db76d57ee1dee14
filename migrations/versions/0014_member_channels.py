"""member_channels: each member's channels, shared by every process

The asks and offers on a member's Home come from the channels they are in
(users.conversations). Each process remembered those for five minutes on its own, so a member
removed from a private channel could go on seeing its asks for that long, and every process
(each gunicorn worker) read every member's channels from Slack again. The list now lives in
the database, read from Slack at most every five minutes by whichever process shows the
Home, and changed at once by the member_left_channel and member_joined_channel events.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.models

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member_channels",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("channel_ids", sa.JSON(), nullable=False),
        sa.Column("read_at", bot.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("left_at", bot.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("joined_at", bot.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_member_channels_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_member_channels")),
    )


def downgrade() -> None:
    op.drop_table("member_channels")
