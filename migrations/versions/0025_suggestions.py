"""suggestions: likely helpers for an ask, from offers, public thanks and listed skills

Members list skills; an ask's author gets up to three likely helpers (kept once per ask) and
may let them know with a private note (at most two a week per person). Matching is the
database's own full-text search: on PostgreSQL, GIN expression indexes over `to_tsvector` of
open offers, quotable credit reasons and skills; on SQLite, FTS5 tables over the same text
(porter stemming), kept in step by triggers. A workspace's language and a member's
"suggest me as a helper" setting come with them.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (FTS5 table, source table, text column): SQLite's external-content indexes.
_SQLITE_SEARCH = (
    ("credits_search", "credits", "reason"),
    ("favor_requests_search", "favor_requests", "text"),
    ("member_skills_search", "member_skills", "skills"),
)


def upgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_language", sa.String(32), server_default="english", nullable=False)
        )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "suggestions_opt_out", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    op.create_table(
        "member_skills",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("skills", sa.Text(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_member_skills_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_member_skills")),
    )
    request_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "ask_suggestions",
        sa.Column("request_id", request_id, nullable=False),
        sa.Column("people", sa.JSON(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["favor_requests.id"],
            name=op.f("fk_ask_suggestions_request_id_favor_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_ask_suggestions")),
    )
    op.create_table(
        "suggestion_notes",
        sa.Column("request_id", request_id, nullable=False),
        sa.Column("helper_id", sa.String(32), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["favor_requests.id"],
            name=op.f("fk_suggestion_notes_request_id_favor_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_suggestion_notes_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", "helper_id", name=op.f("pk_suggestion_notes")),
    )
    op.create_index(
        "ix_suggestion_notes_team_helper_created",
        "suggestion_notes",
        ["team_id", "helper_id", "created_at"],
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_search_up()
    else:
        _sqlite_search_up()


def _postgresql_search_up() -> None:
    # Expression indexes in the default language ('english'): a workspace in another language
    # is still matched, in its own configuration, by reading its rows without them.
    op.execute(
        "CREATE INDEX ix_credits_reason_search ON credits "
        "USING gin (to_tsvector('english', coalesce(reason, ''))) "
        "WHERE quotable IS TRUE AND retracted_at IS NULL"
    )
    op.execute(
        "CREATE INDEX ix_favor_requests_offer_search ON favor_requests "
        "USING gin (to_tsvector('english', text)) "
        "WHERE kind = 'offer' AND status = 'open'"
    )
    op.execute(
        "CREATE INDEX ix_member_skills_search ON member_skills "
        "USING gin (to_tsvector('english', skills))"
    )


def _sqlite_search_up() -> None:
    for search, source, column in _SQLITE_SEARCH:
        op.execute(
            f"CREATE VIRTUAL TABLE {search} USING fts5({column}, content='{source}', "
            "content_rowid='rowid', tokenize='porter unicode61')"
        )
        op.execute(f"INSERT INTO {search}({search}) VALUES ('rebuild')")
        op.execute(
            f"CREATE TRIGGER {search}_ai AFTER INSERT ON {source} BEGIN "
            f"INSERT INTO {search}(rowid, {column}) VALUES (new.rowid, new.{column}); END"
        )
        op.execute(
            f"CREATE TRIGGER {search}_ad AFTER DELETE ON {source} BEGIN "
            f"INSERT INTO {search}({search}, rowid, {column}) "
            f"VALUES ('delete', old.rowid, old.{column}); END"
        )
        op.execute(
            f"CREATE TRIGGER {search}_au AFTER UPDATE OF {column} ON {source} BEGIN "
            f"INSERT INTO {search}({search}, rowid, {column}) "
            f"VALUES ('delete', old.rowid, old.{column}); "
            f"INSERT INTO {search}(rowid, {column}) VALUES (new.rowid, new.{column}); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for index in (
            "ix_credits_reason_search",
            "ix_favor_requests_offer_search",
            "ix_member_skills_search",
        ):
            op.execute(f"DROP INDEX {index}")
    else:
        for search, _source, _column in _SQLITE_SEARCH:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER {search}_{suffix}")
            op.execute(f"DROP TABLE {search}")
    op.drop_index("ix_suggestion_notes_team_helper_created", table_name="suggestion_notes")
    op.drop_table("suggestion_notes")
    op.drop_table("ask_suggestions")
    op.drop_table("member_skills")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("suggestions_opt_out")
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_column("search_language")
