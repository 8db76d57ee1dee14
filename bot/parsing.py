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
_TRAILING_VALUE = re.compile(r"(?:^|\s)#([A-Za-z][\w-]*)\s*$")
_UNESCAPED_AT = re.compile(r"(?<![<\w])@([\w.-]+)")
_SPECIAL_MENTION = re.compile(
    r"<!(channel|here|everyone)(?:\|[^>]*)?>|<!subteam\^[A-Z0-9]+\|?([^>]*)>"
)


@dataclass(frozen=True)
class ParsedThanks:
    """`/thanks` text split into who is thanked, why, and the value tags."""

    user_ids: tuple[str, ...]
    reason: str
    values: tuple[str, ...]
    unresolved_names: tuple[str, ...] = ()


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
        values.insert(0, tag.group(1).lower()[:MAX_VALUE_LENGTH])
        reason = reason[: tag.start()]
    reason = reason.strip()
    if not leading and user_ids:
        reason = USER_MENTION.sub("", reason).strip()

    unresolved = tuple(dict.fromkeys(_UNESCAPED_AT.findall(USER_MENTION.sub("", reason))))
    return ParsedThanks(
        user_ids=tuple(dict.fromkeys(user_ids)),
        reason=" ".join(reason.split()),
        values=tuple(dict.fromkeys(values))[:MAX_VALUES],
        unresolved_names=unresolved if not user_ids else (),
    )


def defuse_broadcasts(text: str) -> str:
    """Turn @channel/@here/@everyone and group mentions into plain words.

    A reason is repeated in a public message: it must not page a whole channel.
    """

    def _plain(match: re.Match[str]) -> str:
        if match.group(1):
            return f"@{match.group(1)}"
        return f"@{match.group(2) or 'group'}".replace("@@", "@")

    return _SPECIAL_MENTION.sub(_plain, text)


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
    if len(rest) > MAX_FAVOR_TEXT:
        return _too_long(rest)
    return kind(rest)


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
    if last.casefold() in FAVOR_SIZES:
        size, description = last.casefold(), head
    if not description:
        return FavorUsage(f"What did <@{helper_id}> do for you?")
    if len(description) > MAX_FAVOR_TEXT:
        return _too_long(description)
    return FavorLog(helper_id, description, size)


def _too_long(text: str) -> FavorUsage:
    return FavorUsage(
        f"That's {len(text):,} characters; the limit is {MAX_FAVOR_TEXT:,}. Shorten it and "
        "send it again."
    )
