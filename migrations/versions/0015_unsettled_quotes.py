"""Credits whose channel Slack did not describe are asked about again

A `/thanks` given while Slack would not say whether its channel was public (a 429, Slack out
of reach) was recorded as not quotable, for good: the digest never quoted it, even from a
public channel. `credits.quotable` NULL now means exactly that, not known yet, and the
scheduler's job asks Slack again (bot.jobs.channel_kinds). Every NULL from before this
revision (credits from before 0013, favours logged privately, reactions) meant private, and
becomes false; new rows default to false. A partial index holds the few rows still NULL.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNSETTLED = sa.text("quotable IS NULL")


def upgrade() -> None:
    op.execute("UPDATE credits SET quotable = false WHERE quotable IS NULL")
    with op.batch_alter_table("credits", schema=None) as batch_op:
        batch_op.alter_column(
            "quotable",
            existing_type=sa.Boolean(),
            existing_nullable=True,
            server_default=sa.false(),
        )
        batch_op.create_index(
            "ix_credits_unsettled",
            ["team_id", "channel_id", "created_at"],
            unique=False,
            postgresql_where=UNSETTLED,
            sqlite_where=UNSETTLED,
        )


def downgrade() -> None:
    with op.batch_alter_table("credits", schema=None) as batch_op:
        batch_op.drop_index("ix_credits_unsettled")
        batch_op.alter_column(
            "quotable", existing_type=sa.Boolean(), existing_nullable=True, server_default=None
        )
    # Not known yet was not quotable before this revision either.
    op.execute("UPDATE credits SET quotable = false WHERE quotable IS NULL")
