"""index credits by pair

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("credits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_credits_team_pair_created",
            ["team_id", "helper_id", "helped_id", "created_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("credits", schema=None) as batch_op:
        batch_op.drop_index("ix_credits_team_pair_created")
