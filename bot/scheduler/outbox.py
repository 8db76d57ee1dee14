"""The outbox: scheduled messages planned once (dedupe key) and sent once (hold, start, mark).

A tick plans rows; a sender *holds* a batch of due rows in one query (they stay `pending`,
with its name on them), then, one row at a time and just before the Web API call, *starts*
sending it: a short transaction that checks the row is still its own and still wanted, and
marks it `sending`. Starting commits before the call, so a second sender never takes the same
row, and a sender that dies mid-call leaves exactly that row in `sending`, which recovery
marks `uncertain` rather than risk posting it twice. The rows it merely held were never
started: after HOLD_LEASE any sender may take them, and nothing is lost.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from bot.models import Member, OutboxMessage
from bot.scheduler.pace import WAIT_FOR_SLACK

# A claimed row whose sender has not finished within this long is presumed dead.
SENDING_LEASE = timedelta(minutes=10)
# A held row not started within this long may be taken by another sender. A sender holds
# about a second's worth of messages, so only a dead one keeps rows this long.
HOLD_LEASE = timedelta(minutes=1)


@dataclass(frozen=True)
class Held:
    """A due message a sender holds: enough to choose when to send it, not what to send."""

    id: int
    channel_id: str
    due_at: datetime
    team_id: str = ""


@dataclass(frozen=True)
class Started:
    """A message marked `sending`, read as it stands when the Web API call is about to go."""

    id: int
    team_id: str
    channel_id: str
    payload: dict[str, Any]
    # Seconds Slack asked every process to wait before calling the workspace again.
    slack_wait: float = 0.0


# Core tables, not the ORM classes: the sender's statements skip the ORM's bookkeeping.
_outbox = cast(Table, OutboxMessage.__table__)
_members = cast(Table, Member.__table__)
_HELD_COLUMNS = (_outbox.c.id, _outbox.c.channel_id, _outbox.c.due_at, _outbox.c.team_id)


def hold(
    session: Session,
    now: datetime,
    worker_id: str,
    limit: int,
    busy_channels: Collection[str] = (),
) -> list[Held]:
    """Put the worker's name on up to `limit` due messages, oldest first, in one statement.

    Channels the caller must not post to yet are skipped, so their rows stay free for others.
    """
    due = (
        select(_outbox.c.id)
        .where(
            _outbox.c.status == "pending",
            _outbox.c.due_at <= now,
            _outbox.c.expires_at > now,
            or_(_outbox.c.claimed_by.is_(None), _outbox.c.claimed_at < now - HOLD_LEASE),
        )
        .order_by(_outbox.c.due_at, _outbox.c.id)
        .limit(limit)
    )
    if busy_channels:
        due = due.where(_outbox.c.channel_id.not_in(list(busy_channels)))
    if session.get_bind().dialect.name == "postgresql":
        # Two senders skip each other's rows instead of queueing behind them. (SQLite has one
        # writer at a time: BEGIN IMMEDIATE already keeps two senders apart.)
        due = due.with_for_update(skip_locked=True)
    rows = session.execute(
        update(_outbox)
        .where(_outbox.c.id.in_(due))
        .values(claimed_by=worker_id, claimed_at=now)
        .returning(*_HELD_COLUMNS)
    ).all()
    return sorted((Held(*row) for row in rows), key=lambda held: (held.due_at, held.id))


# The sender runs these once a message: built once, so only their parameters change.
_HELD_BY_ME = (
    _outbox.c.id == bindparam("message_id"),
    _outbox.c.status == "pending",
    _outbox.c.claimed_by == bindparam("worker_id"),
)
# The recipient's standing comes back with the start, in the same round trip; NULL when
# they are not a member (any more).
_RECIPIENT = tuple(
    select(column)
    .where(_members.c.team_id == _outbox.c.team_id, _members.c.user_id == _outbox.c.recipient_id)
    .scalar_subquery()
    .label(column.name)
    for column in (
        _members.c.is_deactivated,
        _members.c.is_bot,
        _members.c.nudges_opt_out,
        _members.c.prompts_opt_out,
    )
)
_START = (
    update(_outbox)
    .where(*_HELD_BY_ME, _outbox.c.expires_at > bindparam("now"))
    .values(status="sending", claimed_at=bindparam("now"), attempts=_outbox.c.attempts + 1)
    .returning(
        _outbox.c.team_id,
        _outbox.c.channel_id,
        _outbox.c.kind,
        _outbox.c.recipient_id,
        _outbox.c.payload,
        *_RECIPIENT,
        WAIT_FOR_SLACK,
    )
)
# Taken back in the transaction that started it: it never was `sending` for anyone else.
_UNSTART = (
    update(_outbox)
    .where(_outbox.c.id == bindparam("message_id"))
    .values(status="expired", error=bindparam("reason"), attempts=_outbox.c.attempts - 1)
)


def start_sending(session: Session, message: Held, now: datetime, worker_id: str) -> Started | None:
    """Mark a held message `sending`, or return None when it is not to be sent after all.

    It is not when another sender took it over, when it was cancelled or expired, or when
    its recipient opted out or left since it was planned (that one is expired here): turning
    nudges or prompts off takes effect at once, wherever it was turned off. What is sent is
    read here, not when the row was held, so a change made meanwhile (forget-me) is honoured.
    """
    row = session.execute(
        _START, {"message_id": message.id, "worker_id": worker_id, "now": now}
    ).one_or_none()
    if row is None:
        return None
    unwanted = _no_longer_wanted(row)
    if unwanted is not None:
        session.execute(_UNSTART, {"message_id": message.id, "reason": unwanted})
        return None
    return Started(message.id, row.team_id, row.channel_id, row.payload, row.slack_wait or 0.0)


def let_go(session: Session, message_ids: Collection[int], worker_id: str) -> None:
    """Rows a sender held but will not start go back to the others at once."""
    if message_ids:
        session.execute(
            update(_outbox)
            .where(
                _outbox.c.id.in_(list(message_ids)),
                _outbox.c.status == "pending",
                _outbox.c.claimed_by == worker_id,
            )
            .values(claimed_by=None, claimed_at=None)
        )


def free_held_by_others(session: Session, worker_id: str) -> int:
    """Rows other senders hold but have not started go to anyone at once: for a new leader,
    whose predecessor is gone. Never a second copy: a sender starts only rows still its own."""
    result = session.execute(
        update(_outbox)
        .where(
            _outbox.c.status == "pending",
            _outbox.c.claimed_by.is_not(None),
            _outbox.c.claimed_by != worker_id,
        )
        .values(claimed_by=None, claimed_at=None)
        .returning(_outbox.c.id)
    )
    return len(result.all())


def claim_next(
    session: Session, now: datetime, worker_id: str, busy_channels: Collection[str] = ()
) -> OutboxMessage | None:
    """Hold the oldest due message and start it at once: a sender of one message."""
    while held := hold(session, now, worker_id, 1, busy_channels):
        if start_sending(session, held[0], now, worker_id) is not None:
            return session.get(OutboxMessage, held[0].id, populate_existing=True)
    return None


def _no_longer_wanted(row: Row[Any]) -> str | None:
    """Why a nudge or prompt must not go to its recipient after all, if it must not."""
    if row.kind not in ("nudge", "prompt") or row.recipient_id is None:
        return None
    if row.is_deactivated is None or row.is_deactivated or row.is_bot:
        return "The person is no longer an active member."
    opted_out = row.nudges_opt_out if row.kind == "nudge" else row.prompts_opt_out
    if opted_out:
        return f"The person turned {row.kind}s off before it was sent."
    return None


def next_due(session: Session, after: datetime) -> datetime | None:
    """When the next pending message falls due, if any does before it expires."""
    due: datetime | None = session.scalar(
        select(func.min(OutboxMessage.due_at)).where(
            OutboxMessage.status == "pending", OutboxMessage.expires_at > after
        )
    )
    return due


_MARK_SENT = (
    update(_outbox)
    .where(_outbox.c.id == bindparam("message_id"))
    .values(
        status="sent",
        sent_at=bindparam("now"),
        slack_channel_id=bindparam("channel"),
        slack_ts=bindparam("ts"),
    )
)


def mark_sent(session: Session, message_id: int, now: datetime, channel_id: str, ts: str) -> None:
    # Once a message, like the start: built once.
    session.execute(
        _MARK_SENT, {"message_id": message_id, "now": now, "channel": channel_id, "ts": ts}
    )


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
    session.execute(update(_outbox).where(_outbox.c.id == message_id).values(**values))
