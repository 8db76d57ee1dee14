"""What Goodwill says about capacity: to the member themselves, on their Home, and to someone
who reaches for them while they are busy (only when the spell is running, and naming only
whom the member chose to name)."""

from __future__ import annotations

from typing import Any

from bot.busy.rules import Busy
from bot.favours.blocks import section
from bot.slack.ids import HOME_AVAILABLE, HOME_BUSY
from bot.slack.messages import Message, ephemeral, mention

Block = dict[str, Any]


def when(busy: Busy) -> str:
    """The end of the spell, shown in the reader's own time zone by Slack."""
    stamp = int(busy.until.timestamp())
    return f"<!date^{stamp}^{{date_short_pretty}} {{time}}|{busy.until:%Y-%m-%d %H:%M} UTC>"


def busy_note(busy: Busy) -> str:
    """For someone who reaches for a busy member: "busy until …; @x may help"."""
    words = f"{mention(busy.user_id)} is busy until {when(busy)}"
    if busy.instead_id is not None:
        words += f"; {mention(busy.instead_id)} may help"
    return words + "."


def asked_while_busy(away: list[Busy]) -> Message:
    """The ask's author's private answer when it names someone at capacity; nothing to say
    (the ask is in the channel for all to see) when it names nobody who is."""
    if not away:
        return {}
    notes = " ".join(busy_note(busy) for busy in away)
    return ephemeral(f"Your ask is posted. Heads-up: {notes}")


def busy_set(busy: Busy) -> Message:
    text = (
        f":hourglass: You're at capacity until {when(busy)}. Nobody will be suggested to ask "
        "you, and no nudge will ask you to give. It ends by itself; `/favor available` ends it "
        "sooner."
    )
    if busy.instead_id is not None:
        text += f" Those who reach for you will hear that {mention(busy.instead_id)} may help."
    return ephemeral(text)


def available_again(was_busy: bool) -> Message:
    if was_busy:
        return ephemeral(":white_check_mark: You're available again.")
    return ephemeral("You weren't marked busy, so nothing changed: you're available.")


def home_busy_blocks(busy: Busy | None) -> list[Block]:
    """The Home's line about capacity, with its button."""
    if busy is None:
        text = "*Capacity*: available. At capacity? Say so and nobody will be pointed your way."
        button = _button(HOME_BUSY, "I'm at capacity this week", "this week")
    else:
        text = f":hourglass: *You're at capacity* until {when(busy)}."
        if busy.instead_id is not None:
            text += f" You named {mention(busy.instead_id)} to ask instead."
        button = _button(HOME_AVAILABLE, "I'm available", "available")
    return [{**section(text), "block_id": "capacity", "accessory": button}]


def _button(action_id: str, label: str, value: str) -> Block:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": label},
        "value": value,
    }
