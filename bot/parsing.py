"""Turning what people type into commands. Pure functions: no database, no Slack.

Slack escapes mentions in slash-command text when the command's `should_escape` is on
(manifest.yml): a person picked from the autocomplete arrives as `<@U123>` or `<@U123|name>`,
`@channel` as `<!channel>`, and `&`, `<`, `>` as HTML entities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_VALUES = 5
MAX_VALUE_LENGTH = 30

USER_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,30})(?:\|[^>]*)?>")
# What may stand between the people thanked at the start: "@a @b", "@a, @b", "@a and @b".
_JOINER = re.compile(r"(?:\s|,|&amp;|&|\+|\band\b)*", re.IGNORECASE)
_LEADING_TO = re.compile(r"^\s*to\b", re.IGNORECASE)
# A value tag ends the text: `#teamwork`, or `<#C123|teamwork>` when a channel has that name
# (Slack links channel names in escaped command text).
_TRAILING_VALUE = re.compile(
    r"(?:^|\s)(?:#([A-Za-z][\w-]*)|<#[CG][A-Z0-9]+\|([A-Za-z][\w-]*)>)\s*$"
)
_UNESCAPED_AT = re.compile(r"(?<![<\w])@([\w.-]+)")
_SPECIAL_MENTION = re.compile(
    r"<!(channel|here|everyone)(?:\|[^>]*)?>|<!subteam\^[A-Z0-9]+\|?([^>]*)>"
)
# Typed words, not markup: how a modal's plain text says @here.
_BROADCAST_WORD = re.compile(r"(?<![\w@])@(channel|here|everyone)\b", re.IGNORECASE)
# Between "@" and the word, so that no part of Slack reads a broadcast, and no one sees it.
WORD_JOINER = "\u2060"

# Slack's markup as people see it: `<@U1|ann>` as @ann, `<#C1|general>` as #general, `<!here>`
# as @here, `<https://x|docs>` as docs; and its three escapes as the characters typed.
_MARKUP = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_SIGILS = {"@": "@", "#": "#", "!": "@"}
# Text that people write (a reason, a favour) is limited by what they see; as Slack spells it
# out, it must also fit one of Slack's 3,000-character text blocks with room to spare.
MAX_MARKUP = 2_000


@dataclass(frozen=True)
class ParsedThanks:
    """`/thanks` text split into who is thanked, why, and the value tags."""

    user_ids: tuple[str, ...]
    reason: str
    values: tuple[str, ...]
    unresolved_names: tuple[str, ...] = ()
    # User groups mentioned when no person is: Goodwill thanks people one by one.
    group_names: tuple[str, ...] = ()


def parse_thanks(text: str) -> ParsedThanks:
    """Split `/thanks` text: the people mentioned first, then the reason, then `#value` tags.

    Only people mentioned at the start are thanked, so "thanks @a for pairing with @b" credits
    @a alone. When nobody is mentioned at the start, every mention in the text counts, for
    people who type "for the review @bob".
    """
    rest = _LEADING_TO.sub("", text, count=1)
    leading: list[str] = []
    position = 0
    while True:
        position = _JOINER.match(rest, position).end()  # type: ignore[union-attr]
        mention = USER_MENTION.match(rest, position)
        if mention is None:
            break
        leading.append(mention.group(1))
        position = mention.end()
    reason = rest[position:] if leading else rest
    user_ids = leading or [m.group(1) for m in USER_MENTION.finditer(rest)]

    values: list[str] = []
    while (tag := _TRAILING_VALUE.search(reason)) is not None:
        values.insert(0, (tag.group(1) or tag.group(2)).lower()[:MAX_VALUE_LENGTH])
        reason = reason[: tag.start()]
    reason = reason.strip()
    if not leading and user_ids:
        reason = USER_MENTION.sub("", reason).strip()

    unresolved: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    if not user_ids:  # what to say to someone who thanked no one
        plain = _SPECIAL_MENTION.sub("", reason)
        unresolved = tuple(dict.fromkeys(_UNESCAPED_AT.findall(plain)))
        groups = tuple(
            dict.fromkeys(
                (found.group(2) or "").lstrip("@") or "a group"
                for found in _SPECIAL_MENTION.finditer(reason)
                if found.group(1) is None
            )
        )
    return ParsedThanks(
        user_ids=tuple(dict.fromkeys(user_ids)),
        reason=" ".join(reason.split()),
        values=tuple(dict.fromkeys(values))[:MAX_VALUES],
        unresolved_names=unresolved,
        group_names=groups,
    )


def defuse_broadcasts(text: str) -> str:
    """Turn @channel/@here/@everyone and group mentions into words that page no one.

    A reason is repeated in a public message: it must not page a whole channel. The words keep
    their look, "@here", with an invisible word joiner after the "@", so that neither Slack's
    markup nor its parsing of plain words (a modal's text, a message's fallback) can read them
    as a broadcast.
    """

    def _plain(match: re.Match[str]) -> str:
        if match.group(1):
            return f"@{WORD_JOINER}{match.group(1)}"
        return f"@{WORD_JOINER}{(match.group(2) or 'group').lstrip('@')}"

    markup_gone = _SPECIAL_MENTION.sub(_plain, text)
    return _BROADCAST_WORD.sub(lambda match: f"@{WORD_JOINER}{match.group(1)}", markup_gone)


def shown_text(text: str) -> str:
    """Text in Slack's escaped form (command text, a modal's text once escaped) as people see it."""

    def _label(match: re.Match[str]) -> str:
        target, name = match.group(1), match.group(2)
        sigil = _SIGILS.get(target[0], "")
        if name:
            return name if name.startswith(sigil) else f"{sigil}{name}"
        return f"{sigil}{target[1:]}" if sigil else target

    return _ENTITY.sub(lambda match: _ENTITIES[match.group(1)], _MARKUP.sub(_label, text))


def escape_text(text: str) -> str:
    """Plain text (a modal's input) in Slack's escaped form, as a slash command's arrives.

    Typed `<!here>` then stays words, and the ledger holds every reason in one form.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def length_problem(text: str, limit: int, lead: str = "That's") -> str | None:
    """What to tell someone whose `text` is too long, or None when it fits: at most `limit`
    characters as shown, and within MAX_MARKUP as Slack spells it out."""
    shown = len(shown_text(text))
    if shown > limit:
        return f"{lead} {shown:,} characters; the limit is {limit:,}. Shorten it and send it again."
    if len(text) > MAX_MARKUP:
        return (
            "That holds more mentions, links and symbols than one Slack message can show. "
            "Shorten it and send it again."
        )
    return None


# /favor: one command, several subcommands. The parser never raises: text it cannot act on
# becomes a `FavorUsage` carrying the problem, which the listener answers with the usage help.

FAVOR_SIZES = {"small": 1, "medium": 2, "big": 3}
MAX_FAVOR_TEXT = 1000

_FIRST_WORD = re.compile(r"(\S+)\s*(.*)", re.DOTALL)


@dataclass(frozen=True)
class FavorHelp:
    """`/favor` alone or `/favor help`."""


@dataclass(frozen=True)
class FavorUsage:
    """Text that is not a /favor command; `problem` says what was wrong, kindly."""

    problem: str


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


@dataclass(frozen=True)
class FavorOffer:
    what: str


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
)


