"""Writing help edges. Every path that credits someone goes through `record_credits`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import insert_new
from bot.errors import DailyLimitError, RepeatedReasonError
from bot.models import Credit, Workspace

FAIR_USE_WINDOW = timedelta(days=1)


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


def check_fair_use(
    session: Session, workspace: Workspace, credits: Sequence[NewCredit], now: datetime
) -> bool:
    """Refuse credit that looks like gaming the ledger, before anything is recorded.

    Within a day, one person may credit the same person at most `pair_daily_cap` times, and
    never twice with the same reason. Returns True when these very credits are already in the
    ledger (a retry or a double click), which is not gaming: the caller answers as before.
    """
    if not credits:
        return False
    givers = {credit.helped_id for credit in credits}
    rows = session.execute(
        select(Credit.helper_id, Credit.helped_id, Credit.reason, Credit.source_key).where(
            Credit.team_id == workspace.team_id,
            Credit.helper_id.in_({credit.helper_id for credit in credits}),
            Credit.helped_id.in_(givers),
            Credit.created_at > now - FAIR_USE_WINDOW,
            Credit.retracted_at.is_(None),
        )
    ).all()
    keys = {credit.source_key for credit in credits}
    if any(row.source_key in keys for row in rows):
        return True
    for credit in credits:
        earlier = [
            row.reason
            for row in rows
            if row.helper_id == credit.helper_id and row.helped_id == credit.helped_id
        ]
        if len(earlier) >= workspace.pair_daily_cap:
            raise DailyLimitError(
                f"You've already credited <@{credit.helper_id}> {len(earlier)} times today, the "
                "most a day allows. It will count again tomorrow; until then, a message to them "
                "says it just as well."
            )
        wanted = _same_reason(credit.reason) if credit.reason else None
        if wanted and any(_same_reason(reason) == wanted for reason in earlier if reason):
            raise RepeatedReasonError(
                f"You already credited <@{credit.helper_id}> for that today. If they helped "
                "again, say what they did this time."
            )
    return False


def _same_reason(reason: str) -> str:
    return " ".join(reason.casefold().split())
