"""*Team insight* on an admin's Home: the figures, then the chart, in their DM.

A Home has no response_url, so everything (a refusal too) is said in the DM. The work runs
on Bolt's listener executor after the click is acknowledged, as the command's chart does
(bot.listeners.commands.insights).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import InputError
from bot.insights.report import authorize_insights
from bot.listeners.commands.insights import deliver_insights, say
from bot.listeners.workspace import workspace_of
from bot.slack.api import user_fetcher
from bot.slack.messages import Message, ephemeral

log = logging.getLogger(__name__)


def handle_home_insights(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, deps: Deps
) -> None:
    """*Team insight* on an admin's Home: the figures, then the chart, in their DM."""
    ack()
    team_id, user_id = workspace_of(context), body["user"]["id"]
    context.listener_runner.listener_executor.submit(
        _insights_to_dm, client, deps, team_id, user_id
    )


def _insights_to_dm(client: WebClient, deps: Deps, team_id: str, user_id: str) -> None:
    now = deps.clock()
    try:
        dm = client.conversations_open(users=user_id)["channel"]["id"]
    except Exception:
        log.warning("could not open a DM with %s for the insight", user_id, exc_info=True)
        return

    def tell(message: Message) -> None:
        shown = {key: value for key, value in message.items() if key != "response_type"}
        say(lambda: client.chat_postMessage(channel=dm, **shown))

    try:
        with deps.sessions.begin() as session:
            authorize_insights(session, now, team_id, user_id, user_fetcher(client))
    except InputError as error:
        tell(ephemeral(error.user_message))
        return
    deliver_insights(client, deps, team_id, user_id, now, tell)
