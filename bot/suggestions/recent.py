"""How far back an ask's search reads public thanks, on PostgreSQL.

Of the public thanks that match an ask, the most recent RECENT_THANKS are ranked
(bot.suggestions.search). Two ways to find them both read too much of a big ledger: walking it
newest first and testing each credit's words until enough match reads every credit on the way
(the planner's choice when asked for the newest matches, however rare the words), and reading
every match through the GIN index to keep the newest reads all of them, however common the
words. So the search reads only the matches among the newest credits, in a window as wide as
the ask's words need: how many of the newest PROBE credits match says how far back
RECENT_THANKS of them go. The window is a range of ids, which the primary key intersects with
the index's matches before any credit is read; a word too rare to show in the probe is looked
up in the whole index, which has few of it.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bot.models import Credit

PROBE = 16_384
# The window is this many times as wide as the probe says: words come up in bursts (an
# incident, a launch), and a window that holds too few ranks fewer thanks than it could.
MARGIN = 2


def public_thanks(config: str, query: str) -> str:
    """The condition a credit meets to be searched: thanked for in public, still standing, its
    words matching `query` in `config` (the GIN index of migration 0025 reads it)."""
    return (
        "team_id = :team AND quotable IS TRUE AND retracted_at IS NULL"
        f" AND to_tsvector({config}, coalesce(reason, '')) @@ {query}"
    )


def window_start(
    session: Session, config: str, query: str, params: Mapping[str, object], recent: int
) -> int:
    """The id after which the most recent `recent` public thanks matching `query` lie (0: the
    whole ledger), from how many of the newest PROBE credits match."""
    newest = session.scalar(select(func.max(Credit.id))) or 0
    probed_from = newest - PROBE
    if probed_from <= 0:
        return 0
    # Ids are written into the statement, not bound, so that the planner sees the range it
    # intersects with the index (as it would not in a plan made once for every value).
    found = session.scalar(
        text(
            "SELECT count(*) FROM credits"
            f" WHERE id > {probed_from:d} AND {public_thanks(config, query)}"
        ),
        params,
    )
    if not found:
        return 0
    return max(0, newest - PROBE * MARGIN * recent // int(found))
