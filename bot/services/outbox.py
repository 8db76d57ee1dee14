"""The outbox: scheduled messages planned once (dedupe key) and sent once (claim, then mark).

A tick plans rows; a sender claims one due row at a time, sends it, and marks it. Claiming
commits before the Web API call, so a second sender never takes the same row, and a sender
that dies mid-call leaves exactly that one row in `sending`, which recovery marks
`uncertain` rather than risk posting it twice.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.db import insert_new
from bot.models import Member, OutboxMessage

# A claimed row whose sender has not finished within this long is presumed dead.
SENDING_LEASE = timedelta(minutes=10)


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


def claim_next(
    session: Session, now: datetime, worker_id: str, busy_channels: Collection[str] = ()
) -> OutboxMessage | None:
    """Take the oldest due message, skipping channels the caller must not post to yet.

    A nudge or prompt whose recipient opted out or left since it was planned is expired
    here instead: turning them off takes effect at once, wherever it was turned off.
    """
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == "pending",
            OutboxMessage.due_at <= now,
            OutboxMessage.expires_at > now,
        )
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(1)
    )
    if busy_channels:
        query = query.where(OutboxMessage.channel_id.not_in(list(busy_channels)))
    if session.get_bind().dialect.name == "postgresql":
        # Two senders skip each other's rows instead of queueing behind them.
        query = query.with_for_update(skip_locked=True)
    while (message := session.scalars(query).first()) is not None:
        unwanted = _no_longer_wanted(session, message)
        if unwanted is None:
            message.status = "sending"
            message.claimed_at = now
            message.claimed_by = worker_id
            message.attempts += 1
            return message
        message.status = "expired"
        message.error = unwanted
        session.flush()
    return None


def _no_longer_wanted(session: Session, message: OutboxMessage) -> str | None:
    if message.kind not in ("nudge", "prompt") or message.recipient_id is None:
        return None
    member = session.get(Member, (message.team_id, message.recipient_id))
    if member is None or member.is_deactivated or member.is_bot:
        return "The person is no longer an active member."
    opted_out = member.nudges_opt_out if message.kind == "nudge" else member.prompts_opt_out
    if opted_out:
        return f"The person turned {message.kind}s off before it was sent."
    return None


def next_due(session: Session, after: datetime) -> datetime | None:
    """When the next pending message falls due, if any does before it expires."""
    due: datetime | None = session.scalar(
        select(func.min(OutboxMessage.due_at)).where(
            OutboxMessage.status == "pending", OutboxMessage.expires_at > after
        )
    )
    return due


def mark_sent(session: Session, message_id: int, now: datetime, channel_id: str, ts: str) -> None:
    _set(session, message_id, status="sent", sent_at=now, slack_channel_id=channel_id, slack_ts=ts)


def mark_failed(session: Session, message_id: int, reason: str) -> None:
    _set(session, message_id, status="failed", error=reason)


def mark_uncertain(session: Session, message_id: int, reason: str) -> None:
    """Slack may or may not have the message: it is not sent again, and admins can see why."""
    _set(session, message_id, status="uncertain", error=reason)


def release(session: Session, message_id: int, retry_at: datetime, reason: str) -> None:
    """Slack did not take the message (rate limited, unreachable): try again later."""
    _set(
        session,
        message_id,
        status="pending",
        due_at=retry_at,
        claimed_at=None,
        claimed_by=None,
        error=reason,
    )


def recover_abandoned(session: Session, now: datetime) -> list[OutboxMessage]:
    """Rows a dead sender left in `sending` become `uncertain`, never sent again."""
    abandoned = list(
        session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.status == "sending",
                OutboxMessage.claimed_at < now - SENDING_LEASE,
            )
        )
    )
    for message in abandoned:
        message.status = "uncertain"
        message.error = (
            f"The sender ({message.claimed_by}) stopped while sending this; it may or may not "
            "have reached Slack, so it was not sent again."
        )
    return abandoned


def _set(session: Session, message_id: int, **values: Any) -> None:
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values))
