"""The interactive elements of Block Kit blocks, as a block_actions payload reports a use of one."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["action_entry", "button_labelled", "label_of", "label_words"]

_NOT_WORD = re.compile(r"[^\w]+")


def action_entry(
    blocks: list[dict[str, Any]],
    action_id: str,
    value: str | None,
    selected: str | Sequence[str] | None,
) -> dict[str, Any]:
    """One entry of a block_actions payload's `actions`: the element `action_id` used."""
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
    chosen = value if value is not None else element.get("value")
    if chosen is not None:
        action["value"] = chosen
    if selected is not None:
        action.update(_selection(kind, selected))
    return action


# What a select's block_actions payload carries, by element type: (field, holds a list).
_SELECTIONS = {
    "users_select": ("selected_user", False),
    "multi_users_select": ("selected_users", True),
    "conversations_select": ("selected_conversation", False),
    "multi_conversations_select": ("selected_conversations", True),
    "channels_select": ("selected_channel", False),
    "multi_channels_select": ("selected_channels", True),
}


def _selection(kind: str, selected: str | Sequence[str]) -> dict[str, Any]:
    if kind not in _SELECTIONS:
        raise ValueError(f"a {kind} element has no selection of IDs to send")
    field, many = _SELECTIONS[kind]
    ids = [selected] if isinstance(selected, str) else list(selected)
    if many:
        return {field: ids}
    [one] = ids
    return {field: one}


def _find_element(blocks: list[dict[str, Any]], action_id: str) -> tuple[str, dict[str, Any]]:
    """The block_id and element with `action_id`, wherever Block Kit allows interactive ones."""
    for index, block in enumerate(blocks):
        block_id = block.get("block_id") or f"b{index}"
        candidates = list(block.get("elements") or [])
        if block.get("accessory"):
            candidates.append(block["accessory"])
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
    text = button.get("text")
    return str(text.get("text", "")) if isinstance(text, dict) else ""


def label_words(text: str) -> str:
    """Text as a label is matched: case and punctuation aside."""
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())
