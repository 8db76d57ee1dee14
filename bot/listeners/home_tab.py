"""Publishing a member's App Home: shared by the listeners that end by showing it again."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.home.blocks import home_view
from bot.home.contents import Home
from bot.slack.api import MAY_NOT_HAVE_HAPPENED

log = logging.getLogger(__name__)


def publish_home(client: WebClient, home: Home) -> None:
    """views.publish the Home. Whatever was being done is already saved, so a Home Slack will
    not take, or cannot be reached for, is logged, not turned into an error for Slack to retry."""
    try:
        client.views_publish(user_id=home.member_id, view=home_view(home))
    except MAY_NOT_HAVE_HAPPENED:
        log.warning("could not publish the Home of %s", home.member_id, exc_info=True)
