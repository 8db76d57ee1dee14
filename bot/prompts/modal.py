"""The "Who helped you this week?" form: the people picked, and for each what they did and
how to thank them; reading it back; and showing refusals beside the person they are about.

Slack sends a multi-select's selection each time an item is chosen, so the first person
picked in the DM opens the form. The form carries the picker too (same action_id, with
`dispatch_action`), and every change there rebuilds the form for the new selection: Slack
keeps what was typed in fields whose block_id and action_id stay the same.

The form keeps what it is about in `private_metadata` (JSON): whose prompt, the DM it came
in, the selection it was built for and the people it asks about.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.errors import InputError, PromptAnswersError, UnknownMemberError
from bot.favours.blocks import context, section
from bot.prompts.answers import (
    BOT,
    FAVOR_SIZES,
    INACTIVE,
    MAX_PEOPLE,
    MAX_WHAT,
    PUBLIC,
    SELF,
    Answer,
    LeftOut,
    PickReview,
)
from bot.slack.ids import PROMPT_MODAL, PROMPT_PICK
from bot.thanks.parsing import USER_MENTION, escape_text

View = dict[str, Any]

# The picker's block_id; each person's fields are `what:U123` and `how:U123`, whose
# action_ids are WHAT and HOW.
PEOPLE = "people"
WHAT = "what"
HOW = "how"
TITLE = "Who helped you?"
EXPIRED = (
    "I can't read this form any more, so nothing was recorded. Pick the people again in my message."
)
CATCHING_UP = "One moment: the form is still catching up with who you picked. Save again."
NOBODY = "Pick the people who helped you this week."


@dataclass(frozen=True)
class PromptRef:
    """The prompt a form answers: whose it is and where its DM is, to update it afterwards."""

    user_id: str
    channel_id: str
    message_ts: str


@dataclass(frozen=True)
class PromptForm:
    prompt: PromptRef
    answers: tuple[Answer, ...]
    # The picker's selection when saved, against the one the fields were made for: they
    # differ when the person saved before the form had caught up with a change.
    selected: tuple[str, ...] | None
    picked: tuple[str, ...]

    @property
    def caught_up(self) -> bool:
        return self.selected is None or set(self.selected) == set(self.picked)


def what_block(user_id: str) -> str:
    return f"{WHAT}:{user_id}"


def how_block(user_id: str) -> str:
    return f"{HOW}:{user_id}"


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": _plain(text), "value": value}


HOW_OPTIONS = [_option("Thank them publicly", PUBLIC)] + [
    _option(f"Log a {size} favour, privately", size) for size in FAVOR_SIZES
]


def prompt_modal(review: PickReview, prompt: PromptRef) -> View:
    """The form for the people picked, with the picker to add or remove people."""
    where = (
        f"public thanks are celebrated in <#{review.public_channel_id}>"
        if review.public_channel_id
        else "public thanks are sent to the person"
    )
    picker: dict[str, Any] = {
        "type": "multi_users_select",
        "action_id": PROMPT_PICK,
        "max_selected_items": MAX_PEOPLE,
        "placeholder": _plain("Pick people"),
    }
    if review.picked:
        picker["initial_users"] = list(review.picked)
    blocks: list[dict[str, Any]] = [
        {
            "type": "input",
            "block_id": PEOPLE,
            "dispatch_action": True,
            "label": _plain("Who helped you this week?"),
            "element": picker,
            "hint": _plain(f"Up to {MAX_PEOPLE} people."),
        },
        context(
            f"For each person, say what they did: {where}; a favour stays private, between "
            "the two of you and your `/favor balance`."
        ),
    ]
    for person in review.people:
        blocks += [
            {"type": "divider"},
            {
                "type": "input",
                "block_id": what_block(person.user_id),
                "label": _plain(f"What did {person.label} do?"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": WHAT,
                    "multiline": True,
                    "max_length": MAX_WHAT,
                    "placeholder": _plain("reviewed my pull request the same afternoon"),
                },
            },
            {
                "type": "input",
                "block_id": how_block(person.user_id),
                "label": _plain(f"Thank {person.label} publicly, or keep it private?"),
                "element": {
                    "type": "radio_buttons",
                    "action_id": HOW,
                    "options": HOW_OPTIONS,
                    "initial_option": HOW_OPTIONS[0],
                },
            },
        ]
    notes = [_left_out_note(person) for person in review.left_out]
    if review.beyond_limit:
        notes.append(
            f"This form takes {MAX_PEOPLE} people at a time, so the last "
            f"{review.beyond_limit} you picked aren't here: thank them with `/thanks @someone`."
        )
    if notes:
        blocks.append(context("\n".join(notes)))
    metadata = {
        "user_id": prompt.user_id,
        "channel_id": prompt.channel_id,
        "message_ts": prompt.message_ts,
        "picked": list(review.picked),
        "people": [person.user_id for person in review.people],
    }
    return {
        "type": "modal",
        "callback_id": PROMPT_MODAL,
        "title": _plain(TITLE),
        "submit": _plain("Save"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps(metadata, separators=(",", ":")),
        "blocks": blocks,
    }


def form_gone() -> View:
    """What a form turns into when it can't be read back (or isn't the submitter's own)."""
    return {
        "type": "modal",
        "callback_id": PROMPT_MODAL,
        "title": _plain(TITLE),
        "close": _plain("OK"),
        "blocks": [section(EXPIRED)],
    }


