"""What Slack sends when someone submits a modal: its inputs' state, as they were filled in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def form_state(view: Mapping[str, Any], text: str = "") -> dict[str, dict[str, Any]]:
    """The state Slack sends when someone submits `view` as it opened, with `text` typed into
    its first empty text box: {block_id: {action_id: {...}}}."""
    state: dict[str, dict[str, Any]] = {}
    for block in view.get("blocks") or []:
        element = block.get("element") if block.get("type") == "input" else None
        if not isinstance(element, dict) or "action_id" not in element:
            continue
        value = _value(element)
        if text and element.get("type") == "plain_text_input" and not value.get("value"):
            value["value"], text = text, ""
        state[block["block_id"]] = {element["action_id"]: value}
    return state


# What each input element sends, by type: (its field in the state, its initial field).
_STATE_FIELDS = {
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
_LISTS = {"selected_users", "selected_conversations", "selected_channels", "selected_options"}


def _value(element: Mapping[str, Any]) -> dict[str, Any]:
    kind = str(element.get("type"))
    value: dict[str, Any] = {"type": kind}
    fields = _STATE_FIELDS.get(kind)
    if fields is not None:
        sent, initial = fields
        value[sent] = element.get(initial, [] if sent in _LISTS else None)
    return value
