from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.listeners.workspace import workspace_of
from bot.reactions.blocks import reaction_confirmation, reaction_refusal
from bot.reactions.credit import reaction_added, reaction_removed
from bot.reactions.events import reaction_from_event
from bot.slack.api import user_fetcher
from bot.slack.messages import Message

log = logging.getLogger(__name__)

# Slack's answers when the bot cannot reach the reactor where they reacted.
_OUT_OF_REACH = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "user_not_in_channel",
        "is_archived",
        "restricted_action",
    }
)


def handle_reaction_added(
    body: dict[str, Any],
    event: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    deps: Deps,
) -> None:
    """A credit emoji on a person's message thanks its author; the reactor hears it quietly."""
    reaction = reaction_from_event(workspace_of(context), body["event_id"], event)
    if reaction is None:
        return
    now = deps.clock()
    with deps.sessions.begin() as session:
        outcome = reaction_added(session, now, reaction, user_fetcher(client))
    if outcome.refusal is not None:
        note = reaction_refusal(outcome.refusal)
    elif outcome.credited and outcome.confirm:
        note = reaction_confirmation(reaction.author_id)
    else:
        return
    _tell_privately(client, reaction.channel_id, reaction.reactor_id, note)


def handle_reaction_removed(
    body: dict[str, Any], event: dict[str, Any], context: BoltContext, deps: Deps
) -> None:
    """The reactor's last credit emoji left the message: the thanks are taken back, silently."""
    reaction = reaction_from_event(workspace_of(context), body["event_id"], event)
    if reaction is None:
        return
    with deps.sessions.begin() as session:
        reaction_removed(session, deps.clock(), reaction)


def _tell_privately(client: WebClient, channel_id: str, user_id: str, note: Message) -> None:
    # The credit is already committed; a note Slack will not deliver (a channel the bot
    # cannot see, a person who left it, Slack out of reach) must not turn into an error and a
    # retried event: the retry would find the credit recorded and send no note either.
    try:
        client.chat_postEphemeral(channel=channel_id, user=user_id, **note)
    except OSError as error:  # refused, reset, timed out, or the answer lost on the way back
        log.warning("reaction note for %s in %s not delivered: %r", user_id, channel_id, error)
    except SlackApiError as error:
        code = error.response.get("error")
        if code in _OUT_OF_REACH:
            log.info("no reaction note for %s in %s: %s", user_id, channel_id, code)
        else:
            log.warning("reaction note for %s in %s failed", user_id, channel_id, exc_info=error)
