"""Who would be nudged now, and why: what the nudge rules (bot.nudges.rules) find for a
person, and what a nudge's message (bot.nudges.blocks) is written from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class NudgeCandidate:
    """One person who would be nudged now, and why."""

    recipient_id: str
    kind: str
    tz: str
    # pair: the person who helped them, how much (decayed weights) and how much came back.
    about_id: str | None = None
    given: float = 0.0
    returned: float = 0.0
    # ask too: people they helped in 30 days; give back: people who helped them in 60 days.
    people: int = 0
    # ask too, give back: how long ago the oldest of the credits counted was given.
    span: timedelta | None = None
