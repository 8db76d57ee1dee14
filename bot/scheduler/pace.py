"""Each workspace's pace, shared by every process that sends, through the database.

Slack counts a workspace's calls wherever they come from. One process leads the scheduler
(bot.scheduler.lease), but a hand-over, or leadership ever split, could let two send to one
workspace at once, each at the full pace. So a sender *reserves* its turns here, a run of
about a second's worth at a time: a run starts where the last one, any process's, ended, and
no earlier than Slack allows. Two processes sending to one workspace take runs in turn, and
together keep to one pace. A 429's Retry-After is written here too, and every process waits
it out for that workspace.

Instants are seconds since the epoch by the database's clock, which every host shares where
their own clocks may differ; what a process gets back is a wait, in seconds from now.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from sqlalchemy import Float, Table, bindparam, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.functions import FunctionElement

from bot.db import insert_for
from bot.models import OutboxMessage, WorkspacePace

log = logging.getLogger(__name__)

_pace = cast(Table, WorkspacePace.__table__)
_outbox = cast(Table, OutboxMessage.__table__)


class epoch_now(FunctionElement[float]):
    """The database's clock, in seconds since the epoch (the transaction's start)."""

    type = Float()
    inherit_cache = True


@compiles(epoch_now, "postgresql")
def _epoch_now_postgresql(_element: Any, _compiler: Any, **_kw: Any) -> str:
    return "CAST(EXTRACT(EPOCH FROM now()) AS DOUBLE PRECISION)"


@compiles(epoch_now, "sqlite")
def _epoch_now_sqlite(_element: Any, _compiler: Any, **_kw: Any) -> str:
    # julianday('now') has millisecond precision, and is one value throughout a statement.
    return "((julianday('now') - 2440587.5) * 86400.0)"


class greatest(FunctionElement[float]):
    """The largest of its arguments: greatest() on PostgreSQL, the many-argument max() on
    SQLite."""

    type = Float()
    inherit_cache = True


@compiles(greatest, "postgresql")
def _greatest_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return f"greatest({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


# Seconds until Slack lets the outbox row's workspace be called again (0 if it does now): read
# with the start of each message, in the same round trip.
WAIT_FOR_SLACK = (
    select(greatest(_pace.c.not_before - epoch_now(), 0.0))
    .where(_pace.c.team_id == _outbox.c.team_id)
    .scalar_subquery()
    .label("slack_wait")
)


class SharedPace:
    """The workspaces' runs of turns and Slack's holds, in the `workspace_pace` table."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def reserve(self, team_id: str, seconds: float) -> float:
        """A run of `seconds` of turns in the workspace: the seconds until it starts."""
        with self.sessions.begin() as session:
            statement = _reserve(session)
            wait: float = session.execute(
                statement, {"team_id": team_id, "seconds": seconds}
            ).scalar_one()
        return max(0.0, wait)

    def hold_off(self, team_id: str, seconds: float) -> None:
        """Slack said to wait `seconds` before calling the workspace again: every process does."""
        with self.sessions.begin() as session:
            insert = insert_for(session.get_bind().dialect.name, _pace)
            session.execute(
                insert.values(
                    team_id=bindparam("team_id"),
                    turns_until=0.0,
                    not_before=epoch_now() + bindparam("seconds", type_=Float()),
                ).on_conflict_do_update(
                    index_elements=[_pace.c.team_id],
                    set_={"not_before": greatest(_pace.c.not_before, insert.excluded.not_before)},
                ),
                {"team_id": team_id, "seconds": seconds},
            )


def _reserve(session: Session) -> Any:
    insert = insert_for(session.get_bind().dialect.name, _pace)
    seconds = bindparam("seconds", type_=Float())
    return (
        insert.values(
            team_id=bindparam("team_id"), turns_until=epoch_now() + seconds, not_before=0.0
        )
        .on_conflict_do_update(
            index_elements=[_pace.c.team_id],
            set_={
                "turns_until": greatest(_pace.c.turns_until, _pace.c.not_before, epoch_now())
                + seconds
            },
        )
        # The new end, less the run's length: when the run starts, from now.
        .returning(_pace.c.turns_until - seconds - epoch_now())
    )
