"""A Slack user group thanked as a team: its members to credit, one by one.

Slack says who is in the group (usergroups.users.list); the members cache says who among them
is a person to thank. The giver, bots and former members are not thanked as part of a team:
they are left out without a word, as they were never the team's help.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.errors import NoRecipientError, TooManyRecipientsError
from bot.members.cache import FetchUser, resolve_members, workspace_for
from bot.members.groups import FetchGroup
from bot.thanks.parsing import MentionedGroup


def group_name(group: MentionedGroup) -> str:
    """How a group is named in an answer: its handle, or Slack's own mention when none came."""
    return f"@{group.handle}" if group.handle else f"<!subteam^{group.group_id}>"


def members_to_thank(
    session: Session,
    now: datetime,
    team_id: str,
    thanker_id: str,
    groups: tuple[MentionedGroup, ...],
    fetch_group: FetchGroup,
    fetch_user: FetchUser,
) -> dict[MentionedGroup, tuple[str, ...]]:
    """Each group's members to credit, in Slack's order; an InputError for a group Slack does
    not know, one larger than the workspace allows, or one with no one in it to thank."""
    if not groups:
        return {}
    largest = workspace_for(session, team_id).group_thanks_max
    found: dict[MentionedGroup, tuple[str, ...]] = {}
    for group in groups:
        user_ids = fetch_group(group.group_id)
        if user_ids is None:
            raise NoRecipientError(
                f"I couldn't find the group {group_name(group)} in this workspace. Pick a "
                "group or people from the autocomplete when you type @."
            )
        if len(user_ids) > largest:
            raise TooManyRecipientsError(
                f"{group_name(group)} has {len(user_ids)} members; a team thanks goes to "
                f"groups of up to {largest}. Mention the people who helped, or a smaller group."
            )
        ids = list(dict.fromkeys(user_ids))
        members = resolve_members(session, team_id, ids, fetch_user, now)
        people = tuple(
            user_id
            for user_id in ids
            if user_id != thanker_id
            and not members[user_id].is_bot
            and not members[user_id].is_deactivated
        )
        if not people:
            raise NoRecipientError(
                f"There's no one in {group_name(group)} I can thank: it holds only you, bots "
                "or former members. Mention the people who helped instead."
            )
        found[group] = people
    return found
