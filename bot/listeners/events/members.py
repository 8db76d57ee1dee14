from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext

from bot.deps import Deps
from bot.listeners.workspace import workspace_of
from bot.members.cache import apply_member_event


def handle_member_event(
    body: dict[str, Any], event: dict[str, Any], context: BoltContext, deps: Deps
) -> None:
    """team_join and user_change carry the whole user object: refresh the members cache."""
    with deps.sessions.begin() as session:
        apply_member_event(
            session,
            deps.clock(),
            workspace_of(context),
            body["event_id"],
            event["type"],
            event["user"],
        )
