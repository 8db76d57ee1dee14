"""Indexes for the sweep of what only guarded against Slack's retries

`processed_events` kept every Slack delivery for ever, and `reaction_marks` every removal
that arrived before its add, although Slack retries a delivery only within minutes. The tick
now deletes both once they are past any retry (bot.scheduler.housekeeping): deliveries by
type and age, since the table also holds once-only actions that must stay, and removal
records by age, through a partial index, since they are few among the marks. On PostgreSQL
the indexes are built CONCURRENTLY, so that reactions keep being recorded meanwhile.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REMOVALS = sa.text("removed_ts IS NOT NULL")


def upgrade() -> None:
    with _outside_a_transaction_on_postgresql():
        op.create_index(
            "ix_processed_events_type_received",
            "processed_events",
            ["event_type", "received_at"],
            postgresql_concurrently=True,
        )
        op.drop_index(
            "ix_processed_events_received_at",
            table_name="processed_events",
            postgresql_concurrently=True,
        )
        op.create_index(
            "ix_reaction_marks_removals",
            "reaction_marks",
            ["created_at"],
            postgresql_where=REMOVALS,
            sqlite_where=REMOVALS,
            postgresql_concurrently=True,
        )


def downgrade() -> None:
    with _outside_a_transaction_on_postgresql():
        op.drop_index(
            "ix_reaction_marks_removals",
            table_name="reaction_marks",
            postgresql_concurrently=True,
        )
        op.create_index(
            "ix_processed_events_received_at",
            "processed_events",
            ["received_at"],
            postgresql_concurrently=True,
        )
        op.drop_index(
            "ix_processed_events_type_received",
            table_name="processed_events",
            postgresql_concurrently=True,
        )


@contextmanager
def _outside_a_transaction_on_postgresql() -> Iterator[None]:
    # Both tables take a row per reaction, and an install that ran before the sweep has
    # millions: a plain CREATE INDEX would hold every reaction's write until it is built.
    # PostgreSQL builds CONCURRENTLY only outside a transaction; SQLite ignores the option.
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            yield
    else:
        yield
