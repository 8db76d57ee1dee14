"""A plain word that may be someone's name: `/favor bob covered my shift` meant `@bob`.

Only exact names are suggested (the Slack name or the display name, as people type them),
never a fuzzy match: the answer says no more about who is in the workspace than Slack's own
autocomplete shows for the same word. Bots and deactivated people are never suggested.
"""

from __future__ import annotations

from sqlalchemy import CompoundSelect, select, union
from sqlalchemy.orm import Session

from bot.models import Member


def person_named(session: Session, team_id: str, word: str) -> str | None:
    """The one person whose name or display name is `word` (as typed, or capitalised as names
    often are); None when no one is, or several are."""
    found = session.scalars(person_named_query(team_id, word)).all()
    return found[0] if len(found) == 1 else None


def person_named_query(team_id: str, word: str) -> CompoundSelect[str]:
    """Two probes of the members' name indexes (migration 0020), at most two people."""
    spellings = sorted({word, word.lower(), word.capitalize()})
    people = Member.team_id == team_id, ~Member.is_bot, ~Member.is_deactivated
    by_name = select(Member.user_id).where(*people, Member.name.in_(spellings))
    by_display = select(Member.user_id).where(*people, Member.display_name.in_(spellings))
    return union(by_name, by_display).limit(2)
