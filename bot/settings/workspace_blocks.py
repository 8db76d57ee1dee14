"""The workspace's part of the settings modal: the digest, the credit emoji, fair use,
decay, nudges and the weekly prompt, each field named as in `bot.settings.workspace`
(block_id and action_id alike), so that a problem found there shows under its field."""

from __future__ import annotations

from typing import Any

from bot.settings.workspace import (
    ASK_EXPIRY_DAYS,
    CREDIT_EMOJI,
    DIGEST_CHANNEL,
    DIGEST_HOUR,
    DIGEST_WEEKDAY,
    GROUP_THANKS_MAX,
    HALF_LIFE_DAYS,
    NUDGE_ASK_TOO_MIN_PEOPLE,
    NUDGE_GIVE_BACK_MIN_PEOPLE,
    NUDGE_PAIR_MIN_WEIGHT,
    NUMBER_RANGES,
    PAIR_DAILY_CAP,
    PROMPT_HOUR,
    PROMPT_WEEKDAY,
    QUIET_MENTIONS,
    SEARCH_LANGUAGE,
    TIMEZONE,
    WorkspaceSettings,
)
from bot.suggestions.search import DEFAULT_LANGUAGE, LANGUAGES

Block = dict[str, Any]

QUIET = "quiet"  # the value of the quiet-mentions checkbox
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HOURS = tuple(f"{hour:02d}:00" for hour in range(24))

NUMBER_WORDS = {
    PAIR_DAILY_CAP: ("Most credits a day from one person to another", "Stops anyone gaming it."),
    GROUP_THANKS_MAX: (
        "Largest user group thanked at once",
        "/thanks @group credits each member; a larger group is refused.",
    ),
    HALF_LIFE_DAYS: (
        "Days after which help counts half",
        "Balances fade with time, so old help weighs less than new.",
    ),
    NUDGE_PAIR_MIN_WEIGHT: (
        "Nudge after one-sided help weighing",
        "A small favour weighs 1, a big one 3. The person helped gets a private nudge.",
    ),
    NUDGE_ASK_TOO_MIN_PEOPLE: (
        "Nudge to ask too after helping this many people",
        "For people who give a lot and never ask.",
    ),
    NUDGE_GIVE_BACK_MIN_PEOPLE: (
        "Nudge to give back after help from this many people",
        "For people who received from many and helped no one yet.",
    ),
    ASK_EXPIRY_DAYS: (
        "Days an ask or offer stays open",
        "Still open after that, it closes on its own, and its author gets a note.",
    ),
}


def workspace_blocks(settings: WorkspaceSettings) -> list[Block]:
    channel: Block = {
        "type": "conversations_select",
        "action_id": DIGEST_CHANNEL,
        "placeholder": _plain("Pick a channel"),
        "filter": {
            "include": ["public", "private"],
            "exclude_bot_users": True,
            "exclude_external_shared_channels": True,
        },
    }
    if settings.digest_channel_id:
        channel["initial_conversation"] = settings.digest_channel_id
    quiet: Block = {
        "type": "checkboxes",
        "action_id": QUIET_MENTIONS,
        "options": [_option("Quiet mentions: names in the digest, without notifying", QUIET)],
    }
    if settings.quiet_mentions:
        quiet["initial_options"] = quiet["options"]
    blocks: list[Block] = [
        {"type": "header", "text": _plain("Workspace settings")},
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "Only admins and owners can change these."}],
        },
        _input(
            DIGEST_CHANNEL,
            "Weekly digest channel",
            channel,
            optional=True,
            hint="Leave it empty for no digest. I'll say hello in a new channel, to check I can "
            "post there.",
        ),
        _select(DIGEST_WEEKDAY, "Digest day", DAYS, settings.digest_weekday),
        _select(DIGEST_HOUR, "Digest hour", HOURS, settings.digest_hour),
        _input(
            TIMEZONE,
            "Digest time zone",
            {
                "type": "plain_text_input",
                "action_id": TIMEZONE,
                "initial_value": settings.timezone,
                "max_length": 64,
            },
            hint="A time zone name, such as Europe/Oslo, America/New_York or UTC.",
        ),
        _input(QUIET_MENTIONS, "Mentions", quiet, optional=True),
        _input(
            CREDIT_EMOJI,
            "Credit emoji",
            {
                "type": "plain_text_input",
                "action_id": CREDIT_EMOJI,
                "initial_value": ", ".join(settings.credit_emoji),
            },
            hint="Reacting with one of these to someone's message thanks them. Names, separated "
            "by commas.",
        ),
    ]
    for name, (label, hint) in NUMBER_WORDS.items():
        blocks.append(_number(name, label, hint, int(getattr(settings, name))))
    blocks.append(
        _select(PROMPT_WEEKDAY, "“Who helped you?” day", DAYS, settings.prompt_weekday),
    )
    blocks.append(
        _select(
            PROMPT_HOUR,
            "“Who helped you?” hour",
            HOURS,
            settings.prompt_hour,
            hint="In each person's own time zone.",
        )
    )
    blocks.append(
        _select(
            SEARCH_LANGUAGE,
            "Language of asks",
            tuple(language.capitalize() for language in LANGUAGES),
            LANGUAGES.index(settings.search_language)
            if settings.search_language in LANGUAGES
            else LANGUAGES.index(DEFAULT_LANGUAGE),
            hint="To find people likely to help with an ask, from what they offer, were "
            "thanked for in public and list as skills.",
        )
    )
    return blocks


HOURS = tuple(f"{hour:02d}:00" for hour in range(24))


def _select(
    name: str, label: str, choices: tuple[str, ...], chosen: int, hint: str | None = None
) -> Block:
    options = [_option(text, str(index)) for index, text in enumerate(choices)]
    element: Block = {"type": "static_select", "action_id": name, "options": options}
    if 0 <= chosen < len(options):
        element["initial_option"] = options[chosen]
    return _input(name, label, element, hint=hint)


def _number(name: str, label: str, hint: str, value: int) -> Block:
    low, high = NUMBER_RANGES[name]
    element = {
        "type": "number_input",
        "action_id": name,
        "is_decimal_allowed": False,
        "initial_value": str(value),
        "min_value": str(low),
        "max_value": str(high),
    }
    return _input(name, label, element, hint=hint)


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": _plain(text), "value": value}


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
