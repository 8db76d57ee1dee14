"""`/favor insights`: answered at once; the figures, then the chart, follow privately.

Only the admin check runs before the answer. The figures (a handful of aggregate statements
over 12 weeks of a workspace's credits) and the chart (drawn, then uploaded) run afterwards
on Bolt's listener executor, the thread pool Bolt runs lazy listeners on, as the export does:
the app runs with process_before_response, so anything done before returning would hold the
answer back, and a big workspace's figures must not risk Slack's 3 seconds. A Bolt lazy
listener would run on the same pool, but would get the command's payload again rather than
the moment and the admin already checked here. The figures come through the command's
response_url, the chart to the DM; a failure of either is said through the response_url.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.errors import InputError
from bot.insights.blocks import insight_failed, insights_coming, insights_message
from bot.insights.chart import CHART_FILENAME, CHART_TITLE, chart_alt_text, chart_png
from bot.insights.report import authorize_insights, team_insights
from bot.insights.weekly import weekly
from bot.listeners.workspace import workspace_of
from bot.slack.api import user_fetcher
from bot.slack.messages import Message, ephemeral

log = logging.getLogger(__name__)

Tell = Callable[[Message], None]

NO_DM = (
    "I couldn't open a direct message with you, so the chart wasn't sent. Please try again "
    "in a minute."
)
NO_UPLOAD = "I couldn't send the chart to our direct message. Please try again in a minute."
NOT_ALLOWED_TO_UPLOAD = (
    "Goodwill isn't allowed to send files yet. Ask whoever manages Slack apps here to "
    "reinstall it (it needs the files:write and im:write permissions), then try again."
)
BROKEN = "Something went wrong while drawing the chart. Please try again in a minute."
FIGURES_BROKEN = (
    "Something went wrong while working out the team insight. Please try again in a minute."
)
CHART_COMMENT = "Team insight, the last 12 weeks: counts only, each over 5 people or more."


def start_insights(
    command: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext, deps: Deps
) -> Message:
    """The command's answer: a refusal, or a note that the figures and chart are coming."""
    team_id, user_id, now = workspace_of(context), command["user_id"], deps.clock()
    try:
        with deps.sessions.begin() as session:
            authorize_insights(session, now, team_id, user_id, user_fetcher(client))
    except InputError as error:
        return ephemeral(error.user_message)

    def tell(message: Message) -> None:
        say(lambda: respond(**message))

    context.listener_runner.listener_executor.submit(
        deliver_insights, client, deps, team_id, user_id, now, tell
    )
    return insights_coming()


def deliver_insights(
    client: WebClient, deps: Deps, team_id: str, user_id: str, now: datetime, tell: Tell
) -> None:
    """Work out the figures and say them; then the chart."""
    try:
        with deps.sessions.begin() as session:
            message = insights_message(team_insights(session, team_id, now))
    except Exception:
        log.exception("the team insight of %s for %s failed", team_id, user_id)
        tell(insight_failed(FIGURES_BROKEN))
        return
    tell(message)
    deliver_chart(client, deps, team_id, user_id, now, tell)


def deliver_chart(
    client: WebClient, deps: Deps, team_id: str, user_id: str, now: datetime, tell: Tell
) -> None:
    """Open the DM, draw the 12 weeks, upload the picture; say so if it could not be sent."""
    failure = NO_DM
    try:
        dm = client.conversations_open(users=user_id)["channel"]["id"]
        failure = NO_UPLOAD
        with deps.sessions() as session:
            weeks = weekly(session, team_id, now)
        client.files_upload_v2(
            channel=dm,
            content=chart_png(weeks),
            filename=CHART_FILENAME,
            title=CHART_TITLE,
            alt_txt=chart_alt_text(weeks),
            initial_comment=CHART_COMMENT,
        )
    except SlackApiError as error:
        code = error.response.get("error")
        log.warning("the insight chart could not be delivered: %s", code)
        tell(insight_failed(NOT_ALLOWED_TO_UPLOAD if code == "missing_scope" else failure))
    except Exception:
        log.exception("the insight chart of %s for %s failed", team_id, user_id)
        tell(insight_failed(BROKEN))


def say(send: Callable[[], object]) -> None:
    try:
        send()
    except Exception:
        # The response_url lasts 30 minutes, and a DM may be closed: no one left to tell.
        log.warning("could not report on the insight chart", exc_info=True)
