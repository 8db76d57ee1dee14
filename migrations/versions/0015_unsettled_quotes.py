"""Credits whose channel Slack did not describe are asked about again

A `/thanks` given while Slack would not say whether its channel was public (a 429, Slack out
of reach) was recorded as not quotable, for good: the digest never quoted it, even from a
public channel. `credits.quotable` NULL now means exactly that, not known yet, and the
scheduler's job asks Slack again about such credits of the last week and a half
(bot.channels.kinds). A NULL from before this revision (a favour logged privately, a
reaction, a credit from before 0013) meant private: those of the last 30 days become false,
so that the job never takes them for unknown; older ones are out of its reach and are left
as they are, which keeps this revision quick on a large ledger: on PostgreSQL, with a million
NULLs spread over a year, 3.0 s, against 30-36 s to rewrite them all. New rows default to
false. A partial index finds the rows still NULL by date.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import bot.models

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNSETTLED = sa.text("quotable IS NULL")

# The job looks back a week and a half (bot.channels.kinds.QUOTES_LOOK_BACK); every
# earlier NULL it could meet must say private. A month leaves room for clocks, a slow upgrade
# and a longer look-back.
PRIVATE_BEFORE_WINDOW = timedelta(days=30)


def upgrade() -> None:
    credits = sa.table(
        "credits",
        sa.column("quotable", sa.Boolean()),
        sa.column("created_at", bot.models.UTCDateTime()),
    )
    since = datetime.now(UTC) - PRIVATE_BEFORE_WINDOW
    op.get_bind().execute(
        credits.update()
        .where(credits.c.quotable.is_(None), credits.c.created_at >= since)
        .values(quotable=False)
    )
    with op.batch_alter_table("credits", schema=None) as batch_op:
        batch_op.alter_column(
            "quotable",
            existing_type=sa.Boolean(),
            existing_nullable=True,
            server_default=sa.false(),
        )
        batch_op.create_index(
            "ix_credits_unsettled",
            ["created_at"],
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
    # Not known yet was not quotable before this revision either: NULL stays as it is.
