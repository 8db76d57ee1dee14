"""The thanks modal: the form, about a message or about no message in particular.

It opens from the "Thank for this" shortcut, about a message, or from a nudge's **Say thanks**,
about no message in particular. It keeps what it is about in `private_metadata` (JSON): Slack
hands it back on submission, so no state is kept between opening it and the submit.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from bot.slack.ids import THANKS_MODAL
from bot.thanks.give import MAX_REASON_LENGTH, MAX_RECIPIENTS
from bot.thanks.parsing import (
    MAX_VALUES,
)

View = dict[str, Any]

# The modal's inputs: block_id and action_id alike. They name fields of one form, read back
# only from the submitted view's state; no listener is registered for them.
HELPER = "helper"
REASON = "reason"
VALUES = "values"
VISIBILITY = "visibility"
PUBLIC, PRIVATE = "public", "private"


@dataclass(frozen=True)
class ThankedMessage:
    """What the thanks are about: the message a "Thank for this" is about, or, from a nudge,
    no message (`message_ts` and `link` None) and the channel where public thanks go ("" when
    there is none: the thanks then go to the person directly)."""

    channel_id: str
    message_ts: str | None
    thread_ts: str | None
    author_id: str
    link: str | None


def permalink(team_domain: str, channel_id: str, ts: str, thread_ts: str | None = None) -> str:
    """A message's link, built the way Slack builds them, without a chat.getPermalink call."""
    host = f"https://{team_domain}.slack.com" if team_domain else "https://slack.com"
    link = f"{host}/archives/{channel_id}/p{ts.replace('.', '')}"
    if thread_ts and thread_ts != ts:
        link += f"?thread_ts={thread_ts}&cid={channel_id}"
    return link


def thanks_modal(message: ThankedMessage) -> View:
    """The modal, with the person already picked and the message, if any, linked."""
    visibility_options = [
        _option("Thank them in the channel", PUBLIC),
        _option("Just tell them, privately", PRIVATE),
    ]
    if message.link:
        intro = f"Thanks for <{message.link}|this message>."
    elif message.channel_id:
        intro = f"Say what they did. Public thanks are posted in <#{message.channel_id}>."
    else:
        intro = "Say what they did. Your thanks go to them directly; only they will see them."
    visibility = _input(
        VISIBILITY,
        "Who sees it?",
        {
            "type": "radio_buttons",
            "action_id": VISIBILITY,
            "options": visibility_options,
            "initial_option": visibility_options[0],
        },
    )
    return {
        "type": "modal",
        "callback_id": THANKS_MODAL,
        "title": plain(modal_title(message)),
        "submit": plain("Send thanks"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps(asdict(message), separators=(",", ":")),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": intro}},
            _input(
                HELPER,
                "Who are you thanking?",
                {
                    # Several people may have helped with one message: each is credited the
                    # rules allow, as with /thanks.
                    "type": "multi_users_select",
                    "action_id": HELPER,
                    "initial_users": [message.author_id],
                    "max_selected_items": MAX_RECIPIENTS,
                },
            ),
            _input(
                REASON,
                "What did they do?",
                {
                    "type": "plain_text_input",
                    "action_id": REASON,
                    "multiline": True,
                    "max_length": MAX_REASON_LENGTH,
                    "placeholder": plain("for explaining the deploy steps so clearly"),
                },
                optional=True,
            ),
            _input(
                VALUES,
                "Values",
                {
                    "type": "plain_text_input",
                    "action_id": VALUES,
                    "placeholder": plain("#teamwork #care"),
                },
                optional=True,
                hint=f"Up to {MAX_VALUES} tags, as with /thanks.",
            ),
            # With no channel to post in, there is nothing to choose.
            *([visibility] if message.channel_id else []),
        ],
    }


def modal_title(message: ThankedMessage) -> str:
    return "Thank for this" if message.link else "Say thanks"


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text), "value": value}


def _input(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint)
    return block
