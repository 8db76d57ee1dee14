"""Writing help edges. Every path that credits someone goes through `record_credits`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.db import insert_new
from bot.models import Credit


@dataclass(frozen=True)
class NewCredit:
    helper_id: str
    helped_id: str
    kind: str
    source_key: str
    weight: int = 1
    reason: str | None = None
    values: tuple[str, ...] = ()
    channel_id: str | None = None
    message_ts: str | None = None


def record_credits(
    session: Session, team_id: str, credits: Sequence[NewCredit], now: datetime
) -> int:
    """Record credits, skipping any whose `source_key` is already in the ledger.

    Returns how many were new: 0 means the whole request was seen before (a retry or a
    double click), and the caller answers without counting anything twice.
    """
    rows = [
        {
            "team_id": team_id,
            "helper_id": credit.helper_id,
            "helped_id": credit.helped_id,
            "kind": credit.kind,
            "weight": credit.weight,
            "reason": credit.reason,
            "values": list(credit.values),
            "channel_id": credit.channel_id,
            "message_ts": credit.message_ts,
            "source_key": credit.source_key,
            "created_at": now,
        }
        for credit in credits
    ]
    return insert_new(session, Credit, rows, ["source_key"])
