from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt import BoltContext

from bot.channels.archival import channel_archived, channel_deleted
from bot.channels.member_channels import joined_channel, left_channel
from bot.deps import Deps
from bot.listeners.workspace import from_another_organisation, workspace_of
from bot.slack.ids import (
    CHANNEL_ARCHIVE,
    CHANNEL_DELETED,
    GROUP_ARCHIVE,
    GROUP_DELETED,
    MEMBER_LEFT_CHANNEL,
)

log = logging.getLogger(__name__)


def handle_channel_membership(
    body: dict[str, Any], event: dict[str, Any], context: BoltContext, deps: Deps
) -> None:
    """member_left_channel and member_joined_channel (sent for the channels the app is in):
    a channel left leaves the member's Home at once, with its asks and offers; one joined
    is read from Slack at their next Home. A retry changes nothing more."""
    user_id, channel_id = event.get("user"), event.get("channel")
    if not isinstance(user_id, str) or not isinstance(channel_id, str):
        log.info("%s without a user and a channel: %r", event.get("type"), event)
        return
    team_id = workspace_of(context)
    if from_another_organisation(body, event, team_id):
        return  # a guest in a shared channel: no Home here to keep a channel list for
    with deps.sessions.begin() as session:
        if event["type"] == MEMBER_LEFT_CHANNEL:
            left_channel(session, team_id, user_id, channel_id, deps.clock())
        else:
            joined_channel(session, team_id, user_id, deps.clock())


def handle_channel_archival(
    body: dict[str, Any], event: dict[str, Any], context: BoltContext, deps: Deps
) -> None:
    """channel_archive, channel_unarchive, channel_deleted and their private channels'
    group_* twins: an archived or deleted channel's asks leave the lists meant for others.
    A retry, or an event older than the channel's last, changes nothing more."""
    channel_id = event.get("channel")
    if not isinstance(channel_id, str):
        log.info("%s without a channel: %r", event.get("type"), event)
        return
    event_time = body.get("event_time")
    at = (
        datetime.fromtimestamp(event_time, UTC)
        if isinstance(event_time, int) and not isinstance(event_time, bool)
        else deps.clock()
    )
    kind, team_id = event["type"], workspace_of(context)
    with deps.sessions.begin() as session:
        if kind in (CHANNEL_DELETED, GROUP_DELETED):
            channel_deleted(session, team_id, channel_id, at)
        else:
            archived = kind in (CHANNEL_ARCHIVE, GROUP_ARCHIVE)
            channel_archived(session, team_id, channel_id, at, archived=archived)
