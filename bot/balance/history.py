"""`/favor history` (a member's last entries) and `/favor undo` (retract their own last one).

"Your own entry" is a credit you gave: one where you are the `helped` (a /thanks, a favour you
logged, an ask of yours you closed with Done, an offer you took up, a credit emoji you put on
someone's message). Undo takes the newest of them, whatever its kind: skipping a newer
reaction would take back an older entry the person did not mean. Undone credits stay in the
ledger with `retracted_at` set and stop counting everywhere. An ask or offer whose favour is
undone stays closed: it was answered; only the credit is taken back. An undone reaction's
emoji stays on the message (only its author can remove it); removing it changes nothing more,
and a credit emoji put on that message again gives the credit again (bot.reactions.credit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import NothingToUndoError
from bot.models import Credit

HISTORY_SIZE = 20
UNDO_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Entry:
    credit_id: int
    helper_id: str
    helped_id: str
    kind: str
    weight: int
    reason: str | None
    created_at: datetime
    retracted_at: datetime | None

    @classmethod
    def of(cls, credit: Credit) -> Entry:
        return cls(
            credit_id=credit.id,
            helper_id=credit.helper_id,
            helped_id=credit.helped_id,
            kind=credit.kind,
            weight=credit.weight,
            reason=credit.reason,
            created_at=credit.created_at,
            retracted_at=credit.retracted_at,
        )


def recent_entries(
    session: Session, team_id: str, member_id: str, limit: int = HISTORY_SIZE
) -> list[Entry]:
    """The member's newest entries, given and received, retracted ones included."""
    # One indexed read per direction, merged here: an OR across both columns would not use
    # the per-member indexes.
    found: list[Credit] = []
    for column in (Credit.helper_id, Credit.helped_id):
        found.extend(
            session.scalars(
                select(Credit)
                .where(Credit.team_id == team_id, column == member_id)
                .order_by(Credit.created_at.desc(), Credit.id.desc())
                .limit(limit)
            )
        )
    found.sort(key=lambda credit: (credit.created_at, credit.id), reverse=True)
    return [Entry.of(credit) for credit in found[:limit]]


def undo_last(session: Session, now: datetime, team_id: str, member_id: str) -> Entry:
    """Retract the member's most recent credit given within the last 24 hours."""
    credit = session.scalar(
        select(Credit)
        .where(
            Credit.team_id == team_id,
            Credit.helped_id == member_id,
            Credit.created_at > now - UNDO_WINDOW,
            Credit.retracted_at.is_(None),
        )
        .order_by(Credit.created_at.desc(), Credit.id.desc())
        .limit(1)
        .with_for_update()
    )
    if credit is None:
        raise NothingToUndoError(
            "There's nothing of yours to undo from the last 24 hours. `/favor history` shows "
            "your entries; older ones stay as they are."
        )
    credit.retracted_at = now
    return Entry.of(credit)
