from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.members.cache import apply_member_event


def handle_member_event(body: dict[str, Any], event: dict[str, Any], deps: Deps) -> None:
    """team_join and user_change carry the whole user object: refresh the members cache."""
    with deps.sessions.begin() as session:
        apply_member_event(
            session, deps.clock(), body["team_id"], body["event_id"], event["type"], event["user"]
        )
