from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import InputError
from bot.listeners.workspace import workspace_of
from bot.members.groups import group_fetcher
from bot.slack.api import user_fetcher
from bot.slack.messages import ephemeral
from bot.thanks.blocks import already_recorded_message, thanks_note, thanks_reply
from bot.thanks.give import USAGE, ThanksRequest, check_text, give_thanks
from bot.thanks.parsing import parse_thanks

log = logging.getLogger(__name__)

HELP_WORDS = frozenset({"help", "?"})


def handle_thanks(
    ack: Ack,
    command: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    deps: Deps,
) -> None:
    # The ledger is written and the public message returned in the ack itself: one round
    # trip, no chat.postMessage, and nothing to lose between the two.
    text = command.get("text") or ""
    if text.strip().casefold() in HELP_WORDS:
        ack(**ephemeral(USAGE))
        return
    now, team_id = deps.clock(), workspace_of(context)
    try:
        parsed = parse_thanks(text)
        check_text(command["user_id"], parsed)  # nothing asked of Slack for text to redo
        request = ThanksRequest(
            team_id=team_id,
            thanker_id=command["user_id"],
            channel_id=command["channel_id"],
            parsed=parsed,
            request_key=command.get("trigger_id") or command.get("response_url") or "",
            # The thanks are posted in the channel (the ack's in_channel answer). None when
            # Slack will not say just now: asked again later (bot.channels.kinds).
            quotable=deps.channel_kinds.whether_public(client, team_id, command["channel_id"], now),
            response_url=command.get("response_url"),
        )
        with deps.sessions.begin() as session:
            outcome = give_thanks(
                session, now, request, user_fetcher(client), group_fetcher(client)
            )
    except InputError as error:
        ack(**ephemeral(error.user_message))
        return
    if outcome.already_recorded:
        ack(**already_recorded_message())
        return
    note = thanks_note(outcome.skipped, outcome.dropped_values)
    if note is not None:
        # A slash command's answer is one message, and this one is public: the note for the
        # giver alone goes through the command's response_url, only when there is one to give.
        try:
            respond(text=note, response_type="ephemeral")
        except OSError:
            log.warning("The note on who was not thanked could not be sent", exc_info=True)
    ack(
        **thanks_reply(
            outcome.helper_ids, outcome.thanker_id, outcome.reason, outcome.values, outcome.groups
        )
    )
