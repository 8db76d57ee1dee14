"""Workspaces and the members cache that the hot path reads instead of calling Slack."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db import insert_new, upsert
from bot.errors import UnknownMemberError
from bot.models import Member, Workspace
from bot.privacy.forgotten import mask_forgotten
from bot.slack.deliveries import first_delivery

# Fetches one Slack user object (users.info) for an ID the cache does not know yet.
FetchUser = Callable[[str], Mapping[str, Any] | None]

_MEMBER_FIELDS = (
    "name",
    "real_name",
    "display_name",
    "tz",
    "is_bot",
    "is_deactivated",
    "is_admin",
    "is_owner",
    "synced_at",
)


def ensure_workspace(session: Session, team_id: str, name: str | None = None) -> None:
    """Create the workspace's row if it is new; refresh its name when one is given."""
    inserted = insert_new(
        session, Workspace, [{"team_id": team_id, "name": name or ""}], ["team_id"]
    )
    if not inserted and name:
        workspace = session.get(Workspace, team_id)
        if workspace is not None and workspace.name != name:
            workspace.name = name


def workspace_for(session: Session, team_id: str) -> Workspace:
    """The workspace's row with its settings, created with the defaults the first time."""
    workspace = session.get(Workspace, team_id)
    if workspace is None:
        ensure_workspace(session, team_id)
        workspace = session.get(Workspace, team_id)
        assert workspace is not None
    return workspace


def delete_workspace(session: Session, team_id: str) -> bool:
    """Remove a workspace and, by cascade, everything recorded for it."""
    result = session.execute(delete(Workspace).where(Workspace.team_id == team_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def belongs_to(user: Mapping[str, Any], team_id: str) -> bool:
    """Whether a Slack user object is a member of the workspace `team_id`.

    In a channel shared with another organisation (Slack Connect) Slack describes that
    organisation's people too, with their own workspace's `team_id`. In an Enterprise Grid
    org, a person's `team_id` is one of the org's workspaces, and `enterprise_user.teams`
    lists every one they belong to.
    """
    if user.get("team_id", team_id) == team_id:
        return True
    teams = (user.get("enterprise_user") or {}).get("teams")
    return isinstance(teams, list) and team_id in teams


def member_row(team_id: str, user: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A members-table row from a Slack user object (users.list, users.info, user_change)."""
    profile = user.get("profile") or {}
    return {
        "team_id": team_id,
        "user_id": user["id"],
        "name": str(user.get("name") or "")[:255],
        "real_name": str(user.get("real_name") or profile.get("real_name") or "")[:255],
        "display_name": str(profile.get("display_name") or "")[:255],
        "tz": str(user.get("tz") or "UTC")[:64],
        # Slackbot is flagged as a user, not a bot, but is never a person to thank.
        "is_bot": bool(user.get("is_bot") or user.get("is_app_user") or user["id"] == "USLACKBOT"),
        "is_deactivated": bool(user.get("deleted")),
        "is_admin": bool(user.get("is_admin")),
        "is_owner": bool(user.get("is_owner")),
        "synced_at": now,
    }


def save_members(
    session: Session, team_id: str, users: Iterable[Mapping[str, Any]], now: datetime
) -> int:
    """Insert or refresh members from Slack user objects; return how many were saved.
    People of other workspaces are left out: nobody is credited here who is not a member."""
    rows = [
        member_row(team_id, user, now)
        for user in users
        if user.get("id") and belongs_to(user, team_id)
    ]
    # People who asked to be forgotten stay forgotten, whatever Slack still says about them.
    rows = mask_forgotten(session, team_id, rows)
    upsert(session, Member, rows, ["team_id", "user_id"], _MEMBER_FIELDS)
    return len(rows)


def find_members(session: Session, team_id: str, user_ids: Iterable[str]) -> dict[str, Member]:
    ids = list(user_ids)
    if not ids:
        return {}
    query = select(Member).where(Member.team_id == team_id, Member.user_id.in_(ids))
    return {member.user_id: member for member in session.scalars(query)}


def resolve_members(
    session: Session, team_id: str, user_ids: Iterable[str], fetch_user: FetchUser, now: datetime
) -> dict[str, Member]:
    """The members for `user_ids`, asking Slack only about IDs the cache has never seen."""
    ids = list(dict.fromkeys(user_ids))
    found = find_members(session, team_id, ids)
    missing = [user_id for user_id in ids if user_id not in found]
    if not missing:
        return found
    cache_unknown(session, now, team_id, missing, fetch_user)
    found.update(find_members(session, team_id, missing))
    return found


def cache_unknown(
    session: Session, now: datetime, team_id: str, user_ids: Sequence[str], fetch_user: FetchUser
) -> None:
    """Ask Slack (users.info) about people the members cache has never seen, and cache them.

    Someone Slack does not know, or from another workspace (Slack Connect), is not a member
    here: UnknownMemberError, and nothing is cached.
    """
    fetched = []
    for user_id in user_ids:
        user = fetch_user(user_id)
        if user is None or not belongs_to(user, team_id):
            raise UnknownMemberError(
                f"I couldn't find <@{user_id}> in this workspace. "
                "Pick people from the autocomplete when you type @."
            )
        fetched.append(user)
    save_members(session, team_id, fetched, now)


def apply_member_event(
    session: Session,
    now: datetime,
    team_id: str,
    event_id: str,
    event_type: str,
    user: Mapping[str, Any],
) -> bool:
    """Cache the user from a team_join or user_change event, once per event delivery.

    Slack also sends user_change for people of other organisations in shared channels (Slack
    Connect): they are not members here, and are not cached, as in `cache_unknown`.
    """
    if not belongs_to(user, team_id):
        return False
    ensure_workspace(session, team_id)
    if not first_delivery(session, team_id, event_id, event_type, now):
        return False
    save_members(session, team_id, [user], now)
    return True
