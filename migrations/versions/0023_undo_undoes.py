"""undo_undoes: a /thanks keeps the response_url of the command that celebrated it

A /thanks is celebrated by the slash command's own in_channel answer, which has no ts the
bot could edit. Within the response_url's life (30 minutes, 5 uses), taking the thanks back
says so in the same channel through it (bot.favours.undo); `response_url` keeps it.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("credits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("response_url", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credits", schema=None) as batch_op:
        batch_op.drop_column("response_url")
