"""Asks and offers know whether their channel is public

The weekly digest quoted every open ask in the workspace in its channel, those posted in
private channels too. `/favor ask` and `/favor offer` now ask Slack (conversations.info)
whether the channel they post in is public, and the digest lists only those. Requests from
before this revision have NULL, not known, and stay out of the digest; the Home, which lists
requests only in the member's own channels, is unchanged. A nullable column without a
default: on PostgreSQL no table rewrite, on SQLite a plain ALTER TABLE ... ADD COLUMN.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("favor_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("in_public_channel", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("favor_requests", schema=None) as batch_op:
        batch_op.drop_column("in_public_channel")
