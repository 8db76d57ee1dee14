"""`/favor settings`: the settings modal, with the workspace's part for admins."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from bot.blocks.common import Message, ephemeral
from bot.blocks.settings import settings_modal
from bot.deps import Deps
from bot.errors import InputError
from bot.services.settings import settings_for
from bot.slack_api import NOT_SENT, user_fetcher

log = logging.getLogger(__name__)

COULD_NOT_OPEN = (
    "I couldn't open your settings just now. Please type `/favor settings` again; your "
    "Goodwill Home has them too."
)


def open_settings(command: dict[str, Any], client: WebClient, deps: Deps) -> Message:
    """Open the modal (views.open, with the command's trigger_id); the command's own answer
    is then empty, or says why the modal could not open."""
    try:
        with deps.sessions.begin() as session:
            settings = settings_for(
                session, deps.clock(), command["team_id"], command["user_id"], user_fetcher(client)
            )
    except InputError as error:
        return ephemeral(error.user_message)
    view = settings_modal(settings.personal, settings.workspace)
    try:
        client.views_open(trigger_id=command.get("trigger_id") or "", view=view)
    except NOT_SENT:  # no modal was opened
        log.warning("could not open the settings for %s", command["user_id"], exc_info=True)
        return ephemeral(COULD_NOT_OPEN)
    return {}
