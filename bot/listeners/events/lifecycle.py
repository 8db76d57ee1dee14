from __future__ import annotations

import logging
from typing import Any

from bot.deps import Deps
from bot.members.cache import delete_workspace

log = logging.getLogger(__name__)


def handle_uninstall(body: dict[str, Any], event: dict[str, Any], deps: Deps) -> None:
    """app_uninstalled, or the bot's token revoked: forget the workspace and all its data."""
    if event["type"] == "tokens_revoked" and not event.get("tokens", {}).get("bot"):
        return  # only user tokens were revoked; the bot still works here
    with deps.sessions.begin() as session:
        deleted = delete_workspace(session, body["team_id"])
    if deps.installations is not None:
        # The tokens are useless now; keeping them would keep a secret for nothing.
        deps.installations.delete_all(enterprise_id=None, team_id=body["team_id"])
    if deleted:
        log.info("workspace %s removed Goodwill; its data was deleted", body["team_id"])
