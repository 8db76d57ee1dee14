"""Remembering which Events API deliveries were handled, inside the handling transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.db import insert_new
from bot.models import ProcessedEvent


def first_delivery(
    session: Session, team_id: str, event_id: str, event_type: str, now: datetime
) -> bool:
    """True the first time an event is seen; False for Slack's retries and duplicates.

    Called in the same transaction as the event's effects: if they fail and roll back, the
    event is not marked, and Slack's retry gets a second chance.
    """
    row = {"team_id": team_id, "event_id": event_id, "event_type": event_type, "received_at": now}
    return insert_new(session, ProcessedEvent, [row], ["team_id", "event_id"]) == 1


def forget_delivery(session: Session, team_id: str, event_id: str) -> None:
    """Unmark an event whose effect surely did not happen, so that it may be tried again."""
    session.execute(
        delete(ProcessedEvent).where(
            ProcessedEvent.team_id == team_id, ProcessedEvent.event_id == event_id
        )
    )
