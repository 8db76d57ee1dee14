"""Who may be suggested as a helper today, beyond the member's own settings.

`available` is the hook for capacity (`/favor busy`, bot.busy): it is to keep only those not
at capacity at `now`. Until busy exists, everyone is available.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy.orm import Session


def available(session: Session, now: datetime, team_id: str, user_ids: Collection[str]) -> set[str]:
    """Those of `user_ids` who are not at capacity at `now`."""
    del session, now, team_id  # read by the capacity rule once it exists
    return set(user_ids)
