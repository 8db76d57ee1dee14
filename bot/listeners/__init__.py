"""Thin Slack listeners: ack, parse, one service call, one block builder, reply."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import actions, commands, events, shortcuts, views
from bot.listeners.commands.thanks import handle_thanks
from bot.listeners.events.reactions import handle_reaction_added
from bot.listeners.workspace import installed_workspace_only
from bot.slack.ids import REACTION_ADDED, THANKS_COMMAND


def register(app: App) -> None:
    # Every listener works in the installation's workspace (bot.listeners.workspace).
    app.use(installed_workspace_only)
    # Bolt offers each request to the listeners in the order they were registered, and every
    # listener it asks costs a matcher call with its own keyword arguments. The two that carry
    # the load go first: a reaction used to be asked about by six listeners before its own.
    app.command(THANKS_COMMAND)(handle_thanks)
    app.event(REACTION_ADDED)(handle_reaction_added)
    commands.register(app)
    events.register(app)
    actions.register(app)
    shortcuts.register(app)
    views.register(app)
