"""The sweep: rows that only guarded against retries, or against sending twice, deleted once
nothing can need them.

Slack retries an Events API delivery it got no answer for three times, within minutes (at
once, after a minute, after five). `processed_events` remembers every delivery so that those
retries change nothing, and `reaction_marks` every removal that overtook its add; a day
after, nothing can meet them any more, yet they were kept for ever, one row per reaction.
The same table also holds once-only actions (a favour's public shout-out, a nudge's offer),
which must stay: only Slack's own event types are swept.

The outbox keeps every scheduled message, with its blocks, after it was sent: a digest a week,
a prompt a week for every member. What reads them back looks four weeks behind at most (a
nudge's rules, the digest's rotation of highlights), an admin's Home shows two weeks of
failures, and a nudge's buttons answer that it is gone once its row is. Finished messages go
after OUTBOX_KEPT; pending and sending ones are never swept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, tuple_
from sqlalchemy.orm import Session

from bot.models import OUTBOX_STATUSES, OutboxMessage, ProcessedEvent, ReactionMark
from bot.reactions.credit import REMOVALS_KEPT
from bot.slack.ids import BOT_EVENTS

DELIVERIES_KEPT = timedelta(days=1)
OUTBOX_KEPT = timedelta(days=90)
FINISHED = tuple(status for status in OUTBOX_STATUSES if status not in ("pending", "sending"))

# A tick deletes at most this many deliveries, and as many messages, so that a backlog (an
# install that ran before the sweep existed) is worked off in short transactions, a minute
# apart.
SWEPT_AT_ONCE = 5_000


@dataclass(frozen=True)
class Swept:
    deliveries: int = 0
    removals: int = 0
    messages: int = 0

    @property
    def rows(self) -> int:
        return self.deliveries + self.removals + self.messages


def sweep(session: Session, now: datetime, at_once: int = SWEPT_AT_ONCE) -> Swept:
    """Delete deliveries and removal records past any retry, and old finished messages."""
    events = ProcessedEvent.__table__.c
    oldest = (
        select(events.team_id, events.event_id)
        .where(
            events.event_type.in_(sorted(BOT_EVENTS)),
            events.received_at < now - DELIVERIES_KEPT,
        )
        .limit(at_once)
    )
    deliveries = _deleted(
        session, delete(ProcessedEvent).where(tuple_(events.team_id, events.event_id).in_(oldest))
    )
    removals = _deleted(
        session,
        delete(ReactionMark).where(
            ReactionMark.removed_ts.is_not(None),
            ReactionMark.created_at < now - REMOVALS_KEPT,
        ),
    )
    outbox = OutboxMessage.__table__.c
    finished = (
        select(outbox.id)
        .where(outbox.status.in_(FINISHED), outbox.due_at < now - OUTBOX_KEPT)
        .limit(at_once)
    )
    messages = _deleted(session, delete(OutboxMessage).where(outbox.id.in_(finished)))
    return Swept(deliveries=deliveries, removals=removals, messages=messages)


def _deleted(session: Session, statement: Any) -> int:
    # A DELETE's result is a cursor's, whose rowcount both drivers report.
    return cast(CursorResult[Any], session.execute(statement)).rowcount
