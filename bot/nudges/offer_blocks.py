"""A nudge's **Offer help**: the form asking what you could offer, and the DM it becomes.

The form keeps the nudge's key and where the nudge DM is in `private_metadata` (JSON), so the
submission can be checked against the nudge and the DM updated, with no state kept between.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from bot.favours.blocks import context, one_line, quote, section
from bot.nudges.responses import MAX_OFFER_LENGTH
from bot.slack.ids import NUDGE_OFFER_MODAL
from bot.slack.messages import Message, mention
from bot.thanks.parsing import USER_MENTION, escape_text

View = dict[str, Any]

OFFER = "offer"  # the form's one input: block_id and action_id alike


@dataclass(frozen=True)
class OfferContext:
    """The nudge the form came from, and its DM (to update once the offer is sent)."""

    key: str
    dm_channel_id: str
    dm_ts: str


@dataclass(frozen=True)
class OfferForm:
    context: OfferContext
    text: str


def offer_modal(nudge: OfferContext, offered_to: str) -> View:
    return {
        "type": "modal",
        "callback_id": NUDGE_OFFER_MODAL,
        "title": _plain("Offer help"),
        "submit": _plain("Send offer"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps(asdict(nudge), separators=(",", ":")),
        "blocks": [
            section(
                f"What could you do for {mention(offered_to)}? I'll pass it on, and they can "
                "reply to you directly."
            ),
            {
                "type": "input",
                "block_id": OFFER,
                "label": _plain("Your offer"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": OFFER,
                    "multiline": True,
                    "max_length": MAX_OFFER_LENGTH,
                    "placeholder": _plain("Happy to review your next pull request"),
                },
            },
        ],
    }


def read_offer_form(view: Mapping[str, Any]) -> OfferForm | None:
    """What was submitted; None when the view does not carry a nudge of ours."""
    try:
        raw = json.loads(view.get("private_metadata") or "")
    except ValueError:
        return None
    if not isinstance(raw, dict):
        return None
    fields = ("key", "dm_channel_id", "dm_ts")
    if not all(isinstance(raw.get(name), str) and raw[name] for name in fields):
        return None
    state = (view.get("state") or {}).get("values") or {}
    value = ((state.get(OFFER) or {}).get(OFFER) or {}).get("value")
    return OfferForm(
        OfferContext(raw["key"], raw["dm_channel_id"], raw["dm_ts"]),
        escape_text(value) if isinstance(value, str) else "",  # as a command's text arrives
    )


def offer_sent_view(offered_to: str) -> View:
    """The form once sent: the person sees it is on its way."""
    text = f"Your offer is on its way to {mention(offered_to)}. They can reply to you directly."
    return {
        "type": "modal",
        "callback_id": NUDGE_OFFER_MODAL,
        "title": _plain("Offer help"),
        "close": _plain("Done"),
        "blocks": [section(text)],
    }


def offer_message(helper_id: str, text: str) -> Message:
    """The DM to the person offered help: the offer in the helper's words, nothing more."""
    headline = f":gift: {mention(helper_id)} would like to give you a hand:"
    return {
        "text": f"{headline} {one_line(text, 200)}",
        "blocks": [
            section(f"{headline}\n{quote(text)}"),
            context(f"Reply to {mention(helper_id)} directly if you'd like to take them up on it."),
        ],
    }


def offer_errors(message: str) -> dict[str, str]:
    """`response_action: errors` under the input; Slack shows them as plain text."""
    return {OFFER: USER_MENTION.sub("them", message)}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}
