"""every_helper_credited: asks keep their size, credit every helper, remind once, expire

An ask's or offer's size (small, medium, big: said at the end of its text) is kept on it, and
is the size its Done form starts from. Each answer says whether its person was credited when
the request closed: several may be. The author is reminded once of answers waiting
(`remind_at`, `reminded_at`), and a request still open after the workspace's
`ask_expiry_days` expires (a new status), each with a DM planned through the outbox (a new
kind, "ask").

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.models

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUSES = "status IN ('open', 'fulfilled', 'withdrawn', 'expired')"
_OLD_STATUSES = "status IN ('open', 'fulfilled', 'withdrawn')"
_KINDS = "kind IN ('digest', 'nudge', 'prompt', 'ask')"
_OLD_KINDS = "kind IN ('digest', 'nudge', 'prompt')"


def upgrade() -> None:
    with op.batch_alter_table("favor_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("size", sa.String(length=8), server_default="small", nullable=False)
        )
        batch_op.add_column(sa.Column("remind_at", bot.models.UTCDateTime(timezone=True)))
        batch_op.add_column(sa.Column("reminded_at", bot.models.UTCDateTime(timezone=True)))
        batch_op.drop_constraint(op.f("ck_favor_requests_status_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_favor_requests_status_known"), _STATUSES)
        batch_op.create_check_constraint(
            op.f("ck_favor_requests_size_known"), "size IN ('small', 'medium', 'big')"
        )
        batch_op.create_index(
            "ix_favor_requests_open_due",
            ["team_id", "created_at", "remind_at"],
            unique=False,
            postgresql_where=sa.text("status = 'open'"),
            sqlite_where=sa.text("status = 'open'"),
        )
    with op.batch_alter_table("favor_responses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("credited", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ask_expiry_days", sa.SmallInteger(), server_default="14", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_workspaces_ask_expiry_days_positive"), "ask_expiry_days >= 1"
        )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_kind_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_outbox_kind_known"), _KINDS)
    # Requests closed before now credited their one counterpart.
    responses = sa.table(
        "favor_responses",
        sa.column("request_id", sa.Integer()),
        sa.column("user_id", sa.String()),
        sa.column("credited", sa.Boolean()),
    )
    requests = sa.table(
        "favor_requests",
        sa.column("id", sa.Integer()),
        sa.column("status", sa.String()),
        sa.column("counterpart_id", sa.String()),
    )
    op.execute(
        responses.update()
        .where(
            sa.exists().where(
                requests.c.id == responses.c.request_id,
                requests.c.status == "fulfilled",
                requests.c.counterpart_id == responses.c.user_id,
            )
        )
        .values(credited=True)
    )


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE kind = 'ask'")
    # An expired request was closed without a favour, as a withdrawn one is.
    op.execute("UPDATE favor_requests SET status = 'withdrawn' WHERE status = 'expired'")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_kind_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_outbox_kind_known"), _OLD_KINDS)
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_workspaces_ask_expiry_days_positive"), type_="check")
        batch_op.drop_column("ask_expiry_days")
    with op.batch_alter_table("favor_responses", schema=None) as batch_op:
        batch_op.drop_column("credited")
    with op.batch_alter_table("favor_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_favor_requests_open_due")
        batch_op.drop_constraint(op.f("ck_favor_requests_size_known"), type_="check")
        batch_op.drop_constraint(op.f("ck_favor_requests_status_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_favor_requests_status_known"), _OLD_STATUSES)
        batch_op.drop_column("reminded_at")
        batch_op.drop_column("remind_at")
        batch_op.drop_column("size")
