"""credit reason key

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import bot.models

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The fair-use rule compares reasons within one day: only the credits that can still meet a
# new one need their key. Two days leaves room for clocks and a slow upgrade.
BACKFILL_WINDOW = timedelta(days=2)


def _reason_key(reason: str) -> str | None:
    # Frozen here as bot.services.ledger.reason_key was when this revision was written: a
    # migration must do the same thing whatever the code becomes.
    words = " ".join(reason.casefold().split())
    if not words:
        return None
    return hashlib.blake2b(words.encode(), digest_size=16).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("credits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason_key", sa.String(length=32), nullable=True))
    credits = sa.table(
        "credits",
        sa.column("id", sa.BigInteger()),
        sa.column("reason", sa.Text()),
        sa.column("reason_key", sa.String()),
        sa.column("created_at", bot.models.UTCDateTime()),
    )
    conn = op.get_bind()
    since = datetime.now(UTC) - BACKFILL_WINDOW
    rows = conn.execute(
        sa.select(credits.c.id, credits.c.reason).where(
            credits.c.reason.is_not(None), credits.c.created_at > since
        )
    ).all()
    if rows:
        conn.execute(
            credits.update()
            .where(credits.c.id == sa.bindparam("credit_id"))
            .values(reason_key=sa.bindparam("key")),
            [{"credit_id": row.id, "key": _reason_key(row.reason)} for row in rows],
        )


def downgrade() -> None:
    with op.batch_alter_table("credits", schema=None) as batch_op:
        batch_op.drop_column("reason_key")
