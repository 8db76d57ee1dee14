"""`/favor` text into a command. Pure functions: no database, no Slack.

One command, several subcommands. The parser never raises: text it cannot act on becomes a
`FavorUsage` carrying the problem, which the listener answers with the usage help.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from bot.busy.parsing import FavorAvailable, FavorBusy, parse_busy
from bot.notes.parsing import FavorNote, parse_note
from bot.suggestions.parsing import FavorSkills, parse_skills
from bot.thanks.parsing import MAX_COMMAND_TEXT, USER_MENTION, length_problem, too_long_to_read

FAVOR_SIZES = {"small": 1, "medium": 2, "big": 3}
MAX_FAVOR_TEXT = 1000

_FIRST_WORD = re.compile(r"(\S+)\s*(.*)", re.DOTALL)
SUBCOMMANDS = (
    "help",
    "ask",
    "offer",
    "balance",
    "history",
    "undo",
    "digest",
    "settings",
    "export",
    "forget-me",
    "busy",
    "available",
    "note",
    "skills",
    "insights",
)
_THANKING = frozenset({"thanks", "thank", "thx", "kudos"})
_WORD_SHOWN = 30  # longer first words are not echoed back
_PLAIN_WORD = re.compile(r"[\w-]+")
# Slack's handles and display names as people type them after @: letters, digits, . _ -
_NAME_WORD = re.compile(r"[\w.-]+")


@dataclass(frozen=True)
class FavorHelp:
    """`/favor` alone or `/favor help`."""


@dataclass(frozen=True)
class FavorUsage:
    """Text that is not a /favor command; `problem` says what was wrong, kindly, and what to
    type instead. `name`: a plain word that may be a person's name (`/favor bob covered my
    shift`), which the listener looks up to suggest the mention; `instead` is the command as
    it would read with `@name` picked from the autocomplete."""

    problem: str
    name: str | None = None
    instead: str = ""


@dataclass(frozen=True)
class FavorLog:
    """`/favor @a what they did [small|medium|big]`: `helper_id` did a favour for the caller."""

    helper_id: str
    description: str
    size: str = "small"

    @property
    def weight(self) -> int:
        return FAVOR_SIZES[self.size]


@dataclass(frozen=True)
class FavorAsk:
    what: str
    size: str = "small"  # said at the end of the text, as when logging a favour


@dataclass(frozen=True)
class FavorOffer:
    what: str
    size: str = "small"


@dataclass(frozen=True)
class FavorBalance:
    counterpart_id: str | None = None


@dataclass(frozen=True)
class FavorHistory:
    pass


@dataclass(frozen=True)
class FavorUndo:
    pass


@dataclass(frozen=True)
class FavorSettings:
    """`/favor settings`: the member's own settings (and the workspace's, for admins)."""


@dataclass(frozen=True)
class FavorDigest:
    """`/favor digest [here|off]`: where the weekly digest goes (admins set it)."""

    action: str = "show"  # "show" | "here" | "off"


@dataclass(frozen=True)
class FavorExport:
    """`/favor export`: the workspace's ledger as CSV, in the admin's DM (admins only)."""


@dataclass(frozen=True)
class FavorInsights:
    """`/favor insights`: counts over the team's exchanges, and a chart (admins only)."""


@dataclass(frozen=True)
class FavorForgetMe:
    """`/favor forget-me`: asks to confirm, then removes the member's data from Goodwill."""


FavorCommand = (
    FavorHelp
    | FavorUsage
    | FavorLog
    | FavorAsk
    | FavorOffer
    | FavorBalance
    | FavorHistory
    | FavorUndo
    | FavorDigest
    | FavorSettings
    | FavorExport
    | FavorForgetMe
    | FavorBusy
    | FavorAvailable
    | FavorNote
    | FavorSkills
    | FavorInsights
)


def parse_favor(text: str) -> FavorCommand:
    """Turn `/favor` text into a command, or into a `FavorUsage` saying what was wrong.

    Text longer than any /favor can be is refused unread; the rest is read in linear time.
    """
    if len(text) > MAX_COMMAND_TEXT:
        return FavorUsage(too_long_to_read(text))
    stripped = text.strip()
    found = _FIRST_WORD.fullmatch(stripped)
    if found is None:
        return FavorHelp()
    first, rest = found.group(1), found.group(2).strip()
    word = first.casefold()
    if word == "help":
        return FavorHelp()
    if word == "ask":
        return _request_text(rest, FavorAsk, "What do you need a hand with?")
    if word == "offer":
        return _request_text(rest, FavorOffer, "What would you like to offer?")
    if word == "balance":
        return _balance(rest)
    if word in ("busy", "available", "note"):
        return _boundaries(word, rest)
    if word == "skills":
        skills = parse_skills(rest)
        return FavorUsage(skills) if isinstance(skills, str) else skills
    if word == "digest":
        action = rest.casefold() or "show"
        if action not in ("show", "here", "off"):
            return FavorUsage(
                "Type `/favor digest here` in the channel that should get the weekly digest, "
                "or `/favor digest off` to stop it."
            )
        return FavorDigest(action)
    if word in ("history", "undo", "settings"):
        if rest:
            return FavorUsage(f"`/favor {word}` takes nothing after it.")
        if word == "settings":
            return FavorSettings()
        return FavorHistory() if word == "history" else FavorUndo()
    if word in ("export", "forget-me") or (word == "forget" and rest.casefold() == "me"):
        if rest and word != "forget":
            return FavorUsage(f"`/favor {word}` takes nothing after it.")
        return FavorExport() if word == "export" else FavorForgetMe()
    if word == "insights":
        return FavorUsage("`/favor insights` takes nothing after it.") if rest else FavorInsights()
    if USER_MENTION.match(stripped):
        return _log(stripped)
    if first.startswith("@"):
        return FavorUsage(
            "I couldn't tell who that is. Pick the person from the list that opens when you "
            "type @.",
            *_maybe_a_name(first[1:], f"/favor @{{name}} {rest}"),
        )
    if word in _THANKING:
        return FavorUsage(_unknown(word))
    return FavorUsage(_unknown(word), *_maybe_a_name(first, f"/favor @{{name}} {rest}"))


def _maybe_a_name(word: str, instead: str) -> tuple[str | None, str]:
    """`word` as a name to look up, with the command it would be, if it can be a name at all
    (a plain word, not too long to show); else nothing to look up."""
    if not word or len(word) > _WORD_SHOWN or not _NAME_WORD.fullmatch(word):
        return None, ""
    return word, instead.replace("{name}", word).strip()


def _unknown(word: str) -> str:
    """What to say to a first word that is no subcommand: a likely one, if there is."""
    if word in _THANKING:
        return (
            "To thank someone in public, type `/thanks @someone for what they did`; to log "
            "a favour privately, `/favor @someone what they did`."
        )
    if len(word) > _WORD_SHOWN or not _PLAIN_WORD.fullmatch(word):
        return "I didn't recognise that."  # nothing odd is echoed back
    close = difflib.get_close_matches(word, SUBCOMMANDS, n=1, cutoff=0.75)
    if close:
        return f"I don't know `/favor {word}`. Did you mean `/favor {close[0]}`?"
    return f"I don't know `/favor {word}`."


def _request_text(
    rest: str, kind: type[FavorAsk] | type[FavorOffer], question: str
) -> FavorCommand:
    if not rest:
        return FavorUsage(question)
    what, size = split_size(rest)
    if not what:  # the size is all there is: it is the text
        what, size = rest, None
    return _too_long(what) or kind(what, size or "small")


def _boundaries(word: str, rest: str) -> FavorCommand:
    """Capacity and private notes: parsed in their own folders (bot/busy, bot/notes)."""
    parsed = parse_note(rest) if word == "note" else parse_busy(word, rest)
    return FavorUsage(parsed) if isinstance(parsed, str) else parsed


def _balance(rest: str) -> FavorCommand:
    if not rest:
        return FavorBalance()
    mention = USER_MENTION.fullmatch(rest)
    if mention is None:
        return FavorUsage(
            "For one person, type `/favor balance @someone`, picking them from the list.",
            *_maybe_a_name(rest.removeprefix("@"), "/favor balance @{name}"),
        )
    return FavorBalance(mention.group(1))


def _log(text: str) -> FavorCommand:
    mention = USER_MENTION.match(text)
    assert mention is not None
    helper_id = mention.group(1)
    description = " ".join(text[mention.end() :].split())
    if USER_MENTION.match(description):
        return FavorUsage("A favour is logged for one person at a time.")
    description, size = split_size(description)
    if not description:
        return FavorUsage(
            f"What did <@{helper_id}> do for you? Say it after their name: "
            "`/favor @someone fixed the build`."
        )
    return _too_long(description) or FavorLog(helper_id, description, size or "small")


_AROUND_SIZE = ".,;:!()-"


def split_size(text: str) -> tuple[str, str | None]:
    """`text` without the size its last word says (small, medium or big), and that size; the
    text as it is and None when it says none."""
    head, _, last = text.rpartition(" ")
    # "moved my desk, big" and "moved my desk big." say the size as surely as "… big".
    word = last.strip(_AROUND_SIZE).casefold()
    if word not in FAVOR_SIZES:
        return text, None
    return head.rstrip(_AROUND_SIZE + " ") or head, word


def _too_long(text: str) -> FavorUsage | None:
    problem = length_problem(text, MAX_FAVOR_TEXT)
    return None if problem is None else FavorUsage(problem)
