"""`/favor history` (a member's last entries) and `/favor undo` (retract their own last one).

"Your own entry" is a credit you gave (bot.favours.undo.giver_of): a /thanks, a favour you
logged, an ask of yours you closed with Done, an offer of yours you confirmed, a credit emoji
you put on someone's message. Undo (bot.favours.undo) takes the newest of them, whatever its kind:
skipping a newer reaction would take back an older entry the person did not mean. Undone
credits stay in the ledger with `retracted_at` set and stop counting everywhere. An undone
reaction's emoji stays on the message (only its author can remove it); removing it changes
nothing more, and a credit emoji put on that message again gives the credit again
(bot.reactions.credit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Credit

HISTORY_SIZE = 20


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
