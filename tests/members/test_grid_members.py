"""Who is a member of a workspace, as Slack's user objects say: in an Enterprise Grid org a
person's `team_id` is one of the org's workspaces, and `enterprise_user.teams` lists them all.

users.info is given here as what it answers for such a person (Slack's shape); the emulator
has no Grid org to answer it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import UnknownMemberError
from bot.members.cache import cache_unknown, ensure_workspace
from bot.models import Member
from tests.support import Clock

HOME, SIBLING, PARTNER = "T0SANDBOX", "T0SIBLING", "T0PARTNER"


def grid_user(user_id: str, home: str, teams: list[str]) -> dict[str, Any]:
    return {
        "id": user_id,
        "team_id": home,
        "name": user_id.lower(),
        "enterprise_user": {
            "id": user_id,
            "enterprise_id": "E0GRIDORG",
            "enterprise_name": "Grid Org",
            "is_admin": False,
            "is_owner": False,
            "teams": teams,
        },
    }


def fetch_from(users: Mapping[str, dict[str, Any]]) -> Any:
    return lambda user_id: users.get(user_id)


def test_a_grid_member_homed_in_a_sibling_workspace_is_a_member_here(
    sessions: sessionmaker[Session], clock: Clock
) -> None:
    both = grid_user("W0BOTH001", SIBLING, [SIBLING, HOME])
    with sessions.begin() as session:
        ensure_workspace(session, HOME)
        cache_unknown(session, clock(), HOME, ["W0BOTH001"], fetch_from({"W0BOTH001": both}))
    with sessions() as session:
        assert session.scalars(select(Member.user_id)).all() == ["W0BOTH001"]


@pytest.mark.parametrize(
    "user",
    [
        grid_user("W0ELSE001", SIBLING, [SIBLING]),  # the org's, not this workspace's
        {"id": "U0PAT0001", "team_id": PARTNER, "name": "pat"},  # Slack Connect
    ],
)
def test_someone_of_another_workspace_is_not_a_member(
    sessions: sessionmaker[Session], clock: Clock, user: dict[str, Any]
) -> None:
    with sessions.begin() as session:
        ensure_workspace(session, HOME)
        with pytest.raises(UnknownMemberError):
            cache_unknown(session, clock(), HOME, [user["id"]], fetch_from({user["id"]: user}))
    with sessions() as session:
        assert session.scalars(select(Member)).all() == []
