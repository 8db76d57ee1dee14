"""group_thanks_max: the largest Slack user group `/thanks @group` credits

Each workspace sets how many members a user group thanked at once may have (25 unless an
admin changes it in the settings form); a larger group is refused with a message that says so.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("group_thanks_max", sa.SmallInteger(), server_default="25", nullable=False)
        )
        batch_op.create_check_constraint("group_thanks_max_positive", "group_thanks_max >= 1")


def downgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_constraint("group_thanks_max_positive", type_="check")
        batch_op.drop_column("group_thanks_max")
