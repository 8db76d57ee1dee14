"""`/favor settings`: the settings modal, with the workspace's part for admins."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import InputError
from bot.listeners.actions._slack import open_form
from bot.listeners.workspace import workspace_of
from bot.settings.blocks import settings_modal
from bot.settings.personal import settings_for
from bot.slack.api import user_fetcher
from bot.slack.messages import Message, ephemeral

COULD_NOT_OPEN = (
    "I couldn't open your settings just now. Please type `/favor settings` again; your "
    "Goodwill Home has them too."
)


def open_settings(
    command: dict[str, Any], client: WebClient, context: BoltContext, deps: Deps
) -> Message:
    """Open the modal (views.open, with the command's trigger_id); the command's own answer
    is then empty, or says why the modal could not open."""
    try:
        with deps.sessions.begin() as session:
            settings = settings_for(
                session,
                deps.clock(),
                workspace_of(context),
                command["user_id"],
                user_fetcher(client),
            )
    except InputError as error:
        return ephemeral(error.user_message)
    view = settings_modal(settings.personal, settings.workspace)
    if not open_form(client, command.get("trigger_id") or "", view):
        return ephemeral(COULD_NOT_OPEN)
    return {}
