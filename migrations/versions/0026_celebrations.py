"""celebrations: the thanks messages the bot posts, kept to edit when a thanks is taken back

A /thanks is now celebrated with chat.postMessage after the command's answer, as the "Thank
for this" form and the weekly prompt's public thanks already were; each such message's
channel and ts are kept with what it showed (who was named, the groups and who was credited
through them), keyed by its credits' source_key without the helper. `/favor undo` edits the
message to name only those still credited (bot.favours.undo). It goes with the workspace.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models import UTCDateTime

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "celebrations",
        sa.Column("thanks_key", sa.String(length=255), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("thanker_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.Column("layout", sa.String(length=16), nullable=False),
        sa.Column("named", sa.JSON(), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column(
            "created_at", UTCDateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "layout IN ('thanks', 'prompt')", name=op.f("ck_celebrations_layout_known")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_celebrations_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("thanks_key", name=op.f("pk_celebrations")),
    )
    op.create_index("ix_celebrations_team_id_thanker", "celebrations", ["team_id", "thanker_id"])


def downgrade() -> None:
    op.drop_index("ix_celebrations_team_id_thanker", table_name="celebrations")
    op.drop_table("celebrations")
