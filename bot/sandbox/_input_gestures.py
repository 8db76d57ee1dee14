"""The sandbox's gestures on input elements: `pick` in a message (a people picker, a select,
checkboxes or radio buttons) and `fill` in an open form, so that every input element the app
shows can be used, as in Slack.

In a message, choosing sends the app a block_actions payload at once, as Slack does. In a
form, what is filled in is kept until the form is submitted, except where the input asks to
be told at once (`dispatch_action`), as the weekly prompt's people picker does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from bot.sandbox._block_elements import ELEMENT_FIELDS, LIST_FIELDS, label_words, words_of
from bot.sandbox._channel_gestures import Say
from bot.sandbox.forms import form_state
from bot.sandbox.harness import Sandbox
from bot.sandbox.transport import Delivery
from slack_emulator import Message, SlackEmulator, SlackUser

__all__ = ["ChoiceError", "chosen", "fill", "input_labelled", "pick", "picker_in"]

_PEOPLE = frozenset({"users_select", "multi_users_select"})
_PLACES = frozenset(
    {
        "conversations_select",
        "multi_conversations_select",
        "channels_select",
        "multi_channels_select",
    }
)
_OPTIONS = frozenset({"static_select", "radio_buttons", "multi_static_select", "checkboxes"})
_SPLIT = re.compile(r"[\s,]+")


class ChoiceError(ValueError):
    """What the person typed does not fit the element; the message says what would."""


def picker_in(blocks: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first element in a message's blocks that is chosen from (not a button)."""
    for block in blocks:
        elements = list(block.get("elements") or [])
        if block.get("accessory"):
            elements.append(block["accessory"])
        for element in elements:
            if isinstance(element, dict) and element.get("type") in _PEOPLE | _PLACES | _OPTIONS:
                return element
    return None


def input_labelled(
    blocks: list[dict[str, Any]], wanted: str
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The first input block (and its element) whose label starts with the words `wanted`."""
    for block in blocks:
        element = block.get("element")
        if block.get("type") != "input" or not isinstance(element, dict):
            continue
        if label_words(words_of(block.get("label"))).startswith(wanted):
            return block, element
    return None


def chosen(element: Mapping[str, Any], text: str, emulator: SlackEmulator) -> dict[str, Any]:
    """Slack's state for `element` with `text` chosen or typed in it: its `selected_*` or
    `value` field, as a view's state and a block_actions entry both carry it."""
    kind = str(element.get("type"))
    fields = ELEMENT_FIELDS.get(kind)
    if fields is None:
        raise ChoiceError(f"the sandbox cannot fill in a {kind} element")
    field, _ = fields
    many = field in LIST_FIELDS
    words = [w for w in _SPLIT.split(text.strip()) if w]
    if kind in _PEOPLE:
        ids = [_person(emulator, word) for word in words]
    elif kind in _PLACES:
        ids = [_place(emulator, word) for word in words]
    elif kind in _OPTIONS:
        return {field: _options(element, text, many=many)}
    else:
        return {field: text.strip()}
    if not many and len(ids) != 1:
        raise ChoiceError("this one takes exactly one")
    return {field: ids if many else ids[0]}


def _person(emulator: SlackEmulator, word: str) -> str:
    user = emulator.user_by_name(word.removeprefix("@"))
    if user is None:
        raise ChoiceError(f"no one called {word!r} here; type `people` to see who is")
    return user.id


def _place(emulator: SlackEmulator, word: str) -> str:
    channel = emulator.channel_by_name(word.removeprefix("#"))
    if channel is None:
        raise ChoiceError(f"there is no {word!r}; type `channels` to see them")
    return channel.id


def _options(element: Mapping[str, Any], text: str, *, many: bool) -> Any:
    """Options by the start of their label (or their value): one, or for checkboxes and multi
    selects a comma-separated list (`none` for none)."""
    options = [o for o in element.get("options") or [] if isinstance(o, dict)]
    wanted = [label_words(part) for part in text.split(",") if label_words(part)]
    if many and wanted == ["none"]:
        return []
    found = []
    for words in wanted:
        option = next(
            (
                o
                for o in options
                if label_words(words_of(o.get("text"))).startswith(words)
                or label_words(str(o.get("value", ""))) == words
            ),
            None,
        )
        if option is None:
            labels = ", ".join(words_of(o.get("text")) for o in options)
            raise ChoiceError(f"no option {words!r}; the options are: {labels}")
        found.append(option)
    if many:
        return found
    if len(found) != 1:
        raise ChoiceError("choose exactly one option")
    return found[0]


def pick(
    sandbox: Sandbox, say: Say, user: SlackUser, sees: Callable[[Message], bool], text: str
) -> Delivery | None:
    """Choose `text` in the newest message `user` sees that has something to choose from
    (the weekly prompt's people picker, a select): Slack tells the app at once."""
    if not text:
        say(f"Pick what? For example `{user.name}: pick @bob @carol`.")
        return None
    for message in reversed(sandbox.emulator.messages()):
        element = picker_in(message.blocks) if sees(message) else None
        if element is None:
            continue
        try:
            fields = chosen(element, text, sandbox.emulator)
        except ChoiceError as problem:
            say(f"(@{user.name} can't pick that: {problem})")
            return None
        label = words_of(element.get("placeholder")) or str(element.get("type"))
        say(f"(@{user.name} picks {text} in [{label}])")
        return sandbox.driver.click(user.id, message, element["action_id"], chosen=fields)
    say(f"@{user.name} sees nothing to pick from.")
    return None


def fill(
    sandbox: Sandbox,
    say: Say,
    user: SlackUser,
    view: Mapping[str, Any],
    filled: dict[str, dict[str, Any]],
    text: str,
) -> Delivery | None:
    """`LABEL: VALUE` into the open form `view`'s input whose label starts with LABEL, kept in
    `filled` until the form is sent; an input that asks to be told at once tells the app."""
    label, colon, value = text.partition(":")
    found = input_labelled(view.get("blocks") or [], label_words(label)) if colon else None
    if found is None:
        labels = [
            words_of(b.get("label")) for b in view.get("blocks") or [] if b.get("type") == "input"
        ]
        say(
            f"Fill in which? For example `{user.name}: fill {labels[0] if labels else 'Label'}: "
            f"words`. This form has: {', '.join(labels) or 'nothing to fill in'}."
        )
        return None
    block, element = found
    try:
        fields = chosen(element, value, sandbox.emulator)
    except ChoiceError as problem:
        say(f"(@{user.name} can't fill that in: {problem})")
        return None
    filled[block["block_id"]] = fields
    say(f"(@{user.name} fills in “{words_of(block.get('label'))}”: {value.strip()})")
    if not block.get("dispatch_action"):
        return None
    state = form_state(view, "", filled)
    return sandbox.driver.click_in_view(
        user.id, view, element["action_id"], chosen=fields, state=state
    )
