"""Helpers for the scheduler's tests: recording credits at chosen instants, reading the outbox."""

from __future__ import annotations

from datetime import datetime
from itertools import count

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.ledger.credits import NewCredit
from bot.models import OutboxMessage, Workspace
from tests.support import insert_credits

TEAM = "T0SANDBOX"
_keys = count(1)


def credit(
    sessions: sessionmaker[Session],
    helper: str,
    helped: str,
    at: datetime,
    reason: str | None = None,
    kind: str = "thanks",
    weight: int = 1,
) -> None:
    with sessions.begin() as session:
        insert_credits(
            session,
            TEAM,
            # Given where the workspace could read it, so that the digest may quote it.
            [
                NewCredit(
                    helper,
                    helped,
                    kind,
                    f"test:{next(_keys)}",
                    weight,
                    reason=reason,
                    quotable=True,
                )
            ],
            at,
        )


def configure(sessions: sessionmaker[Session], **settings: object) -> None:
    with sessions.begin() as session:
        workspace = session.get(Workspace, TEAM)
        assert workspace is not None
        for name, value in settings.items():
            setattr(workspace, name, value)


def outbox(sessions: sessionmaker[Session], kind: str | None = None) -> list[OutboxMessage]:
    with sessions() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind:
            query = query.where(OutboxMessage.kind == kind)
        return list(session.scalars(query))
