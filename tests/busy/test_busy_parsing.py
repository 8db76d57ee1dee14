"""`/favor busy`, `available` and `note` read as commands; pure, no Slack, no database."""

from __future__ import annotations

from datetime import date

import pytest

from bot.busy.parsing import (
    FavorAvailable,
    FavorBusy,
    ForDays,
    ThisWeek,
    UntilDay,
    UntilTomorrow,
    UntilWeekday,
)
from bot.favours.parsing import FavorUsage, parse_favor
from bot.notes.parsing import FavorNote


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("busy", FavorBusy(ThisWeek())),
        ("BUSY  this   week", FavorBusy(ThisWeek())),
        ("busy for 1 day", FavorBusy(ForDays(1))),
        ("busy for 12 days", FavorBusy(ForDays(12))),
        ("busy until 2026-12-24", FavorBusy(UntilDay(date(2026, 12, 24)))),
        ("busy until Friday", FavorBusy(UntilWeekday(4))),
        ("busy until tomorrow", FavorBusy(UntilTomorrow())),
        ("busy ask <@U0CAROL03|carol> instead", FavorBusy(ThisWeek(), "U0CAROL03")),
        ("busy for 2 days ask <@U0CAROL03> instead.", FavorBusy(ForDays(2), "U0CAROL03")),
        ("busy until friday, ask <@U0CAROL03>", FavorBusy(UntilWeekday(4), "U0CAROL03")),
        ("available", FavorAvailable()),
        ("note <@U0BOB0002>", FavorNote("U0BOB0002")),
        ("note <@U0BOB0002> Clear", FavorNote("U0BOB0002", clear=True)),
        ("note <@U0BOB0002>   learning\nGo ", FavorNote("U0BOB0002", "learning Go")),
    ],
)
def test_the_commands_read(text: str, parsed: object) -> None:
    assert parse_favor(text) == parsed


@pytest.mark.parametrize(
    "text",
    [
        "busy until",
        "busy until the 3rd",
        "busy for a while",
        "busy for -1 days",
        "busy ask carol instead",
        "busy ask <@U0CAROL03> <@U0DAVE004> instead",
        "available tomorrow",
        "note",
        "note @bob hello",
        "note <@U0BOB0002> <@U0CAROL03> pair",
    ],
)
def test_what_cannot_be_read_gets_usage(text: str) -> None:
    assert isinstance(parse_favor(text), FavorUsage)


def test_a_long_note_is_cut_within_the_limit_never_inside_a_mention() -> None:
    text = "x" * 270 + " <@U0CAROL03> and more words after it"
    parsed = parse_favor(f"note <@U0BOB0002> {text}")
    assert isinstance(parsed, FavorNote) and parsed.cut
    assert parsed.text == "x" * 270 + "…"
