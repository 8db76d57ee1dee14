"""members_by_name: a member found by the name people type

`/favor bob covered my shift` answers "did you mean @bob?": a plain word is looked up as a
member's Slack name or display name, in the workspace, by an index rather than a scan of
every member.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_members_team_name", "members", ["team_id", "name"])
    op.create_index("ix_members_team_display_name", "members", ["team_id", "display_name"])


def downgrade() -> None:
    op.drop_index("ix_members_team_display_name", table_name="members")
    op.drop_index("ix_members_team_name", table_name="members")
