"""Who may be suggested as a helper now, beyond the member's own settings: nobody at capacity
(`/favor busy`, bot.busy) until their spell ends."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy.orm import Session

from bot.busy.rules import busy_among


def available(session: Session, now: datetime, team_id: str, user_ids: Collection[str]) -> set[str]:
    """Those of `user_ids` who are not at capacity at `now`."""
    return set(user_ids) - set(busy_among(session, team_id, user_ids, now))
