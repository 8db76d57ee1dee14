"""Workspace settings that admins change from Slack; everyone may read them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.errors import NotAllowedError
from bot.models import Workspace
from bot.services.members import FetchUser, resolve_members, workspace_for

WEEKDAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


def require_admin(
    session: Session, now: datetime, team_id: str, user_id: str, fetch_user: FetchUser
) -> Workspace:
    """The workspace, if `user_id` is one of its admins or owners; NotAllowedError if not."""
    member = resolve_members(session, team_id, (user_id,), fetch_user, now)[user_id]
    if not (member.is_admin or member.is_owner):
        raise NotAllowedError(
            "Only workspace admins and owners can change where the digest goes. Ask one of "
            "them to type `/favor digest here` in the channel you have in mind."
        )
    return workspace_for(session, team_id)


def set_digest_channel(
    session: Session,
    now: datetime,
    team_id: str,
    user_id: str,
    channel_id: str | None,
    fetch_user: FetchUser,
) -> Workspace:
    """Point the weekly digest at `channel_id`, or stop it with None (admins only)."""
    workspace = require_admin(session, now, team_id, user_id, fetch_user)
    workspace.digest_channel_id = channel_id
    return workspace


def digest_schedule(workspace: Workspace) -> str:
    """'Mondays at 09:00 (Europe/Oslo)'."""
    day = WEEKDAYS[workspace.digest_weekday]
    return f"{day} at {workspace.digest_hour:02d}:00 ({workspace.timezone})"
