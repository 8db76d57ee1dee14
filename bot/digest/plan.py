"""Planning the weekly digest: when it is due, and its message, rendered as it is planned.

The sender posts the payload planned here; a change in who may be named builds the pending
ones again (`redo_pending_digests`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.digest.blocks import digest_message
from bot.digest.week import weekly_digest
from bot.models import OutboxMessage, Workspace
from bot.scheduler.calendar import iso_week, latest_weekly, next_weekly
from bot.scheduler.planned import Planned

# A digest missed by downtime is still posted this long after its hour.
DIGEST_GRACE = timedelta(hours=12)


def digest_key(workspace: Workspace, occurrence: datetime) -> str:
    week = iso_week(occurrence, workspace.timezone)
    return f"digest:{workspace.team_id}:{workspace.digest_channel_id}:{week}"


def plan_digest(session: Session, workspace: Workspace, now: datetime) -> list[Planned]:
    """This week's digest, once it is due and while it is still timely."""
    if not workspace.digest_channel_id:
        return []
    occurrence = latest_weekly(
        now, workspace.digest_weekday, workspace.digest_hour, workspace.timezone
    )
    if now - occurrence > DIGEST_GRACE:
        return []
    key = digest_key(workspace, occurrence)
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)):
        return []  # planned already: do not recompute it every minute of the grace period
    return [
        Planned(
            dedupe_key=key,
            kind="digest",
            channel_id=workspace.digest_channel_id,
            payload=_digest_payload(session, workspace, occurrence),
            due_at=occurrence,
            expires_at=occurrence + DIGEST_GRACE,
        )
    ]


def next_digest_at(workspace: Workspace, now: datetime) -> datetime:
    """When the next digest is due, after planning at `now`: the workspace's next weekday and
    hour. A tick that comes later (downtime) still plans it, within `DIGEST_GRACE`."""
    return next_weekly(now, workspace.digest_weekday, workspace.digest_hour, workspace.timezone)


def redo_pending_digests(session: Session, workspace: Workspace) -> int:
    """Build again the workspace's digests that are planned and not yet being sent.

    For a change in who may be named (someone turned digest mentions off or on): the sender
    reads a message's payload when it starts it, so the change reaches the channel at once.
    Returns how many were built again.
    """
    pending = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.team_id == workspace.team_id,
            OutboxMessage.kind == "digest",
            OutboxMessage.status == "pending",
        )
    ).all()
    for message in pending:
        message.payload = _digest_payload(session, workspace, message.due_at)
    return len(pending)


def _digest_payload(session: Session, workspace: Workspace, occurrence: datetime) -> dict[str, Any]:
    data = weekly_digest(session, workspace, occurrence)
    payload = digest_message(data, quiet=workspace.quiet_mentions)
    payload["meta"] = {"highlighted": sorted({h.helper_id for h in data.highlights})}
    return payload
