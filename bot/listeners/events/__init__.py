from __future__ import annotations

from slack_bolt import App

from bot.listeners.events.channels import handle_channel_archival, handle_channel_membership
from bot.listeners.events.home import handle_app_home_opened
from bot.listeners.events.lifecycle import handle_uninstall
from bot.listeners.events.members import handle_member_event
from bot.listeners.events.reactions import handle_reaction_removed
from bot.slack.ids import (
    APP_HOME_OPENED,
    APP_UNINSTALLED,
    CHANNEL_ARCHIVAL_EVENTS,
    MEMBER_JOINED_CHANNEL,
    MEMBER_LEFT_CHANNEL,
    REACTION_REMOVED,
    TEAM_JOIN,
    TOKENS_REVOKED,
    USER_CHANGE,
)


def register(app: App) -> None:
    # reaction_added is registered ahead of every other listener, by bot.listeners.register.
    app.event(TEAM_JOIN)(handle_member_event)
    app.event(USER_CHANGE)(handle_member_event)
    app.event(APP_UNINSTALLED)(handle_uninstall)
    app.event(TOKENS_REVOKED)(handle_uninstall)
    app.event(REACTION_REMOVED)(handle_reaction_removed)
    app.event(APP_HOME_OPENED)(handle_app_home_opened)
    app.event(MEMBER_JOINED_CHANNEL)(handle_channel_membership)
    app.event(MEMBER_LEFT_CHANNEL)(handle_channel_membership)
    for archival in sorted(CHANNEL_ARCHIVAL_EVENTS):
        app.event(archival)(handle_channel_archival)
