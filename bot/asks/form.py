"""The form an ask's **Done** (an offer's **Confirm**) opens: who helped (who got it), every
one ticked to begin with, and the favour's size, the one said in the request to begin with.

The form carries only the request's public id (`private_metadata`): what it offers and who may
send it are checked again against the database when it is sent (bot.asks.closing).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.asks.closing import Fulfilled, ToClose
from bot.asks.requests import ASK
from bot.favours.blocks import one_line, quote
from bot.favours.parsing import FAVOR_SIZES
from bot.slack.ids import REQUEST_CLOSE_MODAL
from bot.slack.messages import join_names, mention

View = dict[str, Any]

HELPERS = "helpers"  # block_id and action_id of the people ticked
SIZE = "size"  # block_id and action_id of the favour's size
MAX_CHECKBOXES = 10  # Slack's limit for checkboxes; more answers get a multi-select
MAX_OPTIONS = 100  # Slack's limit for a multi-select's options
_PUBLIC_ID = re.compile(r"[0-9a-f-]{36}")
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}")
SIZE_WORDS = {"small": "Small", "medium": "Medium", "big": "Big"}


@dataclass(frozen=True)
class CloseForm:
    """What was sent: the request's public id, the people ticked, the size picked."""

    public_id: str
    picked: tuple[str, ...]
    size: str


def close_view(closing: ToClose) -> View:
    request = closing.request
    ask = request.kind == ASK
    options = [
        _option(one_line(person.name, 70), person.user_id)
        for person in closing.volunteers[:MAX_OPTIONS]
    ]
    people: dict[str, Any] = {
        "type": "checkboxes" if len(options) <= MAX_CHECKBOXES else "multi_static_select",
        "action_id": HELPERS,
        "options": options,
        "initial_options": options,
    }
    sizes = [_option(SIZE_WORDS[size], size) for size in FAVOR_SIZES]
    size: dict[str, Any] = {
        "type": "radio_buttons",
        "action_id": SIZE,
        "options": sizes,
        "initial_option": sizes[list(FAVOR_SIZES).index(request.size)]
        if request.size in FAVOR_SIZES
        else sizes[0],
    }
    return {
        "type": "modal",
        "callback_id": REQUEST_CLOSE_MODAL,
        "private_metadata": request.public_id,
        "title": _plain("Close your ask" if ask else "Close your offer"),
        "submit": _plain("Done" if ask else "Confirm"),
        "close": _plain("Cancel"),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": quote(request.text)}},
            {
                "type": "input",
                "block_id": HELPERS,
                "label": _plain("Who helped?" if ask else "Who got it?"),
                "element": people,
                "hint": _plain(
                    "Each one ticked is credited. Anyone you untick gets a kind note from me, "
                    "and no credit."
                ),
            },
            {
                "type": "input",
                "block_id": SIZE,
                "label": _plain("How big a favour was it?"),
                "element": size,
            },
        ],
    }


def is_public_id(value: str) -> bool:
    """`value` is shaped like a request's public id (bot.asks.requests.new_public_id)."""
    return _PUBLIC_ID.fullmatch(value) is not None


def read_close_form(view: Mapping[str, Any]) -> CloseForm | None:
    """What was sent; None when the form does not name a request as ours do."""
    public_id = view.get("private_metadata")
    if not isinstance(public_id, str) or not is_public_id(public_id):
        return None
    state = (view.get("state") or {}).get("values") or {}

    def field(block: str) -> Mapping[str, Any]:
        found = (state.get(block) or {}).get(block)
        return found if isinstance(found, Mapping) else {}

    chosen = field(HELPERS).get("selected_options") or []
    picked = tuple(
        str(option.get("value"))
        for option in chosen
        if isinstance(option, Mapping) and _USER_ID.fullmatch(str(option.get("value")))
    )
    if len(picked) != len(chosen):
        return None
    size = (field(SIZE).get("selected_option") or {}).get("value")
    return CloseForm(public_id, picked, size if isinstance(size, str) else "small")


def closed_view(closed: Fulfilled) -> View:
    """What the form turns into once sent: who was credited, and who could not be."""
    request = closed.request
    who = join_names([mention(user_id) for user_id in request.helper_ids])
    text = (
        f":tada: Done: you thanked {who} for a {request.size} favour, and your ask is closed."
        if request.kind == ASK
        else f":tada: Confirmed: {who} got it, and your offer is closed."
    )
    lines = [text, *closed.skipped]
    if closed.not_picked:
        unticked = join_names([mention(user_id) for user_id in closed.not_picked])
        lines.append(f"I've let {unticked} know kindly, with thanks for offering.")
    title = "Close your ask" if request.kind == ASK else "Close your offer"
    return note_view("\n\n".join(lines), title)


def note_view(text: str, title: str = "Already closed") -> View:
    """The form turned into a note: it was sent, or it can no longer be."""
    return {
        "type": "modal",
        "callback_id": REQUEST_CLOSE_MODAL,
        "title": _plain(title),
        "close": _plain("Close"),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": _plain(text), "value": value}
