"""What the action listeners share: reading a click, and Slack calls that may fail quietly."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.error import URLError

from slack_bolt.request.internals import extract_team_id
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.api import MAY_NOT_HAVE_HAPPENED, NOT_SENT
from bot.slack.messages import Message
from bot.thanks.parsing import USER_MENTION

log = logging.getLogger(__name__)

BUTTON_GONE = "That button no longer works. Nothing was changed."
# Slack's answers when the bot may not post in a channel (a private channel or a DM it is not
# in, an archived channel).
CHANNEL_OUT_OF_REACH = frozenset({"channel_not_found", "not_in_channel", "is_archived"})
FORM_DID_NOT_OPEN = (
    "I couldn't open the form just now (Slack gives a click only a few seconds to open one). "
    "Please try again."
)


@dataclass(frozen=True)
class Click:
    team_id: str
    user_id: str
    value: str


def click_of(body: dict[str, Any], action: dict[str, Any]) -> Click:
    # The workspace as Bolt's context reads it (bot.listeners.workspace): for a click in a
    # modal opened from a shared channel, the installation's (`view.app_installed_team_id`),
    # not the clicker's own `team`.
    user = body.get("user") or {}
    return Click(
        str(extract_team_id(body) or ""), str(user.get("id") or ""), str(action.get("value") or "")
    )


def answer_of(value: str) -> tuple[str, str] | None:
    """`public_id|responder_id` from a DM button, or None when it is not one of ours."""
    public_id, _, responder_id = value.partition("|")
    if not public_id or USER_MENTION.fullmatch(f"<@{responder_id}>") is None:
        return None
    return public_id, responder_id


def update(client: WebClient, channel_id: str, ts: str | None, message: Message) -> bool:
    """chat.update a message the bot posted; a message deleted meanwhile is no reason to fail.
    False (logged) when Slack did not take the edit, or may not have."""
    if not ts:
        return False
    try:
        client.chat_update(channel=channel_id, ts=ts, **message)
    except MAY_NOT_HAVE_HAPPENED:
        log.warning("could not update message %s in %s", ts, channel_id, exc_info=True)
        return False
    return True


def send_dm(client: WebClient, user_id: str, message: Message) -> None:
    try:
        client.chat_postMessage(channel=user_id, **message)
    except MAY_NOT_HAVE_HAPPENED:
        log.warning("could not send a DM to %s", user_id, exc_info=True)


@dataclass(frozen=True)
class Posted:
    """A message chat.postMessage took: its `ts`, or None when the connection broke after the
    request left, so that it may have been posted (and is said nowhere else, never twice)."""

    ts: str | None


def post_publicly(
    client: WebClient,
    channel_id: str,
    message: Message,
    *,
    any_refusal: bool = False,
    **extra: Any,
) -> Posted | None:
    """chat.postMessage a celebration of something already saved. None when it was surely not
    posted: the bot may not post there, or Slack was out of reach before the request left;
    the caller then says it another way. Posted otherwise, also when it may have been (the
    connection broke after the request left): logged.

    Any other refusal is raised (Slack rejecting what the bot wrote is a bug to see), unless
    `any_refusal`: then it is None too, for a caller whose other way is as public."""
    try:
        posted = client.chat_postMessage(channel=channel_id, **message, **extra)
    except SlackApiError as error:
        code = error.response.get("error")
        if code not in CHANNEL_OUT_OF_REACH and not any_refusal:
            raise
        log.info("cannot post in %s (%s); saying it another way", channel_id, code)
        return None
    except URLError as error:  # the request never left
        log.info("cannot post in %s (%r); saying it another way", channel_id, error)
        return None
    except OSError:
        log.warning("a post in %s may not have been delivered", channel_id, exc_info=True)
        return Posted(None)
    ts = posted.get("ts")
    return Posted(ts if isinstance(ts, str) else None)


def open_form(client: WebClient, trigger_id: str, view: dict[str, Any]) -> bool:
    """views.open for a click or shortcut; False (logged) when Slack opened nothing, such as
    when the trigger_id expired: the caller tells the person privately."""
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except NOT_SENT:  # no modal was opened
        log.warning("views.open failed", exc_info=True)
        return False
    return True
