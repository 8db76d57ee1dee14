"""`/favor busy …` and `/favor available` text into a command. Pure: no database, no Slack.

/favor busy                              until the end of your week
/favor busy this week                    the same, said
/favor busy for 3 days                   three days from now
/favor busy until 2026-12-24             through that day (also: friday, tomorrow)
… ask @someone instead                   whom you name, at the end of any of these
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.thanks.parsing import USER_MENTION

MAX_DAYS = 90  # a longer absence is leave, not capacity
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_INSTEAD = re.compile(rf"(.*?)\s*\bask\s+{USER_MENTION.pattern}\s*(?:instead)?\.?", re.I | re.S)
_FOR_DAYS = re.compile(r"for\s+(\d{1,4})\s+days?", re.I)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")

USAGE = (
    "Type `/favor busy` (until the end of your week), `/favor busy for 3 days`, "
    "`/favor busy until 2026-12-24` or `/favor busy until friday`; add "
    "`ask @someone instead` to name who may help meanwhile."
)


@dataclass(frozen=True)
class ThisWeek:
    """Until the end of the member's week (Sunday night, their time)."""


@dataclass(frozen=True)
class ForDays:
    days: int


@dataclass(frozen=True)
class UntilDay:
    """Through the end of `day` in the member's time zone."""

    day: date


@dataclass(frozen=True)
class UntilWeekday:
    """Through the end of the next such weekday (today counts), 0 = Monday."""

    weekday: int


@dataclass(frozen=True)
class UntilTomorrow:
    """Through the end of tomorrow, the member's time."""


BusyFor = ThisWeek | ForDays | UntilDay | UntilWeekday | UntilTomorrow


@dataclass(frozen=True)
class FavorBusy:
    until: BusyFor
    instead_id: str | None = None


@dataclass(frozen=True)
class FavorAvailable:
    """`/favor available`: no longer at capacity."""


def parse_busy(word: str, rest: str) -> FavorBusy | FavorAvailable | str:
    """`word` is "busy" or "available"; the answer is the command, or what was wrong."""
    if word == "available":
        return FavorAvailable() if not rest else "`/favor available` takes nothing after it."
    instead_id = None
    named = _INSTEAD.fullmatch(rest)
    if named is not None:
        rest, instead_id = named.group(1).strip().rstrip(",;:-"), named.group(2)
    elif "<@" in rest or re.search(r"\bask\b", rest, re.I):
        return "To name who may help instead, end with `ask @someone instead`, picking them."
    until = _duration(rest)
    if isinstance(until, str):
        return until
    return FavorBusy(until, instead_id)


def _duration(text: str) -> BusyFor | str:
    words = " ".join(text.casefold().split())
    if words in ("", "this week"):
        return ThisWeek()
    if (days := _FOR_DAYS.fullmatch(words)) is not None:
        count = int(days.group(1))
        if not 1 <= count <= MAX_DAYS:
            return f"Between 1 and {MAX_DAYS} days, please. {USAGE}"
        return ForDays(count)
    if not words.startswith("until "):
        return f"I couldn't tell how long you'll be busy. {USAGE}"
    day = words.removeprefix("until ").strip()
    if day == "tomorrow":
        return UntilTomorrow()
    if day in WEEKDAYS:
        return UntilWeekday(WEEKDAYS.index(day))
    if (iso := _ISO_DATE.fullmatch(day)) is not None:
        try:
            return UntilDay(date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3))))
        except ValueError:
            pass
    return f"I don't know the date `{day[:30]}`. {USAGE}"
