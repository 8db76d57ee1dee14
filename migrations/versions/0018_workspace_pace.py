"""workspace_pace: each workspace's sending pace and Slack's Retry-After, shared by processes

Every process that sends reserves its runs of turns for a workspace here, so two processes
never double the workspace's pace, and a 429's Retry-After written here makes every process
wait it out.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workspace_pace",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("turns_until", sa.Float(), server_default="0", nullable=False),
        sa.Column("not_before", sa.Float(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_workspace_pace")),
    )


def downgrade() -> None:
    op.drop_table("workspace_pace")
