"""The weekly "Who helped you this week?" DM, what it becomes once answered or stopped, and
the thanks it leads to.

The DM's buttons and picker sit in one actions block whose block_id names the person the
prompt is for, so a click from anyone else is recognised and refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.favours.blocks import context, quote, section
from bot.prompts.answers import MAX_PEOPLE, PUBLIC, Answer
from bot.slack.ids import PROMPT_PICK, PROMPT_RESUME, PROMPT_STOP
from bot.slack.messages import Message, join_names, mention
from bot.thanks.blocks import thanks_message

PROMPT_BLOCK = "prompt:"
QUESTION = "Who helped you this week?"
RESUMED = ":white_check_mark: Prompts are back on: you'll hear from me next week."


def prompt_block_id(user_id: str, stage: str) -> str:
    # Slack asks for a new block_id when a message is updated, or a client may keep the old
    # block's state (a picker's selection): the stage makes each version's id its own.
    return f"{PROMPT_BLOCK}{user_id}:{stage}"


def prompt_recipient(block_id: object) -> str | None:
    """Whom a prompt's actions block is for; None when it is not one of ours."""
    if not isinstance(block_id, str) or not block_id.startswith(PROMPT_BLOCK):
        return None
    return block_id.removeprefix(PROMPT_BLOCK).partition(":")[0] or None


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _button(action_id: str, label: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": _plain(label),
        "value": action_id,
    }
    if style:
        button["style"] = style
    return button


def prompt_message(user_id: str, *, resumed: bool = False) -> Message:
    """The weekly DM: a kind question, a people picker, and a way to stop these prompts."""
    intro = (
        f":wave: *{QUESTION}*\n"
        "A quick answer, a review, someone who covered for you: pick the people who made your "
        "week easier. You'll say what they did, and thank them publicly or keep it private."
    )
    if resumed:
        intro = f"{RESUMED}\n\n{intro}"
    blocks: list[dict[str, Any]] = [section(intro)]
    picker = {
        "type": "multi_users_select",
        "action_id": PROMPT_PICK,
        "placeholder": _plain("Pick people"),
        "max_selected_items": MAX_PEOPLE,
    }
    blocks.append(
        {
            "type": "actions",
            "block_id": prompt_block_id(user_id, "resumed" if resumed else "asked"),
            "elements": [picker, _button(PROMPT_STOP, "Stop these prompts")],
        }
    )
    blocks.append(context("Only you can see this. Nothing is recorded until you save the form."))
    return {"text": QUESTION, "blocks": blocks}


def prompt_answered(user_id: str, answers: Sequence[Answer], celebrated_in: str | None) -> Message:
    """The DM once answered: what was recorded, in place of the picker."""
    lines = []
    for answer in answers:
        if answer.how == PUBLIC:
            where = f"celebrated in <#{celebrated_in}>" if celebrated_in else "sent to them"
            lines.append(f"• thanks to {mention(answer.helper_id)}, {where}")
        else:
            lines.append(f"• a {answer.how} favour from {mention(answer.helper_id)}, kept private")
    headline = "Thanks for telling us — recorded:"
    blocks: list[dict[str, Any]] = [
        section(f":sparkles: {headline}\n" + "\n".join(lines)),
        context("Your exchanges are yours to see with `/favor balance`. See you next week!"),
        {
            "type": "actions",
            "block_id": prompt_block_id(user_id, "answered"),
            "elements": [_button(PROMPT_STOP, "Stop these prompts")],
        },
    ]
    people = join_names([mention(a.helper_id) for a in answers])
    return {"text": f"{headline} {people}.", "blocks": blocks}


def prompts_stopped(user_id: str) -> Message:
    text = (
        "Done: no more weekly prompts. You can still thank people any time with "
        "`/thanks @someone`, or log a favour with `/favor @someone`."
    )
    return {
        "text": text,
        "blocks": [
            section(f":white_check_mark: {text}"),
            {
                "type": "actions",
                "block_id": prompt_block_id(user_id, "stopped"),
                "elements": [_button(PROMPT_RESUME, "Turn prompts back on")],
            },
        ],
    }


def prompts_resumed(user_id: str) -> Message:
    return prompt_message(user_id, resumed=True)


def celebration(thanker_id: str, answers: Sequence[Answer]) -> Message:
    """One public message for everyone thanked publicly from one form."""
    if len(answers) == 1:
        [answer] = answers
        message = thanks_message((answer.helper_id,), thanker_id, answer.what, ())
        return {"text": message["text"], "blocks": message["blocks"]}
    helpers = join_names([mention(a.helper_id) for a in answers])
    headline = f":sparkles: {helpers} — thank you from {mention(thanker_id)}!"
    blocks = [section(headline)]
    blocks += [section(f"{mention(a.helper_id)}\n{quote(a.what)}") for a in answers]
    return {"text": headline, "blocks": blocks}


def thanked_you(thanker_id: str, answer: Answer) -> Message:
    """Public thanks told to the person directly, when there is no channel to celebrate in."""
    headline = f":sparkles: {mention(thanker_id)} thanked you for your help this week!"
    return {
        "text": headline,
        "blocks": [section(f"{headline}\n{quote(answer.what)}")],
    }
