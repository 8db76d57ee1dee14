"""next_times: each workspace says when its digest, prompts and nudges are next due

A tick read every workspace every minute and ran every planner for each, whatever was due.
A tick now reads only the workspaces whose next time has come (bot/scheduler/tick.py), each
through its index. Existing workspaces get their times here, worked out as the tick would
from their settings at the time of the upgrade:

- the digest: this week's, if it is still within its grace (so that an upgrade during it
  loses nothing), or else the next one;
- prompts: at once, if the prompt hour is passing somewhere on Earth now, or else when it
  first comes anywhere next week (the tick then works out each zone's hour);
- nudges: within the next hour, each workspace at its own minute past the hour, so that the
  first ticks after an upgrade do not all plan every workspace at once.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

import zlib
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from alembic import op

import bot.models

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As the code was at this revision (bot.digest.plan, bot.prompts.plan): written out, so that
# this revision does the same whatever the code becomes.
DIGEST_GRACE = timedelta(hours=12)
PROMPT_GRACE = timedelta(hours=4)
EARLIEST_ZONE, EARTH_SPAN = "Etc/GMT-14", timedelta(hours=26)
COLUMNS = ("next_digest_at", "next_prompt_at", "next_nudge_at")

workspaces = sa.table(
    "workspaces",
    sa.column("team_id", sa.String),
    sa.column("timezone", sa.String),
    sa.column("digest_weekday", sa.SmallInteger),
    sa.column("digest_hour", sa.SmallInteger),
    sa.column("prompt_weekday", sa.SmallInteger),
    sa.column("prompt_hour", sa.SmallInteger),
    *(sa.column(name, bot.models.UTCDateTime(timezone=True)) for name in COLUMNS),
)


def upgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(
                sa.Column(name, bot.models.UTCDateTime(timezone=True), nullable=True)
            )
            batch_op.create_index(batch_op.f(f"ix_workspaces_{name}"), [name], unique=False)
    now = datetime.now(UTC)
    bind = op.get_bind()
    rows = [_times(row, now) for row in bind.execute(sa.select(workspaces)).mappings()]
    if rows:
        bind.execute(
            workspaces.update()
            .where(workspaces.c.team_id == sa.bindparam("team"))
            .values({name: sa.bindparam(name) for name in COLUMNS}),
            rows,
        )


def downgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.drop_index(batch_op.f(f"ix_workspaces_{name}"))
            batch_op.drop_column(name)


def _times(row: sa.RowMapping, now: datetime) -> dict[str, object]:
    digest = _latest(now, row["digest_weekday"], row["digest_hour"], row["timezone"])
    if now - digest > DIGEST_GRACE:
        digest = _after(digest, row["digest_hour"], row["timezone"])
    weekday, hour = row["prompt_weekday"], row["prompt_hour"]
    prompt = _latest(now, weekday, hour, EARLIEST_ZONE)
    prompt = (
        now if now < prompt + EARTH_SPAN + PROMPT_GRACE else _after(prompt, hour, EARLIEST_ZONE)
    )
    minute = zlib.crc32(row["team_id"].encode()) % 60
    nudge = now.replace(minute=minute, second=0, microsecond=0)
    if nudge <= now:
        nudge += timedelta(hours=1)
    return {
        "team": row["team_id"],
        "next_digest_at": digest,
        "next_prompt_at": prompt,
        "next_nudge_at": nudge,
    }


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _wall(day: date, hour: int, tz: str | None) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=_zone(tz)).astimezone(UTC)


def _latest(now: datetime, weekday: int, hour: int, tz: str | None) -> datetime:
    local = now.astimezone(_zone(tz))
    candidate = (local - timedelta(days=(local.weekday() - weekday) % 7)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    if candidate > local:
        candidate -= timedelta(days=7)
    return _wall(candidate.date(), hour, tz)


def _after(occurrence: datetime, hour: int, tz: str | None) -> datetime:
    return _wall(occurrence.astimezone(_zone(tz)).date() + timedelta(days=7), hour, tz)
