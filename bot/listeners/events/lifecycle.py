from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltContext

from bot.deps import Deps
from bot.listeners.workspace import workspace_of
from bot.members.cache import delete_workspace

log = logging.getLogger(__name__)


def handle_uninstall(event: dict[str, Any], context: BoltContext, deps: Deps) -> None:
    """app_uninstalled, or the bot's token revoked: forget the workspace and all its data."""
    if event["type"] == "tokens_revoked" and not event.get("tokens", {}).get("bot"):
        return  # only user tokens were revoked; the bot still works here
    team_id = workspace_of(context)
    with deps.sessions.begin() as session:
        deleted = delete_workspace(session, team_id)
    if deps.installations is not None:
        # The tokens are useless now; keeping them would keep a secret for nothing.
        # A workspace in an Enterprise Grid org was installed under its org's ID too.
        deps.installations.delete_all(enterprise_id=context.enterprise_id, team_id=team_id)
    if deleted:
        log.info("workspace %s removed Goodwill; its data was deleted", team_id)