def parse_favor(text: str) -> FavorCommand:
    """Turn `/favor` text into a command, or into a `FavorUsage` saying what was wrong."""
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
    if USER_MENTION.match(stripped):
        return _log(stripped)
    if first.startswith("@"):
        return FavorUsage(
            "I couldn't tell who that is. Pick the person from the autocomplete when you type @."
        )
    return FavorUsage("I didn't recognise that.")


def _request_text(
    rest: str, kind: type[FavorAsk] | type[FavorOffer], question: str
) -> FavorCommand:
    if not rest:
        return FavorUsage(question)
    return _too_long(rest) or kind(rest)


def _balance(rest: str) -> FavorCommand:
    if not rest:
        return FavorBalance()
    mention = USER_MENTION.fullmatch(rest)
    if mention is None:
        return FavorUsage("For one person, type `/favor balance @someone`.")
    return FavorBalance(mention.group(1))


def _log(text: str) -> FavorCommand:
    mention = USER_MENTION.match(text)
    assert mention is not None
    helper_id = mention.group(1)
    description = " ".join(text[mention.end() :].split())
    if USER_MENTION.match(description):
        return FavorUsage("A favour is logged for one person at a time.")
    size = "small"
    head, _, last = description.rpartition(" ")
    # "moved my desk, big" and "moved my desk big." say the size as surely as "… big".
    word = last.strip(_AROUND_SIZE).casefold()
    if word in FAVOR_SIZES:
        size, description = word, head.rstrip(_AROUND_SIZE + " ") or head
    if not description:
        return FavorUsage(f"What did <@{helper_id}> do for you?")
    return _too_long(description) or FavorLog(helper_id, description, size)


_AROUND_SIZE = ".,;:!()-"


def _too_long(text: str) -> FavorUsage | None:
    problem = length_problem(text, MAX_FAVOR_TEXT)
    return None if problem is None else FavorUsage(problem)
