"""The names one emoji goes by: `thumbsup` and `+1` are the same thumbs-up.

Slack accepts every alias in the emoji picker and in `:name:` text, but a reaction event
names the emoji by one of them only (a thumbs-up arrives as `+1`). An admin who listed
`thumbsup` as a credit emoji would otherwise never see it count. The names come from the
`emoji` package's English names and their common aliases; a name it
does not know, such as a workspace's own emoji, goes by itself alone.
"""

from __future__ import annotations

import functools
import re


def base_emoji(name: str) -> str:
    """`raised_hands::skin-tone-3` counts as `raised_hands`; `:pray:` as `pray`."""
    return name.split("::", 1)[0].strip(":").casefold()


def is_credit_emoji(emoji: str, credit_emoji: frozenset[str]) -> bool:
    """True when `emoji`, under any of its names, is one of the workspace's credit emoji."""
    return not credit_emoji.isdisjoint(emoji_names(emoji))


def emoji_names(emoji: str) -> list[str]:
    """Every name of the emoji Slack sent (`+1::skin-tone-2`: `+1`, `thumbsup`, …), sorted.

    Emoji names have no spaces; one that has is no emoji, and goes by no name at all.
    """
    base = base_emoji(emoji)
    return [] if _SPACE.search(base) else sorted(same_emoji(base))


_SPACE = re.compile(r"\s")


def same_emoji(name: str) -> frozenset[str]:
    """Every name of the emoji `name` (a base name, as `base_emoji` gives it)."""
    return _names().get(name, frozenset({name}))


@functools.cache
def _names() -> dict[str, frozenset[str]]:
    # Imported here: its table costs time and memory at start-up that only reactions need. A
    # name that two emoji share (`japan`: the flag and the map) takes the names of both, and
    # neither of those takes the other's.
    from emoji import EMOJI_DATA

    names: dict[str, set[str]] = {}
    for entry in EMOJI_DATA.values():
        given = (entry["en"], *entry.get("alias", ()))
        spellings = {_bare(name) for name in given if not _SPACE.search(name)}
        for spelling in spellings:
            names.setdefault(spelling, set()).update(spellings)
    return {name: frozenset(group) for name, group in names.items() if len(group) > 1}


def _bare(name: str) -> str:
    return name.strip(":").casefold()
