"""Nudge DMs and what they turn into after a click. Private, short and kind: a nudge only
ever mentions the person's own exchanges, in their own words.

Every button carries the nudge's outbox key; the listeners look the nudge up by it, so a
button only ever acts for the person the nudge was sent to.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from bot.favours.blocks import context, one_line, section
from bot.nudges.candidate import NudgeCandidate
from bot.nudges.rules import ASK_TOO, GIVE_BACK
from bot.slack.ids import (
    NUDGE_NOT_NOW,
    NUDGE_OFFER_HELP,
    NUDGE_RESUME,
    NUDGE_SAY_THANKS,
    NUDGE_STOP,
)
from bot.slack.messages import Message, mention

REASON_PREVIEW = 150
WEEKS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}
RARE = "Nudges are rare: at most one a week, in your working hours. Only you can see this."


def nudge_message(key: str, nudge: NudgeCandidate, reasons: Sequence[str]) -> Message:
    """The DM: why now, what they could do, and buttons to do it or to say no."""
    if nudge.kind == ASK_TOO:
        text = (
            f":sparkles: You've helped {_people(nudge.people)} {over(nudge.span)}. Thank you! "
            "Asking is part of the rhythm too, and people like to return a hand. When "
            "something would help you, type `/favor ask what you need` in any channel."
        )
        return _with_buttons(key, text, [section(text)], pair=False)
    if nudge.kind == GIVE_BACK:
        text = (
            f":seedling: {_people(nudge.people).capitalize()} gave you a hand "
            f"{over(nudge.span)}. When you have something to share (an hour, a review, a "
            "skill), type `/favor offer what you can give` in a channel, or look out for asks "
            "you could help with."
        )
        return _with_buttons(key, text, [section(text)], pair=False)
    helper = mention(nudge.about_id or "")
    if reasons:
        lines = "\n".join(f"• _{one_line(r, REASON_PREVIEW).replace('_', ' ')}_" for r in reasons)
        headline = f":wave: {helper} has given you a hand a few times lately:\n{lines}"
    else:
        headline = f":wave: {helper} has given you a hand a few times lately."
    invitation = (
        "Why not let them know it mattered? A thank-you, or a hand in return, keeps the give "
        "and take going."
    )
    text = f":wave: {helper} has given you a hand a few times lately. {invitation}"
    blocks = [section(headline), section(invitation)]
    return _with_buttons(key, text, blocks, pair=True)


def over(span: timedelta | None) -> str:
    """The time the credits counted really span, in words: the oldest counted was given
    `span` ago (never "two months" for help that came in one day)."""
    days = math.ceil((span or timedelta()) / timedelta(days=1))
    if days <= 7:
        return "this past week"
    weeks = math.ceil(days / 7)
    if weeks <= 4:
        return f"these past {WEEKS[weeks]} weeks"
    if days <= 31:
        return "this past month"
    if weeks <= 8:
        return f"these past {WEEKS[weeks]} weeks"
    return "these past two months"


def _with_buttons(key: str, text: str, blocks: list[dict[str, Any]], *, pair: bool) -> Message:
    buttons = []
    if pair:  # there is someone to thank, or to help in return
        buttons = [
            _button(NUDGE_SAY_THANKS, "Say thanks", key, style="primary"),
            _button(NUDGE_OFFER_HELP, "Offer help", key),
        ]
    buttons += [_button(NUDGE_NOT_NOW, "Not now", key), _stop_button(key)]
    blocks = [*blocks, {"type": "actions", "block_id": "nudge", "elements": buttons}]
    return {"text": text, "blocks": [*blocks, context(RARE)]}


def nudge_set_aside(key: str) -> Message:
    """**Not now**: the nudge steps back, and the way to stop them for good stays at hand."""
    text = ":ok_hand: No problem, I'll leave it there. You won't hear about this again for a while."
    return {
        "text": text,
        "blocks": [section(text), {"type": "actions", "elements": [_stop_button(key)]}],
    }


def nudges_stopped(key: str) -> Message:
    """**Stop these nudges**: done at once, and undoable from the same message."""
    text = (
        ":no_bell: Done: no more nudges from me. If you change your mind, turn them back on here."
    )
    resume = _button(NUDGE_RESUME, "Turn nudges back on", key)
    return {"text": text, "blocks": [section(text), {"type": "actions", "elements": [resume]}]}


def nudges_resumed(key: str) -> Message:
    text = f":bell: Nudges are back on. {RARE}"
    return {
        "text": text,
        "blocks": [section(text), {"type": "actions", "elements": [_stop_button(key)]}],
    }


def nudge_offered(about_id: str) -> Message:
    """The nudge once its **Offer help** was sent: no buttons left to press."""
    text = (
        f":handshake: You offered {mention(about_id)} a hand, and I passed it on. "
        "They can reply to you directly."
    )
    return {"text": text, "blocks": [section(text)]}


def _people(count: int) -> str:
    return "one person" if count == 1 else f"{count} people"


def _stop_button(key: str) -> dict[str, Any]:
    return _button(NUDGE_STOP, "Stop these nudges", key)


def _button(action_id: str, label: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": label},
        "value": value,
    }
    if style:
        button["style"] = style
    return button
