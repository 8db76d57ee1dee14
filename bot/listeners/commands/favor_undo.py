"""`/favor undo`: the credit taken back in one transaction, then what it did undone in Slack:
the thanks message edited, the ask reopened, the other person told."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.asks.blocks import answer_dm, answer_dm_outcome, request_message
from bot.deps import Deps
from bot.errors import InputError
from bot.favours.undo import Undone, undo_last
from bot.favours.undo_blocks import (
    EDITED,
    MESSAGE_STAYS,
    NOT_EDITED,
    REPLACED,
    SAID_IN_CHANNEL,
    taken_back_in_channel,
    taken_back_note,
    undone_reply,
)
from bot.listeners.actions._slack import send_dm, update
from bot.listeners.workspace import workspace_of
from bot.slack.messages import Message, ephemeral

log = logging.getLogger(__name__)


def undo(command: dict[str, Any], client: WebClient, context: BoltContext, deps: Deps) -> Message:
    try:
        with deps.sessions.begin() as session:
            undone = undo_last(session, deps.clock(), workspace_of(context), command["user_id"])
    except InputError as error:
        return ephemeral(error.user_message)
    public = _say_in_channel(client, undone)
    if undone.reopened is not None:
        request = undone.reopened.request
        update(client, request.channel_id, request.message_ts, request_message(request))
        # Reopened, the author's DMs about each answer get their buttons back, to close it
        # again; still closed, the one about the person taken back says who it went to.
        for waiting in undone.reopened.waiting:
            message = (
                answer_dm(request, waiting.user_id, waiting.name)
                if undone.reopened.is_open
                else answer_dm_outcome(request, waiting.user_id)
            )
            update(client, waiting.dm_channel_id, waiting.dm_ts, message)
    if undone.entry.kind != "reaction":
        send_dm(client, undone.other_id, taken_back_note(undone))
    return undone_reply(undone, public)


def _say_in_channel(client: WebClient, undone: Undone) -> str | None:
    """Edit the message that celebrated the thanks, or follow up a /thanks in its channel
    while its response_url lives; what became of it."""
    celebration = undone.celebration
    if celebration is not None:
        if not update(client, celebration.channel_id, celebration.ts, celebration.message):
            return NOT_EDITED
        return EDITED if celebration.anyone_left else REPLACED
    if not undone.by_command:
        return None
    if undone.response_url is None:
        return MESSAGE_STAYS
    try:
        sent = WebhookClient(undone.response_url).send_dict(taken_back_in_channel(undone))
    except OSError:
        log.warning("could not follow up a /thanks taken back", exc_info=True)
        return MESSAGE_STAYS
    # Slack answers 404 once the response_url has expired or been used five times.
    return SAID_IN_CHANNEL if sent.status_code == 200 else MESSAGE_STAYS
