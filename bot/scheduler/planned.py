"""Planning scheduled messages: each under a dedupe key, so that planning it again is harmless,
and each dropped once it is past its grace period. Sending them is bot.scheduler.outbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.db import insert_new
from bot.models import OutboxMessage, Workspace


@dataclass(frozen=True)
class Planned:
    """A message a planner wants sent; its dedupe key makes planning it again harmless."""

    dedupe_key: str
    kind: str
    channel_id: str
    payload: dict[str, Any]
    due_at: datetime
    expires_at: datetime
    recipient_id: str | None = None
    about_user_id: str | None = None


def plan(session: Session, team_id: str, messages: Sequence[Planned]) -> int:
    """Write planned messages that are not in the outbox yet; return how many were new."""
    rows = [
        {
            "team_id": team_id,
            "dedupe_key": message.dedupe_key,
            "kind": message.kind,
            "channel_id": message.channel_id,
            "recipient_id": message.recipient_id,
            "about_user_id": message.about_user_id,
            "payload": message.payload,
            "due_at": message.due_at,
            "expires_at": message.expires_at,
        }
        for message in messages
    ]
    return insert_new(session, OutboxMessage, rows, ["dedupe_key"])


def expire_overdue(session: Session, now: datetime) -> int:
    """Pending messages past their grace period are no longer worth sending."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.expires_at <= now)
        .values(status="expired", error="Not sent in time; it was no longer relevant.")
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def plan_again(session: Session, team_id: str) -> None:
    """Have the next tick plan the workspace's prompts and nudges, whatever their stored times
    say: someone turned them back on, and one still due now is sent now, not next week."""
    session.execute(
        update(Workspace)
        .where(Workspace.team_id == team_id)
        .values(next_prompt_at=None, next_nudge_at=None)
    )
