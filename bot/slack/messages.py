"""Shapes every message builder shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.models.people import FORMER_MEMBER, is_pseudonym

Message = dict[str, Any]


def ephemeral(text: str) -> Message:
    """A private answer to a slash command: only the person who typed it sees it."""
    return {"response_type": "ephemeral", "text": text}


def mention(user_id: str) -> str:
    """A member as Slack shows them; one who asked to be forgotten, as a former member."""
    if is_pseudonym(user_id):
        return FORMER_MEMBER
    return f"<@{user_id}>"


def join_names(names: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def plural(count: int, word: str, many: str | None = None) -> str:
    """The word `count` takes: 'entry' for 1, 'entries' (`many`, or word + 's') otherwise."""
    return word if count == 1 else many or word + "s"


def people(count: int) -> str:
    return plural(count, "person", "people")


def counted(count: int, word: str, many: str | None = None) -> str:
    """'1 entry', '2 entries', '1,200 entries': the count and the word it takes."""
    return f"{count:,} {plural(count, word, many)}"