def _left_out_note(person: LeftOut) -> str:
    if person.why == SELF:
        return "You picked yourself: this is for the people who helped you, so you're left out."
    if person.why == BOT:
        return f"{person.label} is a bot, and bots don't need thanks, so they're left out."
    if person.why == INACTIVE:
        return f"{person.label} is no longer active in this workspace, so they're left out."
    return "I couldn't find one of the people you picked in this workspace, so they're left out."


def read_prompt_ref(view: Mapping[str, Any]) -> PromptRef | None:
    """Whose prompt a form answers; None when the view does not carry a prompt of ours."""
    data = _metadata(view)
    return _ref(data) if data is not None else None


def read_prompt_form(view: Mapping[str, Any]) -> PromptForm | None:
    """What was submitted; None when the view does not carry a prompt of ours."""
    data = _metadata(view)
    prompt = _ref(data) if data is not None else None
    if data is None or prompt is None:
        return None
    people, picked = _user_ids(data.get("people")), _user_ids(data.get("picked"))
    if people is None or picked is None:
        return None
    state = (view.get("state") or {}).get("values") or {}

    def field(block_id: str, action_id: str) -> Mapping[str, Any]:
        found = (state.get(block_id) or {}).get(action_id)
        return found if isinstance(found, Mapping) else {}

    answers = []
    for user_id in people[:MAX_PEOPLE]:
        what = field(what_block(user_id), WHAT).get("value")
        how = (field(how_block(user_id), HOW).get("selected_option") or {}).get("value")
        answers.append(
            Answer(
                helper_id=user_id,
                # Plain text, escaped as a slash command's arrives: typed markup stays words.
                what=escape_text(what) if isinstance(what, str) else "",
                how=how if how in (PUBLIC, *FAVOR_SIZES) else PUBLIC,
            )
        )
    selected = field(PEOPLE, PROMPT_PICK).get("selected_users")
    return PromptForm(
        prompt=prompt,
        answers=tuple(answers),
        selected=tuple(str(u) for u in selected) if isinstance(selected, list) else None,
        picked=tuple(picked),
    )


def answer_errors(error: PromptAnswersError) -> dict[str, str]:
    """`response_action: errors`: each refusal under the person's "what did they do" field.

    Slack shows these errors as plain text, where a `<@U123>` mention would appear as is.
    """
    return {
        what_block(user_id): _problem_text(problem) for user_id, problem in error.problems.items()
    }


def _problem_text(problem: InputError) -> str:
    if isinstance(problem, UnknownMemberError):
        return "I couldn't find this person in the workspace. Remove them and pick someone else."
    return USER_MENTION.sub("them", problem.user_message)


def _metadata(view: Mapping[str, Any]) -> dict[str, Any] | None:
    raw = view.get("private_metadata")
    try:
        data = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _ref(data: Mapping[str, Any]) -> PromptRef | None:
    fields = [data.get(key) for key in ("user_id", "channel_id", "message_ts")]
    if not all(isinstance(f, str) and f for f in fields):
        return None
    user_id, channel_id, message_ts = (str(f) for f in fields)
    return PromptRef(user_id, channel_id, message_ts)


def _user_ids(value: object) -> list[str] | None:
    if not isinstance(value, list):
        return None
    if not all(isinstance(v, str) and USER_MENTION.fullmatch(f"<@{v}>") for v in value):
        return None
    return [str(v) for v in value]
