"""What the action listeners share: reading a click, and Slack calls that may fail quietly."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from bot.blocks.common import Message
from bot.parsing import USER_MENTION
from bot.slack_api import MAY_NOT_HAVE_HAPPENED

log = logging.getLogger(__name__)

BUTTON_GONE = "That button no longer works. Nothing was changed."


@dataclass(frozen=True)
class Click:
    team_id: str
    user_id: str
    value: str


def click_of(body: dict[str, Any], action: dict[str, Any]) -> Click:
    team = body.get("team") or {}
    user = body.get("user") or {}
    return Click(
        str(team.get("id") or ""), str(user.get("id") or ""), str(action.get("value") or "")
    )


def answer_of(value: str) -> tuple[str, str] | None:
    """`public_id|responder_id` from a DM button, or None when it is not one of ours."""
    public_id, _, responder_id = value.partition("|")
    if not public_id or USER_MENTION.fullmatch(f"<@{responder_id}>") is None:
        return None
    return public_id, responder_id


def update(client: WebClient, channel_id: str, ts: str | None, message: Message) -> None:
    """chat.update a message the bot posted; a message deleted meanwhile is no reason to fail."""
    if not ts:
        return
    try:
        client.chat_update(channel=channel_id, ts=ts, **message)
    except MAY_NOT_HAVE_HAPPENED:
        log.warning("could not update message %s in %s", ts, channel_id, exc_info=True)


def send_dm(client: WebClient, user_id: str, message: Message) -> None:
    try:
        client.chat_postMessage(channel=user_id, **message)
    except MAY_NOT_HAVE_HAPPENED:
        log.warning("could not send a DM to %s", user_id, exc_info=True)
