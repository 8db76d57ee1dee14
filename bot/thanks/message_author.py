"""Who may be thanked for a message through the "Thank for this" shortcut."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.errors import NotAPersonError, SelfCreditError, UnknownMemberError
from bot.members.cache import FetchUser, ensure_workspace, resolve_members
from bot.models import Member


def message_author(
    session: Session,
    now: datetime,
    team_id: str,
    thanker_id: str,
    author_id: str | None,
    fetch_user: FetchUser,
) -> Member:
    """The author of a message someone wants to thank, or an InputError saying why not."""
    if author_id is None:
        raise NotAPersonError(
            "That message was posted by an app, so there's no one to thank for it. "
            "Try the shortcut on a message a person wrote."
        )
    if author_id == thanker_id:
        raise SelfCreditError(
            "That's your own message, and thanking yourself doesn't count. "
            "Try the shortcut on a message from someone who helped you."
        )
    ensure_workspace(session, team_id)
    try:
        author = resolve_members(session, team_id, (author_id,), fetch_user, now)[author_id]
    except UnknownMemberError:
        raise UnknownMemberError(
            "I can't tell who wrote that message, so it can't be thanked from here. "
            "Try `/thanks @someone` instead."
        ) from None
    if author.is_bot:
        raise NotAPersonError(
            f"That message is from {author.label}, a bot, and bots don't need thanks. "
            "Try the shortcut on a message a person wrote."
        )
    if author.is_deactivated:
        raise NotAPersonError(
            f"{author.label} is no longer active in this workspace, so they can't be thanked "
            "here. Thank the people who are around now."
        )
    return author
