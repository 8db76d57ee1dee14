"""Indexes for the sweep of what only guarded against Slack's retries

`processed_events` kept every Slack delivery for ever, and `reaction_marks` every removal
that arrived before its add, although Slack retries a delivery only within minutes. The tick
now deletes both once they are past any retry (bot.services.housekeeping): deliveries by
type and age, since the table also holds once-only actions that must stay, and removal
records by age, through a partial index, since they are few among the marks.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REMOVALS = sa.text("removed_ts IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_processed_events_received_at", table_name="processed_events")
    op.create_index(
        "ix_processed_events_type_received",
        "processed_events",
        ["event_type", "received_at"],
    )
    op.create_index(
        "ix_reaction_marks_removals",
        "reaction_marks",
        ["created_at"],
        postgresql_where=REMOVALS,
        sqlite_where=REMOVALS,
    )


def downgrade() -> None:
    op.drop_index("ix_reaction_marks_removals", table_name="reaction_marks")
    op.drop_index("ix_processed_events_type_received", table_name="processed_events")
    op.create_index("ix_processed_events_received_at", "processed_events", ["received_at"])
