"""What Slack sends when someone submits a modal: its inputs' state, as they were filled in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.sandbox._block_elements import ELEMENT_FIELDS, LIST_FIELDS


def form_state(
    view: Mapping[str, Any],
    text: str = "",
    filled: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    """The state Slack sends when someone submits `view`: each input as it opened, or as
    `filled` in since ({block_id: the element's chosen fields}), with `text` typed into its
    first text box still empty: {block_id: {action_id: {...}}}."""
    state: dict[str, dict[str, Any]] = {}
    for block in view.get("blocks") or []:
        element = block.get("element") if block.get("type") == "input" else None
        if not isinstance(element, dict) or "action_id" not in element:
            continue
        value = _value(element)
        if filled and block.get("block_id") in filled:
            value.update(filled[block["block_id"]])
        if text and element.get("type") == "plain_text_input" and not value.get("value"):
            value["value"], text = text, ""
        state[block["block_id"]] = {element["action_id"]: value}
    return state


def _value(element: Mapping[str, Any]) -> dict[str, Any]:
    kind = str(element.get("type"))
    value: dict[str, Any] = {"type": kind}
    fields = ELEMENT_FIELDS.get(kind)
    if fields is not None:
        sent, initial = fields
        value[sent] = element.get(initial, [] if sent in LIST_FIELDS else None)
    return value
