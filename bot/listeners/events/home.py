from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import InputError
from bot.home.contents import home_for
from bot.listeners.home_tab import publish_home
from bot.listeners.workspace import workspace_of
from bot.slack.api import member_channels, user_fetcher

log = logging.getLogger(__name__)


def handle_app_home_opened(
    event: dict[str, Any], client: WebClient, context: BoltContext, deps: Deps
) -> None:
    """The member opened Goodwill's Home tab: show them their Home as it is now.

    Publishing is idempotent, so Slack's retries of this event need no dedupe: each one shows
    the same Home again.
    """
    user_id = event.get("user")
    if event.get("tab") != "home" or not isinstance(user_id, str):
        return  # the Messages tab, which Slack shows by itself
    team_id = workspace_of(context)
    channel_ids = member_channels(client, deps.sessions, team_id, user_id, deps.clock())
    try:
        with deps.sessions.begin() as session:
            home = home_for(
                session,
                deps.clock(),
                team_id,
                user_id,
                user_fetcher(client),
                channel_ids=channel_ids,
            )
    except InputError:
        # Someone this workspace does not know (a guest from another one, in a shared
        # channel): they have no Home here.
        log.info("no Home for %s in %s", user_id, team_id)
        return
    publish_home(client, home)
