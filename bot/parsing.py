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
