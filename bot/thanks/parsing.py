"""`/thanks` text into a thanks, and the text rules every command shares (mentions, broadcasts,
escaping, lengths). Pure functions: no database, no Slack. `/favor` is bot.favours.parsing.

Slack escapes mentions in slash-command text when the command's `should_escape` is on
(manifest.yml): a person picked from the autocomplete arrives as `<@U123>` or `<@U123|name>`,
`@channel` as `<!channel>`, and `&`, `<`, `>` as HTML entities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import ReasonTooLongError

MAX_VALUES = 5
MAX_VALUE_LENGTH = 30

# A label never holds `<` or `>` (Slack escapes them): stopping there keeps every search
# linear, where `[^>]*` read to the end of the text again from every unclosed `<@`.
USER_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,30})(?:\|[^<>]*)?>")
# A user group picked from the autocomplete: `<!subteam^S123|@platform-team>`, and sometimes
# without its handle, `<!subteam^S123>`.
GROUP_MENTION = re.compile(r"<!subteam\^([A-Z0-9]{2,30})(?:\|@?([^<>|]*))?>")
_MENTION = re.compile(f"{USER_MENTION.pattern}|{GROUP_MENTION.pattern}")
# Punctuation between the people thanked and the reason: "@erin: for the cake", "@erin — for
# the cake"; standing alone, so that "@erin -1 bug" keeps its "-1".
_AFTER_MENTIONS = re.compile(r"\s*(?:[:;,.!\-\u2013\u2014]+(?=\s|$))?\s*")
# What may stand between the people thanked at the start: "@a @b", "@a, @b", "@a and @b".
_JOINER = re.compile(r"(?:\s|,|&amp;|&|\+|\band\b)*", re.IGNORECASE)
_LEADING_TO = re.compile(r"^\s*to\b", re.IGNORECASE)
# Value tags end the text, each a word of its own: `#teamwork`, or `<#C123|teamwork>` when a
# channel has that name (Slack links channel names in escaped command text).
_VALUE_TAG = re.compile(r"#([A-Za-z][\w-]*)|<#[CG][A-Z0-9]+\|([A-Za-z][\w-]*)>")
_WORD = re.compile(r"\S+")
_UNESCAPED_AT = re.compile(r"(?<![<\w])@([\w.-]+)")
_SPECIAL_MENTION = re.compile(
    r"<!(channel|here|everyone)(?:\|[^<>]*)?>|<!subteam\^[A-Z0-9]+\|?([^<>]*)>"
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
# The longest command text read at all: ten people mentioned with their names, a reason at its
# limit, tags and room to spare. Anything longer is refused before it is parsed.
MAX_COMMAND_TEXT = 8_000


@dataclass(frozen=True)
class MentionedGroup:
    """A Slack user group thanked: its ID, and its handle as Slack sent it ("" when none)."""

    group_id: str
    handle: str = ""


@dataclass(frozen=True)
class ParsedThanks:
    """`/thanks` text split into who is thanked, why, and the value tags."""

    user_ids: tuple[str, ...]
    reason: str
    values: tuple[str, ...]
    unresolved_names: tuple[str, ...] = ()
    # User groups thanked: each of their members is (bot.thanks.groups).
    groups: tuple[MentionedGroup, ...] = ()
    # Tags past MAX_VALUES, left out: the giver is told.
    dropped_values: tuple[str, ...] = ()


def parse_thanks(text: str) -> ParsedThanks:
    """Split `/thanks` text: the people mentioned first, then the reason, then `#value` tags.

    Only people and user groups mentioned at the start are thanked, so "thanks @a for pairing
    with @b" credits @a alone. When nobody is mentioned at the start, every mention in the text
    counts, for people who type "for the review @bob". Punctuation after the mentions ("@a: for
    the cake") is not part of the reason.

    Text longer than any /thanks can be is refused unread (ReasonTooLongError), and the rest is
    read in time linear in its length: whatever a person sends is answered at once.
    """
    if len(text) > MAX_COMMAND_TEXT:
        raise ReasonTooLongError(too_long_to_read(text))
    rest = _LEADING_TO.sub("", text, count=1)
    leading: list[str] = []
    groups: list[MentionedGroup] = []
    position = 0
    while True:
        position = _JOINER.match(rest, position).end()  # type: ignore[union-attr]
        mention = _MENTION.match(rest, position)
        if mention is None:
            break
        if mention.group(1):
            leading.append(mention.group(1))
        else:
            groups.append(MentionedGroup(mention.group(2), mention.group(3) or ""))
        position = mention.end()
    anyone_leading = bool(leading or groups)
    if anyone_leading:
        position = _AFTER_MENTIONS.match(rest, position).end()  # type: ignore[union-attr]
        reason = rest[position:]
        user_ids = leading
    else:
        reason = rest
        user_ids = [m.group(1) for m in USER_MENTION.finditer(rest)]
        groups = [
            MentionedGroup(m.group(1), m.group(2) or "") for m in GROUP_MENTION.finditer(rest)
        ]

    reason, values = _trailing_values(reason)
    reason = reason.strip()
    if not anyone_leading and (user_ids or groups):
        reason = GROUP_MENTION.sub("", USER_MENTION.sub("", reason)).strip()

    unresolved: tuple[str, ...] = ()
    if not user_ids and not groups:  # what to say to someone who thanked no one
        plain = _SPECIAL_MENTION.sub("", reason)
        unresolved = tuple(dict.fromkeys(_UNESCAPED_AT.findall(plain)))
    kept = tuple(dict.fromkeys(values))
    return ParsedThanks(
        user_ids=tuple(dict.fromkeys(user_ids)),
        reason=" ".join(reason.split()),
        values=kept[:MAX_VALUES],
        unresolved_names=unresolved,
        groups=tuple(dict.fromkeys(groups)),
        dropped_values=kept[MAX_VALUES:],
    )


def _trailing_values(reason: str) -> tuple[str, list[str]]:
    """The value tags that end `reason`, in order, and the text before them, in one pass."""
    values: list[str] = []
    cut = len(reason)
    for word in reversed(list(_WORD.finditer(reason))):
        tag = _VALUE_TAG.fullmatch(word.group())
        if tag is None:
            break
        values.append((tag.group(1) or tag.group(2)).lower()[:MAX_VALUE_LENGTH])
        cut = word.start()
    values.reverse()
    return reason[:cut], values


def too_long_to_read(text: str) -> str:
    """What to tell someone whose command is longer than any command can be."""
    return (
        f"That's {len(text):,} characters, far more than one command holds. Shorten it to a "
        "sentence or two and send it again."
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
