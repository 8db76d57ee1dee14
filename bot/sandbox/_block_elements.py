"""The interactive elements of Block Kit blocks, as a block_actions payload reports a use of one."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "ELEMENT_FIELDS",
    "LIST_FIELDS",
    "action_entry",
    "button_labelled",
    "label_of",
    "label_words",
    "words_of",
]

_NOT_WORD = re.compile(r"[^\w]+")


def action_entry(
    blocks: list[dict[str, Any]],
    action_id: str,
    value: str | None,
    selected: str | Sequence[str] | None,
    chosen: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One entry of a block_actions payload's `actions`: the element `action_id` used, with
    `chosen` (bot.sandbox._input_gestures.chosen) when something was chosen in it."""
    block_id, element = _find_element(blocks, action_id)
    kind = element.get("type", "button")
    action: dict[str, Any] = {
        "type": kind,
        "action_id": action_id,
        "block_id": block_id,
        "action_ts": f"{time.time():.6f}",
    }
    if "text" in element:
        action["text"] = element["text"]
    clicked = value if value is not None else element.get("value")
    if clicked is not None:
        action["value"] = clicked
    if selected is not None:
        action.update(_selection(kind, selected))
    if chosen is not None:
        action.update(chosen)
    return action


# What each input element reports, by type: (its field in a view's state or a block_actions
# entry, the field it opens with). The fields in LIST_FIELDS hold lists.
ELEMENT_FIELDS = {
    "plain_text_input": ("value", "initial_value"),
    "number_input": ("value", "initial_value"),
    "email_text_input": ("value", "initial_value"),
    "url_text_input": ("value", "initial_value"),
    "users_select": ("selected_user", "initial_user"),
    "multi_users_select": ("selected_users", "initial_users"),
    "conversations_select": ("selected_conversation", "initial_conversation"),
    "multi_conversations_select": ("selected_conversations", "initial_conversations"),
    "channels_select": ("selected_channel", "initial_channel"),
    "multi_channels_select": ("selected_channels", "initial_channels"),
    "static_select": ("selected_option", "initial_option"),
    "radio_buttons": ("selected_option", "initial_option"),
    "multi_static_select": ("selected_options", "initial_options"),
    "checkboxes": ("selected_options", "initial_options"),
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
}
LIST_FIELDS = frozenset(
    {"selected_users", "selected_conversations", "selected_channels", "selected_options"}
)
# The selects whose choice is IDs (people, conversations, channels).
_ID_SELECTS = frozenset(
    {
        "users_select",
        "multi_users_select",
        "conversations_select",
        "multi_conversations_select",
        "channels_select",
        "multi_channels_select",
    }
)


def _selection(kind: str, selected: str | Sequence[str]) -> dict[str, Any]:
    if kind not in _ID_SELECTS:
        raise ValueError(f"a {kind} element has no selection of IDs to send")
    field = ELEMENT_FIELDS[kind][0]
    ids = [selected] if isinstance(selected, str) else list(selected)
    if field in LIST_FIELDS:
        return {field: ids}
    [one] = ids
    return {field: one}


def _find_element(blocks: list[dict[str, Any]], action_id: str) -> tuple[str, dict[str, Any]]:
    """The block_id and element with `action_id`, wherever Block Kit allows interactive ones."""
    for index, block in enumerate(blocks):
        block_id = block.get("block_id") or f"b{index}"
        candidates = list(block.get("elements") or [])
        for key in ("accessory", "element"):  # an input block's element, in a form
            if isinstance(block.get(key), dict):
                candidates.append(block[key])
        for element in candidates:
            if element.get("action_id") == action_id:
                return block_id, element
    raise LookupError(f"no element with action_id {action_id!r} in the message's blocks")


def button_labelled(blocks: list[dict[str, Any]], wanted: str) -> dict[str, Any] | None:
    """The first button in `blocks` whose label starts with the words `wanted`."""
    for block in blocks:
        elements = list(block.get("elements") or [])
        if block.get("accessory"):
            elements.append(block["accessory"])
        for element in elements:
            if not isinstance(element, dict) or element.get("type") != "button":
                continue
            if label_words(label_of(element)).startswith(wanted):
                found: dict[str, Any] = element
                return found
    return None


def label_of(button: Mapping[str, Any]) -> str:
    return words_of(button.get("text"))


def words_of(text_object: object) -> str:
    """A text object's words (a button's label, a confirm dialog's title), or nothing."""
    return str(text_object.get("text", "")) if isinstance(text_object, Mapping) else ""


def label_words(text: str) -> str:
    """Text as a label is matched: case and punctuation aside."""
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())
