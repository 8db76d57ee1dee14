"""Slack user groups thanked as a team: who is in one (usergroups.users.list)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import LookupFailedError

log = logging.getLogger(__name__)

# The user IDs in a user group; None when Slack knows no such group.
FetchGroup = Callable[[str], Sequence[str] | None]

# Errors Slack gives for a group that does not exist (or not in this workspace), or that has
# been disabled.
_NO_SUCH_GROUP = frozenset({"no_such_subteam", "subteam_not_found", "invalid_usergroup"})

CANNOT_READ_GROUPS = (
    "I'm not allowed to read user groups in this workspace yet, so nothing was recorded. "
    "Ask an admin to reinstall Goodwill, or mention the people themselves."
)


def group_fetcher(client: WebClient) -> FetchGroup:
    """usergroups.users.list, read as bot.slack.api reads users.info: Slack out of reach,
    rate limited or failing is a LookupFailedError, an install without `usergroups:read` one
    that says to reinstall."""

    def fetch(group_id: str) -> Sequence[str] | None:
        try:
            response = client.usergroups_users_list(usergroup=group_id)
        except SlackApiError as error:
            code = error.response.get("error")
            if code in _NO_SUCH_GROUP:
                return None
            log.warning("usergroups.users.list for %s failed: %s", group_id, code)
            if code == "missing_scope":
                raise LookupFailedError(CANNOT_READ_GROUPS) from error
            raise LookupFailedError() from error
        except OSError as error:
            raise LookupFailedError() from error
        users = response.get("users") or []
        return [user for user in users if isinstance(user, str)]

    return fetch
