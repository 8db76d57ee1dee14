"""Credits know whether their reason may be quoted in the digest

The weekly digest's highlights quoted the reason of any credit of the week: favours logged
privately, private thanks from the "Thank for this" modal and thanks given in private
channels included, in the digest channel. `credits.quotable` says whether the reason was
shown where the workspace may read it; the highlights quote only those. NULL for credits from
before this revision: they stay out of the highlights (which look at one week only). A
nullable column without a default: no table rewrite on PostgreSQL.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("credits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quotable", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credits", schema=None) as batch_op:
        batch_op.drop_column("quotable")
