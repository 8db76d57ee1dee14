"""busy_spells and private_notes: capacity and private notes (issue 22)

A member at capacity has a row saying until when, and whom they named to ask instead; a
member's private notes about colleagues are theirs alone. Both go with the workspace.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models import UTCDateTime

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "busy_spells",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("until", UTCDateTime(timezone=True), nullable=False),
        sa.Column("instead_id", sa.String(length=32), nullable=True),
        sa.Column(
            "set_at", UTCDateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_busy_spells_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_busy_spells")),
    )
    op.create_table(
        "private_notes",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("writer_id", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.String(length=280), nullable=False),
        sa.Column(
            "updated_at",
            UTCDateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_private_notes_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "team_id", "writer_id", "subject_id", name=op.f("pk_private_notes")
        ),
    )
    op.create_index("ix_private_notes_team_id_subject", "private_notes", ["team_id", "subject_id"])


def downgrade() -> None:
    op.drop_index("ix_private_notes_team_id_subject", table_name="private_notes")
    op.drop_table("private_notes")
    op.drop_table("busy_spells")
