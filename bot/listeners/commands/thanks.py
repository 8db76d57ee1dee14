"""`/thanks`: the credits recorded before the answer, the celebration posted after it.

The credits are written in one transaction, then the command is answered: empty, or, when
someone could not be thanked, with the note that says so to the giver alone. The public
message follows on Bolt's listener executor, as `/favor insights` does: the app runs with
process_before_response, so anything done before returning would hold the answer back. It is
posted with chat.postMessage, so that its channel and ts can be kept and `/favor undo` can
edit it (bot.thanks.celebrations). Where the bot may not post (a private channel or a DM it is
not in, an archived channel) or Slack refuses the post, the command's response_url posts it
in the channel as the command's own answer would have: the thanks are celebrated all the
same, but that message cannot be edited (bot.favours.undo).
"""

from __future__ import annotations

import contextvars
import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import InputError
from bot.listeners.celebrations import celebrate_publicly
from bot.listeners.workspace import workspace_of
from bot.members.groups import group_fetcher
from bot.slack.api import user_fetcher
from bot.slack.messages import ephemeral
from bot.thanks.blocks import already_recorded_message, thanks_message, thanks_note
from bot.thanks.celebrations import Celebrated
from bot.thanks.give import USAGE, ThanksOutcome, ThanksRequest, check_text, give_thanks, thanks_key
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
            # The thanks are said in the channel (see above). None when Slack will not say
            # just now: asked again later (bot.channels.kinds).
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
    if note is None:
        ack()
    else:
        ack(**ephemeral(note))
    # In this request's context: the celebration's statements are limited as the answer's
    # are (bot.db.answering_a_person), so the pool's connections need no SET between the two,
    # and its log lines name the workspace.
    context.listener_runner.listener_executor.submit(
        contextvars.copy_context().run, celebrate, client, deps, respond, request, outcome
    )


def celebrate(
    client: WebClient, deps: Deps, respond: Respond, request: ThanksRequest, outcome: ThanksOutcome
) -> None:
    """Post the thanks in the command's channel and keep where; where that fails, say them
    there through the command's response_url."""
    message = thanks_message(
        outcome.helper_ids, outcome.thanker_id, outcome.reason, outcome.values, outcome.groups
    )
    celebrated = Celebrated(
        thanks_key=thanks_key(request.team_id, request.request_key),
        thanker_id=outcome.thanker_id,
        named=outcome.helper_ids,
        groups=tuple(zip(outcome.groups, outcome.group_members, strict=True)),
    )
    try:
        if celebrate_publicly(
            client, deps, request.team_id, request.channel_id, message, celebrated, any_refusal=True
        ):
            return
        sent = respond(response_type="in_channel", **message)
    except Exception:
        log.exception("the thanks in %s could not be celebrated", request.channel_id)
        return
    if sent.status_code != 200:
        # Gone (30 minutes, 5 uses) or refused: the thanks count, uncelebrated.
        log.warning("the thanks in %s could not be said (%s)", request.channel_id, sent.body)
