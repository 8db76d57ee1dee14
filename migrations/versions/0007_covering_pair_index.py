"""credits: the pair index covers what its probes check (PostgreSQL)

With the per-member indexes covering their reads (0006), PostgreSQL preferred them for the
digest's "have these two exchanged before?" probes too: an index-only scan of every earlier
credit the helper gave, filtered by whom they helped, four times slower than a probe of the
pair index, which needed the table for `retracted_at`. Carrying `retracted_at` (and the
weight, for the nudges' look at what came back) makes the pair index the one-row,
index-only probe again.

SQLite has no INCLUDE: nothing changes there. Rebuilding the index blocks writes to
`credits` while it runs.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_credits_team_pair_created"
KEYS = ["team_id", "helper_id", "helped_id", "created_at"]


def _rebuild(include: list[str]) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(NAME, table_name="credits")
    op.create_index(NAME, "credits", KEYS, unique=False, postgresql_include=include)


def upgrade() -> None:
    _rebuild(["weight", "retracted_at"])


def downgrade() -> None:
    _rebuild([])
