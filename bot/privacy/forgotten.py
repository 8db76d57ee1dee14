"""Members who asked to be forgotten: their pseudonym, and keeping their profile empty.

After `/favor forget-me`, a person's entries in the ledger carry a pseudonym instead of their
Slack user ID: an HMAC of the workspace and user IDs under a secret key, so it stays the same
if they are forgotten again, their colleagues' balances still add up, and nobody holding the
database or an export (but not the key) can tie it back to them.

Their own members-cache row stays, since Slack may still send their events and the hot path
asks the cache whether someone is a person, but it is emptied (names, time zone) and marked
by `synced_at = NEVER_SYNCED`: syncing members from Slack must pass its rows through
`mask_forgotten`, which keeps the names of marked members out. No column is needed for the
mark: Slack sync always stamps the current time, so this instant only ever comes from here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Member
from bot.models.people import FORMER_MEMBER, PSEUDONYM_PREFIX, is_pseudonym

__all__ = ["FORGOTTEN_LABEL", "PSEUDONYM_PREFIX", "is_pseudonym", "pseudonym"]

# How the pseudonym's own members row reads wherever a name is shown (an export, a list).
FORGOTTEN_LABEL = FORMER_MEMBER
NEVER_SYNCED = datetime(1970, 1, 1, tzinfo=UTC)
FORGOTTEN_PROFILE: Mapping[str, Any] = {
    "name": "",
    "real_name": "",
    "display_name": "",
    "tz": "UTC",
    "synced_at": NEVER_SYNCED,
}


def pseudonym(key: bytes, team_id: str, user_id: str) -> str:
    """'UFORGOTTEN' and 16 base32 characters: shaped like a Slack user ID, and 26 long."""
    digest = hmac.new(key, f"{team_id}:{user_id}".encode(), hashlib.sha256).digest()
    return PSEUDONYM_PREFIX + base64.b32encode(digest).decode()[:16]


def forgotten_ids(session: Session, team_id: str, user_ids: Sequence[str]) -> set[str]:
    """Which of `user_ids` asked to be forgotten."""
    if not user_ids:
        return set()
    query = select(Member.user_id).where(
        Member.team_id == team_id,
        Member.user_id.in_(list(user_ids)),
        Member.synced_at <= NEVER_SYNCED,
    )
    return set(session.scalars(query))


def mask_forgotten(
    session: Session, team_id: str, rows: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Members rows from Slack (`members.member_row`), with forgotten people's profile kept
    empty; whether they are a bot, deactivated or an admin is still kept up to date."""
    hidden = forgotten_ids(session, team_id, [str(row["user_id"]) for row in rows])
    return [{**row, **FORGOTTEN_PROFILE} if row["user_id"] in hidden else dict(row) for row in rows]
