"""The settings modal (`/favor settings`, and the Home's **Edit settings** for admins), and
reading what was submitted.

The modal holds a member's own part, the workspace's part (admins only), or both; which ones
it holds rides in `private_metadata`, so the submission is read as it was offered. Each
workspace field's block_id and action_id are the field's name in
`bot.settings.workspace`, so a problem found there is shown under its field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.errors import InputError, InvalidSettingsError, NotAllowedError
from bot.settings.personal import (
    DIGEST_MENTIONS,
    NUDGES,
    PERSONAL_SETTINGS,
    PROMPTS,
    REACTION_CONFIRMATIONS,
    SUGGESTIONS,
    PersonalSettings,
    SettingsForm,
)
from bot.settings.workspace import (
    CREDIT_EMOJI,
    DIGEST_CHANNEL,
    DIGEST_HOUR,
    DIGEST_WEEKDAY,
    NUMBER_RANGES,
    PROMPT_HOUR,
    PROMPT_WEEKDAY,
    QUIET_MENTIONS,
    SEARCH_LANGUAGE,
    TIMEZONE,
    WorkspaceForm,
    WorkspaceSettings,
)
from bot.settings.workspace_blocks import QUIET, workspace_blocks
from bot.slack.ids import SETTINGS_MODAL
from bot.thanks.parsing import USER_MENTION

View = dict[str, Any]
Block = dict[str, Any]

PERSONAL = "personal"  # the block (and checkboxes) of the member's own settings
WORKSPACE = "workspace"

# Each personal setting: its name, and what it does (a checkbox's description holds 75).
SETTING_WORDS = {
    NUDGES: (
        "Private nudges",
        "Now and then, a private note when an exchange has become one-sided.",
    ),
    PROMPTS: (
        "“Who helped you this week?”",
        "A short weekly message to thank people you might have missed.",
    ),
    DIGEST_MENTIONS: (
        "Your name in the weekly digest",
        "When it's off, the digest says “someone” instead of your name.",
    ),
    REACTION_CONFIRMATIONS: (
        "Reaction confirmations",
        "A private note when your emoji reaction thanks someone.",
    ),
    SUGGESTIONS: (
        "Suggest me as a helper",
        "Asks that match what you offer or were thanked for may suggest you.",
    ),
}

EXPIRED = "This form has expired. Close it and open your settings again."


def settings_modal(personal: PersonalSettings | None, workspace: WorkspaceSettings | None) -> View:
    parts = [name for name, part in ((PERSONAL, personal), (WORKSPACE, workspace)) if part]
    blocks: list[Block] = []
    if personal is not None:
        blocks.extend(_personal_blocks(personal))
    if workspace is not None:
        if blocks:
            blocks.append({"type": "divider"})
        blocks.extend(workspace_blocks(workspace))
    return {
        "type": "modal",
        "callback_id": SETTINGS_MODAL,
        "title": _plain("Goodwill settings"),
        "submit": _plain("Save"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps({"parts": parts}, separators=(",", ":")),
        "blocks": blocks,
    }


def expired_view() -> View:
    return {
        "type": "modal",
        "callback_id": SETTINGS_MODAL,
        "title": _plain("Goodwill settings"),
        "close": _plain("Close"),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": EXPIRED}}],
    }


def read_settings_form(view: Mapping[str, Any]) -> SettingsForm | None:
    """What was submitted; None when the view is not a settings form of ours."""
    parts = _parts(view.get("private_metadata"))
    if parts is None:
        return None
    state = (view.get("state") or {}).get("values") or {}

    def field(name: str) -> Mapping[str, Any]:
        found = (state.get(name) or {}).get(name) if isinstance(state, Mapping) else None
        return found if isinstance(found, Mapping) else {}

    personal = None
    if PERSONAL in parts:
        chosen = _chosen(field(PERSONAL))
        personal = PersonalSettings(**{name: name in chosen for name in PERSONAL_SETTINGS})
    workspace = None
    if WORKSPACE in parts:
        channel = field(DIGEST_CHANNEL).get("selected_conversation")
        answers: dict[str, str | None] = {}
        for name in (DIGEST_WEEKDAY, DIGEST_HOUR, PROMPT_WEEKDAY, PROMPT_HOUR, SEARCH_LANGUAGE):
            option = field(name).get("selected_option")
            answers[name] = _text(option.get("value")) if isinstance(option, Mapping) else None
        for name in (TIMEZONE, CREDIT_EMOJI, *NUMBER_RANGES):
            answers[name] = _text(field(name).get("value"))
        workspace = WorkspaceForm(
            digest_channel_id=channel if isinstance(channel, str) and channel else None,
            quiet_mentions=QUIET in _chosen(field(QUIET_MENTIONS)),
            answers=answers,
        )
    return SettingsForm(personal, workspace)


def form_errors(error: InputError, form: SettingsForm) -> dict[str, str]:
    """`response_action: errors` for a refusal, under the fields it is about (plain text)."""
    if isinstance(error, InvalidSettingsError):
        return dict(error.problems)
    if isinstance(error, NotAllowedError) or form.personal is None:
        where = DIGEST_CHANNEL  # only the workspace's part is for admins alone
    else:
        where = PERSONAL
    return {where: USER_MENTION.sub("them", error.user_message).replace("`", "")}


def _personal_blocks(personal: PersonalSettings) -> list[Block]:
    options = [
        {
            "text": _plain(SETTING_WORDS[name][0]),
            "description": _plain(SETTING_WORDS[name][1]),
            "value": name,
        }
        for name in PERSONAL_SETTINGS
    ]
    element: Block = {"type": "checkboxes", "action_id": PERSONAL, "options": options}
    chosen = [option for option in options if getattr(personal, str(option["value"]))]
    if chosen:
        element["initial_options"] = chosen
    return [_input(PERSONAL, "Your settings", element, optional=True, hint="Ticked means on.")]


def _parts(raw: object) -> frozenset[str] | None:
    try:
        data = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return None
    parts = data.get("parts") if isinstance(data, dict) else None
    if not isinstance(parts, list) or not parts:
        return None
    found = frozenset(part for part in parts if part in (PERSONAL, WORKSPACE))
    return found if len(found) == len(parts) else None


def _chosen(field: Mapping[str, Any]) -> frozenset[str]:
    options = field.get("selected_options")
    if not isinstance(options, list):
        return frozenset()
    return frozenset(
        option["value"]
        for option in options
        if isinstance(option, Mapping) and isinstance(option.get("value"), str)
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _input(
    block_id: str, label: str, element: Block, *, optional: bool = False, hint: str | None = None
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint)
    return block
