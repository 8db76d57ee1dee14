"""Nobody is nudged in their first three weeks with Goodwill (DESIGN.md §1.5).

Counted from their first exchange in the ledger, given or received and still counting, not
from when the members cache first saw them: most members are in the cache from the install
on, long before they take part, and someone who thanked four people on Monday has no rhythm
to be nudged about on Tuesday.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import literal_column, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from bot.models import Credit

NEWCOMER_WINDOW = timedelta(days=21)


def with_goodwill_since(member_id: Any, team_id: Any, since: Any) -> ColumnElement[bool]:
    """The member (`member_id`, a column) had an exchange at `since` or earlier: one probe of
    each per-member index."""
    earlier = aliased(Credit, name="earlier")

    def before(column: Any) -> Any:
        return (
            select(literal_column("1"))
            .where(
                earlier.team_id == team_id,
                column == member_id,
                earlier.retracted_at.is_(None),
                earlier.created_at <= since,
            )
            .exists()
        )

    return or_(before(earlier.helped_id), before(earlier.helper_id))
