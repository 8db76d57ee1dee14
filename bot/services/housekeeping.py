"""The sweep: rows that only guarded against Slack's retries, deleted once no retry can come.

Slack retries an Events API delivery it got no answer for three times, within minutes (at
once, after a minute, after five). `processed_events` remembers every delivery so that those
retries change nothing, and `reaction_marks` every removal that overtook its add; a day
after, nothing can meet them any more, yet they were kept for ever, one row per reaction.
The same table also holds once-only actions (a favour's public shout-out, a nudge's offer),
which must stay: only Slack's own event types are swept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, tuple_
from sqlalchemy.orm import Session

from bot.models import ProcessedEvent, ReactionMark
from bot.services.reactions import REMOVALS_KEPT
from bot.slack_ids import BOT_EVENTS

DELIVERIES_KEPT = timedelta(days=1)

# A tick deletes at most this many deliveries, so that a backlog (an install that ran
# before the sweep existed) is worked off in short transactions, a minute apart.
SWEPT_AT_ONCE = 5_000


@dataclass(frozen=True)
class Swept:
    deliveries: int = 0
    removals: int = 0


def sweep(session: Session, now: datetime, at_once: int = SWEPT_AT_ONCE) -> Swept:
    """Delete deliveries and removal records past any retry; say how many went."""
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
    return Swept(deliveries=deliveries, removals=removals)


def _deleted(session: Session, statement: Any) -> int:
    # A DELETE's result is a cursor's, whose rowcount both drivers report.
    return cast(CursorResult[Any], session.execute(statement)).rowcount
