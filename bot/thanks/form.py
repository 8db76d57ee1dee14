"""The thanks modal's submission: what was said, the errors shown beside its fields, and the
private thanks it can send (the modal itself is bot.thanks.modal).

What the thanks are about comes back from `private_metadata`, as the modal put it there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.errors import (
    InputError,
    NobodyThankedError,
    NoRecipientError,
    ReasonTooLongError,
    RepeatedReasonError,
    SelfCreditError,
    UnknownMemberError,
    ValueTagError,
)
from bot.favours.blocks import one_line
from bot.slack.ids import THANKS_MODAL
from bot.slack.messages import Message, join_names, mention
from bot.thanks.modal import (
    HELPER,
    PRIVATE,
    REASON,
    VALUES,
    VISIBILITY,
    ThankedMessage,
    View,
    plain,
)
from bot.thanks.parsing import (
    MAX_VALUE_LENGTH,
    MAX_VALUES,
    USER_MENTION,
    defuse_broadcasts,
    escape_text,
)

# The Values field: tags separated by spaces or commas, each a word that starts with a letter,
# its `#` optional, as /thanks reads a tag.
_VALUE_SEPARATOR = re.compile(r"[\s,]+")


_VALUE = re.compile(r"#?([A-Za-z][\w-]*)")


# A word quoted back in an error: long enough to recognise.
_QUOTED_WORD = 30


@dataclass(frozen=True)
class ThanksForm:
    message: ThankedMessage
    helper_ids: tuple[str, ...]
    reason: str
    values: tuple[str, ...]
    public: bool


def read_thanks_form(view: Mapping[str, Any]) -> ThanksForm | None:
    """What was submitted; None when the view does not carry a message of ours."""
    message = _thanked_message(view.get("private_metadata"))
    if message is None:
        return None
    state = (view.get("state") or {}).get("values") or {}

    def field(block: str) -> Mapping[str, Any]:
        found = (state.get(block) or {}).get(block)
        return found if isinstance(found, Mapping) else {}

    picked = field(HELPER)
    # A form opened before the picker took several people still says `selected_user`.
    helpers = picked.get("selected_users") or [picked.get("selected_user")]
    reason = field(REASON).get("value")
    values = field(VALUES).get("value")
    visibility = (field(VISIBILITY).get("selected_option") or {}).get("value")
    return ThanksForm(
        message=message,
        helper_ids=tuple(
            dict.fromkeys(helper for helper in helpers if isinstance(helper, str) and helper)
        ),
        # Plain text, escaped as a slash command's arrives: typed markup stays words.
        reason=escape_text(reason.strip()) if isinstance(reason, str) else "",
        values=parse_values(values if isinstance(values, str) else ""),
        public=visibility != PRIVATE and bool(message.channel_id),
    )


def parse_values(text: str) -> tuple[str, ...]:
    """`#teamwork #Care, quality` -> ("teamwork", "care", "quality"), as /thanks keeps them.

    A word that is not a tag (`#100days`, `#`, `R&D`), or more tags than a thanks holds, is a
    ValueTagError saying what to type instead: nothing of it would be kept otherwise, or only
    a part (`days`).
    """
    found: list[str] = []
    for word in _VALUE_SEPARATOR.split(text):
        tag = _VALUE.fullmatch(word)
        if tag is not None:
            found.append(tag.group(1).lower()[:MAX_VALUE_LENGTH])
        elif word:
            raise ValueTagError(
                f"“{one_line(word, _QUOTED_WORD)}” isn't a tag. Tags are words that start with "
                "a letter, such as #teamwork, separated by spaces or commas."
            )
    tags = tuple(dict.fromkeys(found))
    if len(tags) > MAX_VALUES:
        raise ValueTagError(
            f"That's {len(tags)} tags; a thanks holds up to {MAX_VALUES}. Keep the ones that "
            "matter most."
        )
    return tags


def form_errors(error: InputError) -> dict[str, str]:
    """`response_action: errors` for a refusal, shown under the field it is about.

    Slack shows these errors as plain text, where a `<@U123>` mention would appear as is.
    """
    if isinstance(error, ReasonTooLongError | RepeatedReasonError):
        return {REASON: _plain_words(error.user_message)}
    if isinstance(error, ValueTagError):
        return {VALUES: error.user_message}
    if isinstance(error, NobodyThankedError):
        return {HELPER: error.plain_message}
    if isinstance(error, NoRecipientError):
        return {HELPER: "Pick the people you'd like to thank."}
    if isinstance(error, SelfCreditError):
        return {HELPER: "You can't thank yourself. Pick the people who helped you."}
    if isinstance(error, UnknownMemberError):
        return {HELPER: "I couldn't find that person in this workspace. Pick someone else."}
    return {HELPER: _plain_words(error.user_message)}


def private_thanks_message(
    helper_id: str,
    thanker_id: str,
    reason: str,
    values: tuple[str, ...],
    link: str | None,
    *,
    theirs: bool = True,
) -> Message:
    """A DM to the person thanked, when the thanker chose to say it privately. `theirs`: the
    person wrote the message (the form lets the thanker pick someone else)."""
    about = f" for <{link}|{'your message' if theirs else 'this message'}>" if link else ""
    headline = f":sparkles: {mention(thanker_id)} thanked you{about}."
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": headline}}
    ]
    if reason:
        quoted = "\n".join(f"> {line}" for line in defuse_broadcasts(reason).splitlines())
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": quoted}})
    notes = [f"`#{value}`" for value in values] + [
        f"Sent privately: only you and {mention(thanker_id)} can see it."
    ]
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": "  ".join(notes)}]})
    return {"text": f"{headline} {defuse_broadcasts(reason)}".strip(), "blocks": blocks}


def thanks_sent_view(
    helper_ids: tuple[str, ...],
    title: str = "Thank for this",
    *,
    public: bool = False,
    note: str | None = None,
) -> View:
    """What the modal turns into after thanks that need saying: private thanks, sent to each
    person, or thanks that did not reach everyone picked (`note`, on who was not and why)."""
    names = join_names([mention(helper_id) for helper_id in helper_ids])
    if public:
        text = f"Your thanks to {names} are posted."
    else:
        text = f"Your thanks are on their way to {names}. Only they will see them."
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    if note:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": note}})
    return {
        "type": "modal",
        "callback_id": THANKS_MODAL,
        "title": plain(title),
        "close": plain("Done"),
        "blocks": blocks,
    }


def _thanked_message(raw: object) -> ThankedMessage | None:
    try:
        data = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    channel_id, author_id = data.get("channel_id"), data.get("author_id")
    message_ts, link = data.get("message_ts"), data.get("link")
    if not (isinstance(channel_id, str) and isinstance(author_id, str) and author_id):
        return None
    about_a_message = isinstance(message_ts, str) and message_ts and isinstance(link, str) and link
    # A message (the shortcut) comes with its channel and link; no message (a nudge), with
    # neither a timestamp nor a link.
    if not (about_a_message and channel_id) and not (message_ts is None and link is None):
        return None
    thread_ts = data.get("thread_ts")
    return ThankedMessage(
        channel_id=channel_id,
        message_ts=message_ts,
        thread_ts=thread_ts if isinstance(thread_ts, str) and thread_ts else None,
        author_id=author_id,
        link=link,
    )


def _plain_words(text: str) -> str:
    return USER_MENTION.sub("them", text)
