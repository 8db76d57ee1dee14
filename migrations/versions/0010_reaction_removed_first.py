"""reaction_marks.removed_ts: a removal that arrived before its add

Slack retries a delivery that failed, minutes later: a credit emoji's removal can arrive
before its add, and the late add credited a message that no longer had the emoji. The
removal now leaves a row with its `event_ts` where the mark would be, and an older add
changes nothing. Existing rows are marks: the column is NULL for them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reaction_marks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_ts", sa.String(length=32), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM reaction_marks WHERE removed_ts IS NOT NULL")
    with op.batch_alter_table("reaction_marks", schema=None) as batch_op:
        batch_op.drop_column("removed_ts")
