"""credits: the per-member indexes cover the balance and nudge reads (PostgreSQL)

A member's credits are spread over the whole table, one heap page per credit. With the
counterpart, the weight, the kind and `retracted_at` stored in the per-member indexes,
PostgreSQL answers `/favor balance`, App Home and the nudges' per-person reads from the
index alone (an index-only scan, once VACUUM has marked the pages all-visible). The keys
are unchanged, so every query that used these indexes still can.

SQLite has no INCLUDE: its indexes stay as they are, and this revision does nothing there.
Rebuilding an index blocks writes to `credits` while it runs.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = {
    "ix_credits_team_helper_created": ["team_id", "helper_id", "created_at"],
    "ix_credits_team_helped_created": ["team_id", "helped_id", "created_at"],
}
COVERED = {
    "ix_credits_team_helper_created": ["helped_id", "weight", "retracted_at"],
    "ix_credits_team_helped_created": ["helper_id", "weight", "kind", "retracted_at"],
}


def _rebuild(include: bool) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, columns in KEYS.items():
        op.drop_index(name, table_name="credits")
        op.create_index(
            name,
            "credits",
            columns,
            unique=False,
            postgresql_include=COVERED[name] if include else [],
        )


def upgrade() -> None:
    _rebuild(include=True)


def downgrade() -> None:
    _rebuild(include=False)
