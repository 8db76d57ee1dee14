from __future__ import annotations

import logging
from typing import Any

from bot.deps import Deps
from bot.services.member_channels import joined_channel, left_channel
from bot.slack_ids import MEMBER_LEFT_CHANNEL

log = logging.getLogger(__name__)


def handle_channel_membership(body: dict[str, Any], event: dict[str, Any], deps: Deps) -> None:
    """member_left_channel and member_joined_channel (sent for the channels the app is in):
    a channel left leaves the member's Home at once, with its asks and offers; one joined
    is read from Slack at their next Home. A retry changes nothing more."""
    user_id, channel_id = event.get("user"), event.get("channel")
    if not isinstance(user_id, str) or not isinstance(channel_id, str):
        log.info("%s without a user and a channel: %r", event.get("type"), event)
        return
    with deps.sessions.begin() as session:
        if event["type"] == MEMBER_LEFT_CHANNEL:
            left_channel(session, body["team_id"], user_id, channel_id, deps.clock())
        else:
            joined_channel(session, body["team_id"], user_id, deps.clock())
