"""credit_room_today: the daily cap checked one giver at a time (PostgreSQL)

Two credits from the same person at the same moment each checked the day's count as their
own snapshot saw it, before the other committed: eight `/thanks` sent at once, where the day
allows five, recorded all eight. Every check that writes a credit now takes a
transaction-scoped advisory lock on the giver first (its key computed by the caller, see
bot.services.ledger.giver_lock_key), and reads the day after it.

A transaction of several statements reads after the lock in a statement of its own. The
one-statement paths (a plain `/thanks`, a first credit emoji) cannot: a statement's snapshot
is taken before anything in it runs. This function takes the lock and then reads, and
PL/pgSQL gives each query in a volatile function a snapshot of its own, taken after the lock
was granted. It answers whether `giver` may credit `helpers` once more today: fewer live
credits from `giver` to them, all together, than the workspace's cap, and none with the
reason key `wanted` (NULL: no reason). One query a helper, each an index-only probe of
`ix_credits_team_pair_created`, with the reason read from the few rows it finds.

SQLite runs one writer at a time (its transactions take the write lock up front): nothing
changes there.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CREATE = """
CREATE FUNCTION credit_room_today(
    lock_key bigint,
    team varchar,
    giver varchar,
    helpers varchar[],
    since timestamptz,
    wanted varchar
) RETURNS boolean
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    helper varchar;
    cap integer;
    given bigint := 0;
    earlier bigint;
    repeated boolean := false;
    same boolean;
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT pair_daily_cap INTO cap FROM workspaces WHERE team_id = team;
    FOREACH helper IN ARRAY helpers LOOP
        SELECT count(*), coalesce(bool_or(reason_key = wanted), false)
        INTO earlier, same
        FROM credits
        WHERE team_id = team
          AND helper_id = helper
          AND helped_id = giver
          AND created_at > since
          AND retracted_at IS NULL;
        given := given + earlier;
        repeated := repeated OR same;
    END LOOP;
    RETURN given < cap AND NOT repeated;
END
$$
"""

SIGNATURE = "credit_room_today(bigint, varchar, varchar, varchar[], timestamptz, varchar)"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(CREATE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION {SIGNATURE}")
